import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../src/data/csv.js';
import type { Table } from '../../src/data/table.js';
import type { ExperimentSettings } from '../../src/search/experiment.js';
import { prepareData, rowIds, type ColumnChoices } from '../../src/search/prepare.js';
import { AutomlError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-dropped-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 200 customers: an id counter, a constant, an all-missing column, two features and the target. */
function customersCsv(): string {
  const lines = ['customer_id,plan,tenure,country,notes,churn'];
  for (let i = 0; i < 200; i++)
    lines.push(`${i + 1},${['basic', 'pro', 'team'][i % 3]},${(i * 7) % 50},US,,${(i * 7) % 50 < 20 ? 'yes' : 'no'}`);
  return `${lines.join('\n')}\n`;
}

const settings = (over: Partial<ExperimentSettings & ColumnChoices> = {}): ExperimentSettings & ColumnChoices => ({
  name: 't',
  target: 'churn',
  task: 'auto',
  seed: 42,
  drop: [],
  time: 1,
  accuracy: 1,
  interpretability: 5,
  outDir: dir,
  ...over,
});

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AutomlError);
    return `${(e as AutomlError).code}: ${(e as AutomlError).message}`;
  }
  return 'no error';
}

async function customers(): Promise<Table> {
  const path = join(dir, 'customers.csv');
  writeFileSync(path, customersCsv());
  return readCsv(path);
}

describe('prepareData: columns dropped with their reason', () => {
  it('drops the id counter, the constant and the empty column, in the table order, and says why', async () => {
    const p = prepareData(await customers(), undefined, settings());
    expect(p.dropped).toEqual([
      {
        column: 'customer_id',
        reason: 'a row counter: rises by one from row to row (1 to 200); --keep-column keeps it',
      },
      { column: 'country', reason: "constant: 'US' in every row; --keep-column keeps it" },
      { column: 'notes', reason: 'missing in every row (200); --keep-column keeps it' },
    ]);
    expect(p.features).toEqual(['plan', 'tenure']);
    expect(p.train.names).toEqual(['plan', 'tenure']);
  });

  it('--keep-column keeps a column; --drop and --id-column come first with their own reasons', async () => {
    const t = await customers();
    const kept = prepareData(t, undefined, settings({ keepColumns: ['customer_id', 'country'] }));
    expect(kept.features).toEqual(['customer_id', 'plan', 'tenure', 'country']);
    expect(kept.dropped.map((d) => d.column)).toEqual(['notes']);
    const byId = prepareData(t, undefined, settings({ drop: ['plan'], idColumn: 'customer_id' }));
    expect(byId.dropped.map((d) => [d.column, d.reason.split(';')[0]])).toEqual([
      ['plan', 'dropped with --drop'],
      ['customer_id', 'the --id-column: it names the rows of test-predictions.csv'],
      ['country', "constant: 'US' in every row"],
      ['notes', 'missing in every row (200)'],
    ]);
    expect(byId.features).toEqual(['tenure']);
  });

  it('contradictions and unknown columns are refused, naming the option', async () => {
    const t = await customers();
    expect(code(() => prepareData(t, undefined, settings({ keepColumns: ['churn'] })))).toMatch(
      /^BAD_OPTION: --keep-column churn names the target itself/,
    );
    expect(code(() => prepareData(t, undefined, settings({ keepColumns: ['plan'], drop: ['plan'] })))).toMatch(
      /^BAD_OPTION: --keep-column plan and --drop plan contradict each other/,
    );
    expect(
      code(() => prepareData(t, undefined, settings({ keepColumns: ['customer_id'], idColumn: 'customer_id' }))),
    ).toMatch(/^BAD_OPTION: --keep-column customer_id and --id-column customer_id contradict/);
    expect(code(() => prepareData(t, undefined, settings({ idColumn: 'churn' })))).toMatch(
      /^BAD_OPTION: --id-column churn names the target itself/,
    );
    expect(code(() => prepareData(t, undefined, settings({ keepColumns: ['custmer_id'] })))).toMatch(
      /^UNKNOWN_COLUMN: no column 'custmer_id'/,
    );
  });

  it('every column dropped: an error that says what to keep; a one-class target is reported first', async () => {
    const path = join(dir, 'only-id.csv');
    writeFileSync(path, `id,y\n${Array.from({ length: 30 }, (_, i) => `${i},${i % 2}`).join('\n')}\n`);
    const only = await readCsv(path);
    expect(code(() => prepareData(only, undefined, settings({ target: 'y' })))).toMatch(
      /^NO_FEATURES: no features are left after dropping id; keep at least one column besides the target: --keep-column keeps one dropped automatically \(id: a row counter: rises by one from row to row \(0 to 29\)\)$/,
    );
    expect(prepareData(only, undefined, settings({ target: 'y', keepColumns: ['id'] })).features).toEqual(['id']);
    const oneClass = join(dir, 'one-class.csv');
    writeFileSync(oneClass, `id,y\n${Array.from({ length: 30 }, (_, i) => `${i},k`).join('\n')}\n`);
    const oneClassTable = await readCsv(oneClass);
    expect(code(() => prepareData(oneClassTable, undefined, settings({ target: 'y' })))).toMatch(/^TARGET_ONE_CLASS: /);
  });
});

describe('prepareData: what names the test rows', () => {
  it('their line in the file (header = line 1), or the --id-column value', async () => {
    const t = await customers();
    const p = prepareData(t, undefined, settings());
    expect(p.testIds.name).toBe('line');
    expect(p.testIds.values).toHaveLength(p.yTest.length);
    // Line k holds customer k − 1 (one record per line here): the line names the row.
    const ids = t.numeric('customer_id').values;
    const testRows = p.testIds.values.map((l) => Number(l) - 2);
    expect(testRows.map((r) => ids[r])).toEqual(p.testIds.values.map((l) => Number(l) - 1));
    const q = prepareData(t, undefined, settings({ idColumn: 'customer_id' }));
    expect(q.testIds.name).toBe('customer_id');
    expect(q.testIds.values).toEqual(p.testIds.values.map((l) => String(Number(l) - 1)));
  });

  it("the reader's record of lines when it keeps one (empty lines, quoted line breaks)", async () => {
    const t = await customers();
    const withLines = Object.assign(Object.create(Object.getPrototypeOf(t) as object) as Table, t, {
      lines: Int32Array.from({ length: t.nRows }, (_, i) => 2 + 2 * i),
    });
    expect(rowIds(withLines, [0, 5], undefined, 'churn')).toEqual({ name: 'line', values: ['2', '12'] });
    // A target named 'line' keeps its name; the line number's column gives way.
    expect(rowIds(t, [0, 5], undefined, 'line')).toEqual({ name: 'input_line', values: ['2', '7'] });
  });
});
