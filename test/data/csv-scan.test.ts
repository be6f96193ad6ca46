import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvSource, fieldText, readCsv } from '../../src/data/csv.js';
import { parseDecimalBytes, scanRecords } from '../../src/data/csv-scan.js';
import { cellText, type NumericColumn } from '../../src/data/table.js';
import { Rng } from '../../src/util/random.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-csv-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function csvFile(text: string): string {
  const p = join(dir, `f${fileNo++}.csv`);
  writeFileSync(p, text);
  return p;
}

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('parseDecimalBytes', () => {
  it('reads what Number reads, bit for bit, or declines (NaN)', () => {
    const cases = [
      '0',
      '-0',
      '+0',
      '1',
      '-1',
      '+7',
      '1.',
      '.5',
      '-.5',
      '0.1',
      '0.2',
      '0.30000000000000004',
      '123456789012345',
      '1234567890123456',
      '9007199254740993',
      '1e0',
      '1e22',
      '1e23',
      '1e-22',
      '1e-23',
      '2.5E+3',
      '-4.25e-7',
      '000123.4500',
      '0.000001',
      '1e+308',
      '5e-324',
      '999999999999999e22',
      '1.7976931348623157e308',
    ];
    for (const s of cases) {
      const v = parseDecimalBytes(bytes(s), 0, s.length, 46);
      if (!Number.isNaN(v)) expect(Object.is(v, Number(s)), s).toBe(true);
    }
    // Plain short numbers are always read (not declined).
    for (const s of ['0', '-0', '1.', '.5', '0.1', '2.5E+3', '123456789012345', '1e22', '1e-22'])
      expect(Number.isNaN(parseDecimalBytes(bytes(s), 0, s.length, 46)), s).toBe(false);
    expect(Object.is(parseDecimalBytes(bytes('-0'), 0, 2, 46), -0)).toBe(true);
  });

  it('agrees with Number on seeded random decimals', () => {
    const rng = new Rng(7);
    const digits = (n: number): string => Array.from({ length: n }, () => String(rng.int(10))).join('');
    let read = 0;
    for (let k = 0; k < 20_000; k++) {
      const sign = ['', '-', '+'][rng.int(3)]!;
      const int = digits(rng.int(9));
      const frac = rng.next() < 0.7 ? `.${digits(rng.int(10))}` : '';
      const exp =
        rng.next() < 0.3 ? `${rng.next() < 0.5 ? 'e' : 'E'}${['', '-', '+'][rng.int(3)]}${digits(1 + rng.int(2))}` : '';
      const s = `${sign}${int}${frac}${exp}`;
      const v = parseDecimalBytes(bytes(s), 0, s.length, 46);
      const n = Number(s);
      if (Number.isNaN(v)) {
        // Declined: not a number (or empty: a missing value), over 15 digits, or an exponent
        // beyond the exact range.
        const significant = s
          .split(/e/i)[0]!
          .replace(/[^0-9]/g, '')
          .replace(/^0+/, '').length;
        expect(Number.isNaN(n) || /^[+-]?$/.test(s) || significant > 15 || /e/i.test(s), s).toBe(true);
      } else {
        read++;
        expect(Object.is(v, n), s).toBe(true);
      }
    }
    expect(read).toBeGreaterThan(10_000);
  });

  it('declines what is not a plain decimal number', () => {
    for (const s of [
      '',
      '-',
      '+',
      '.',
      'e5',
      '1e',
      '1e+',
      ' 1',
      '1 ',
      '0x10',
      '1,5',
      'NA',
      'inf',
      '1.2.3',
      '--1',
      '1e99999',
    ])
      expect(Number.isNaN(parseDecimalBytes(bytes(s), 0, s.length, 46)), JSON.stringify(s)).toBe(true);
  });

  it('reads a decimal comma when told, and then declines a point', () => {
    expect(parseDecimalBytes(bytes('1,5'), 0, 3, 44)).toBe(1.5);
    expect(parseDecimalBytes(bytes('-0,25e1'), 0, 7, 44)).toBe(-2.5);
    expect(Number.isNaN(parseDecimalBytes(bytes('1.5'), 0, 3, 44))).toBe(true);
  });

  it('reads a range inside a larger buffer', () => {
    const b = bytes('x,12.5,y');
    expect(parseDecimalBytes(b, 2, 6, 46)).toBe(12.5);
  });
});

/** The records of a text as scanRecords cuts them, from chunks cut at the given sizes. */
async function scanned(text: string, chunkSizes: number[]): Promise<{ fields: string[]; breaks: number }[] | null> {
  const all = Buffer.from(text, 'utf8');
  async function* chunks(): AsyncGenerator<Buffer> {
    let at = 0;
    let k = 0;
    while (at < all.length) {
      const size = chunkSizes[k++ % chunkSizes.length]!;
      yield Buffer.from(all.subarray(at, at + size));
      at += size;
    }
  }
  const out: { fields: string[]; breaks: number }[] = [];
  const ok = await scanRecords(chunks(), ',', {
    record(buf, starts, ends, quoted, n, breaks) {
      const fields: string[] = [];
      for (let k = 0; k < n; k++) fields.push(fieldText(buf, starts[k]!, ends[k]!, quoted[k]!));
      out.push({ fields, breaks });
    },
  });
  return ok ? out : null;
}

