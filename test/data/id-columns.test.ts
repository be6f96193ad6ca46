import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedDataPath } from '../../src/cli/embedded.js';
import { readCsv } from '../../src/data/csv.js';
import { autoDrop, hasIdName, MIN_ID_ROWS } from '../../src/data/infer.js';
import { Rng } from '../../src/util/random.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-id-columns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads one column, written as a CSV file with a second column beside it. */
async function column(name: string, cells: readonly string[]) {
  const path = join(dir, `${name.replace(/\W/g, '_')}-${cells.length}.csv`);
  writeFileSync(path, `${JSON.stringify(name)},other\n${cells.map((c, i) => `${c},${i % 3}`).join('\n')}\n`);
  return (await readCsv(path)).column(name);
}

const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => from + i);
const shuffled = (a: number[], seed = 7): number[] => new Rng(seed).shuffle([...a]);

describe('autoDrop: identifiers', () => {
  it('a row counter (1, 2, 3, …) is an identifier, also written as 1.0, 2.0, and falling', async () => {
    const counter = autoDrop(await column('customer_id', range(500).map(String)));
    expect(counter).toEqual({ kind: 'id', reason: 'a row counter: rises by one from row to row (1 to 500)' });
    const floats = autoDrop(
      await column(
        'n',
        range(30, 0).map((v) => v.toFixed(1)),
      ),
    );
    expect(floats?.kind).toBe('id');
    expect(floats?.reason).toContain('(0 to 29)');
    const falling = autoDrop(await column('n', range(40).reverse().map(String)));
    expect(falling?.reason).toBe('a row counter: falls by one from row to row (40 to 1)');
  });

  it('a counter with a few rows removed is still a counter; a 20-row counter too', async () => {
    const gaps = range(200).filter((v) => v % 17 !== 0);
    expect(autoDrop(await column('seq', gaps.map(String)))?.reason).toMatch(/^a row counter: rises by about one/);
    expect(autoDrop(await column('k', range(20).map(String)))?.kind).toBe('id');
  });

  it('a shuffled range of integers is an identifier (a counter after a shuffle), from 10 rows', async () => {
    const d = autoDrop(await column('k', shuffled(range(60, 1001)).map(String)));
    expect(d).toEqual({ kind: 'id', reason: 'an identifier: the distinct integers 1001 to 1060, shuffled' });
  });

  it('sparse distinct integers: an identifier from 100 rows, or when named so; kept in a small table', async () => {
    const rng = new Rng(3);
    const codes = new Set<number>();
    while (codes.size < 150) codes.add(100_000 + rng.int(900_000));
    const many = [...codes];
    expect(autoDrop(await column('code', many.map(String)))).toEqual({
      kind: 'id',
      reason: 'an identifier: all 150 values are distinct integers',
    });
    // 20 rows: distinct integers are common in a measurement (20 incomes), unless the name says id.
    const few = many.slice(0, 20);
    expect(autoDrop(await column('income', few.map(String)))).toBeUndefined();
    expect(autoDrop(await column('CustomerID', few.map(String)))?.reason).toBe(
      'an identifier: named so, and all 20 values are distinct integers',
    );
    expect(MIN_ID_ROWS).toBe(100);
  });

  it('integers that repeat, real-valued sensors and mostly missing columns are kept', async () => {
    const rng = new Rng(5);
    const ages = Array.from({ length: 300 }, () => String(18 + rng.int(60)));
    expect(autoDrop(await column('age', ages))).toBeUndefined();
    const pressure = Array.from({ length: 300 }, () => String(100 + 30 * rng.next()));
    expect(autoDrop(await column('pressure', pressure))).toBeUndefined();
    // Sorted real values: distinct and monotone, but not integers.
    expect(
      autoDrop(
        await column(
          't',
          range(300).map((v) => String(v + 0.5)),
        ),
      ),
    ).toBeUndefined();
    // Distinct integers in only a third of the rows.
    const sparse = range(300).map((v) => (v % 3 === 0 ? String(v * 7) : ''));
    expect(autoDrop(await column('x', sparse))).toBeUndefined();
  });

  it('categorical codes that are all distinct are identifiers; free text, dates and repeated levels are not', async () => {
    const codes = range(40).map((v) => `C-${String(v * 37).padStart(5, '0')}`);
    expect(autoDrop(await column('account', codes))).toEqual({
      kind: 'id',
      reason: "an identifier: all 40 values are distinct, so every new row's would be unseen",
    });
    const text = range(40).map((v) => `"great product, would buy ${v} again"`);
    expect(autoDrop(await column('review', text))).toBeUndefined();
    const dates = range(40).map(
      (v) => `2024-${String(1 + (v % 12)).padStart(2, '0')}-${String(1 + (v % 28)).padStart(2, '0')}T0${v % 10}:00`,
    );
    expect(autoDrop(await column('when', dates))).toBeUndefined();
    const towns = range(40).map((v) => `town${v % 13}`);
    expect(autoDrop(await column('town', towns))).toBeUndefined();
    // Fewer than 10 values: not enough to tell.
    expect(autoDrop(await column('account', codes.slice(0, 9)))).toBeUndefined();
  });

  it('names that say identifier', () => {
    for (const n of [
      'id',
      'ID',
      'customer_id',
      'order-id',
      'CustomerID',
      'orderId',
      'uuid',
      'row_number',
      'Unnamed: 0',
    ])
      expect(hasIdName(n), n).toBe(true);
    for (const n of ['paid', 'valid', 'grid', 'squid', 'idle', 'identity', 'width', 'kid'])
      expect(hasIdName(n), n).toBe(false);
  });
});

describe('autoDrop: constants', () => {
  it('one value in every row, or missing in every row, is a constant; one value with missing rows is kept', async () => {
    expect(
      autoDrop(
        await column(
          'flag',
          range(50).map(() => '1'),
        ),
      ),
    ).toEqual({
      kind: 'constant',
      reason: 'constant: 1 in every row',
    });
    expect(
      autoDrop(
        await column(
          'country',
          range(50).map(() => 'US'),
        ),
      ),
    ).toEqual({
      kind: 'constant',
      reason: "constant: 'US' in every row",
    });
    expect(
      autoDrop(
        await column(
          'empty',
          range(50).map(() => 'NA'),
        ),
      ),
    ).toEqual({
      kind: 'constant',
      reason: 'missing in every row (50)',
    });
    // Its missingness may carry signal.
    expect(
      autoDrop(
        await column(
          'flag',
          range(50).map((v) => (v % 4 ? 'yes' : '')),
        ),
      ),
    ).toBeUndefined();
  });
});

describe('autoDrop on the hydraulic data', () => {
  it('drops nothing: its all-distinct columns (psb_bar, pump_eff) are real-valued sensors', async () => {
    const t = await readCsv(embeddedDataPath());
    expect(t.columns.map((c) => [c.name, autoDrop(c)]).filter(([, d]) => d !== undefined)).toEqual([]);
    for (const name of ['psb_bar', 'pump_eff']) {
      const v = t.numeric(name).values;
      expect(new Set(v).size, name).toBe(t.nRows);
    }
  });
});