describe('scanRecords', () => {
  const text = 'a,"b ""q"", c",d\r\n1,"multi\r\nline\nfield",\r\n\r\n"",x,"é"\r4,5,6';

  it('cuts the same records whatever the chunk boundaries', async () => {
    const whole = await scanned(text, [1 << 20]);
    expect(whole).toEqual([
      { fields: ['a', 'b "q", c', 'd'], breaks: 0 },
      { fields: ['1', 'multi\r\nline\nfield', ''], breaks: 2 },
      { fields: [''], breaks: 0 },
      { fields: ['', 'x', 'é'], breaks: 0 },
      { fields: ['4', '5', '6'], breaks: 0 },
    ]);
    for (const sizes of [[1], [2], [3], [5, 1], [7, 2, 1]])
      expect(await scanned(text, sizes), `${sizes}`).toEqual(whole);
  });

  it('gives up on quoting csv-parse reads otherwise or refuses', async () => {
    for (const t of ['a,b"c,d\n', 'a,"b"c,d\n', 'a,"never closed\n1,2,3\n', 'a, "b",c\n'])
      expect(await scanned(t, [1 << 20]), t).toBeNull();
  });
});

/** readCsv's records as csv-parse reads them (CsvSource.records) and as the fast path does (scan). */
async function bothWays(path: string): Promise<[unknown[], unknown[]]> {
  const slow: unknown[] = [];
  for await (const r of (await CsvSource.open(path)).records()) slow.push([r.line, r.fields]);
  const fast: unknown[] = [];
  const usual = await (
    await CsvSource.open(path)
  ).scan((buf, f, line) => {
    const fields: string[] = [];
    for (let k = 0; k < f.n; k++) fields.push(fieldText(buf, f.starts[k]!, f.ends[k]!, f.quoted[k]!));
    fast.push([line, fields]);
  });
  expect(usual).toBe(true);
  return [slow, fast];
}

describe('readCsv: the fast path reads as csv-parse does', () => {
  it('the same records and lines: quotes, line breaks in fields, empty lines, \\r\\n and \\r', async () => {
    for (const t of [
      'a,b\n1,2\n3,4\n',
      'a,b\r\n1,2\r\n\r\n3,4',
      'a,b\r1,2\r3,4\r',
      '"a","b"\n"1,5","x ""y"""\n"multi\nline",2\n\n\n7,8\n',
      'a,b\n"x\r\ny",1\n"",2\n',
    ]) {
      const [slow, fast] = await bothWays(csvFile(t));
      expect(fast, JSON.stringify(t)).toEqual(slow);
    }
  });

  it('seeded random files: the same table either way', async () => {
    const rng = new Rng(11);
    const cells = [
      '1',
      '-2.5',
      '1e3',
      '',
      'NA',
      '"3"',
      '"a,b"',
      'x',
      '007',
      '"q ""u"""',
      '"l\nb"',
      '0.1',
      '12345678901234567',
    ];
    for (let f = 0; f < 20; f++) {
      const lines = ['c0,c1,c2'];
      for (let i = 0; i < 40; i++) {
        const row = [0, 1, 2].map((j) => (j === 0 ? String(rng.int(100) / 8) : cells[rng.int(cells.length)]!));
        lines.push(row.join(','));
        if (rng.next() < 0.05) lines.push('');
      }
      const path = csvFile(`${lines.join(rng.next() < 0.5 ? '\n' : '\r\n')}\n`);
      const [slow, fast] = await bothWays(path);
      expect(fast).toEqual(slow);
      const t = await readCsv(path);
      const c0 = t.column('c0') as NumericColumn;
      expect(c0.type).toBe('numeric');
      // Every cell is as csv-parse read it, through the same column builder.
      (slow as [number, string[]][]).forEach(([line, fields], i) => {
        expect(t.lines![i]).toBe(line);
        expect(c0.values[i]).toBe(Number(fields[0]));
        for (const name of ['c1', 'c2']) {
          const col = t.column(name);
          const want = fields[name === 'c1' ? 1 : 2]!;
          if (col.type === 'categorical') expect(cellText(col, i)).toBe(/^(NA)?$/.test(want) ? '' : want);
        }
      });
    }
  });

  it('a file the fast path gives up on is read, or refused, by csv-parse', async () => {
    const t = await readCsv(csvFile('a,b\n1,2\n3,"4"x\n')).catch((e: { code?: string; message: string }) => e);
    expect((t as { code?: string }).code).toBe('CSV_SYNTAX');
    expect((t as { message: string }).message).toMatch(/:3: /);
  });

  it('reads files past the first block whether their rows are guessed high or low', async () => {
    // Short lines then long ones (guessed low: the columns grow), long then short (guessed high).
    const short = Array.from({ length: 20_000 }, (_, i) => `${i},1`);
    const long = Array.from({ length: 20_000 }, (_, i) => `${20_000 + i},${'7'.repeat(12)}.5`);
    for (const rows of [
      [...short, ...long],
      [
        ...long.map((l, i) => l.replace(/^\d+/, String(i))),
        ...short.map((l, i) => l.replace(/^\d+/, String(20_000 + i))),
      ],
    ]) {
      const t = await readCsv(csvFile(`id,v\n${rows.join('\n')}\n`));
      expect(t.nRows).toBe(40_000);
      const id = t.numeric('id').values;
      expect(id).toHaveLength(40_000);
      for (let i = 0; i < 40_000; i++) if (id[i] !== i) throw new Error(`row ${i}: ${id[i]}`);
      expect(t.numeric('v').values).toHaveLength(40_000);
      expect(t.lines![39_999]).toBe(40_001);
    }
  });

  it('counts a field-count mismatch on its line, as before', async () => {
    const e = await readCsv(csvFile('a,b\n1,2\n\n"x\ny",2,3\n')).catch(
      (err: { code?: string; message: string }) => err,
    );
    expect((e as { code?: string }).code).toBe('CSV_FIELD_COUNT');
    expect((e as { message: string }).message).toMatch(/:4: this row has 3 fields, the header has 2/);
  });
});
