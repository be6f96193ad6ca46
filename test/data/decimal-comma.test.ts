import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { decideDecimal, parseNumber, readCsv, type ReadCsvOptions } from '../../src/data/csv.js';
import { cellText } from '../../src/data/table.js';
import { readCsvRecords, type CsvRecord, type DecimalMark } from '../../src/serve/csv-records.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-dec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function file(bytes: Buffer | string): string {
  const p = join(dir, `f${fileNo++}.csv`);
  writeFileSync(p, bytes);
  return p;
}

/** A file as a German or French spreadsheet saves it: `;` between fields, `1,5` for 1.5. */
const EUROPEAN = 'Gerät;Druck;Anzahl;Datum\nP1;1,5;3;12.03.2024\nP2;-0,25;4;13.03.2024\nP3;2,0E-3;;14.03.2024\n';

async function read(
  text: string | Buffer,
  opts: ReadCsvOptions = {},
): Promise<{ notes: string[]; t: Awaited<ReturnType<typeof readCsv>> }> {
  const notes: string[] = [];
  const t = await readCsv(file(text), { ...opts, onNote: (n) => notes.push(n) });
  return { notes, t };
}

describe('decimal commas', () => {
  it('detects a ; file written 1,5 and reads the numbers, with one note under 80 columns', async () => {
    const { notes, t } = await read(EUROPEAN);
    expect(t.column('Druck').type).toBe('numeric');
    expect([...t.numeric('Druck').values]).toEqual([1.5, -0.25, 0.002]);
    expect([...t.numeric('Anzahl').values]).toEqual([3, 4, NaN]);
    // A date written with points is no number in such a file.
    expect(t.column('Datum').type).toBe('categorical');
    expect(notes).toEqual(['note: decimal commas read as numbers (1,5 is 1.5); --decimal . turns it off']);
    expect(notes[0]!.length).toBeLessThanOrEqual(80);
  });

  it('reads the same numbers from a gzipped Latin-1 file of the same table', async () => {
    const bytes = gzipSync(Buffer.from(EUROPEAN.replace('Gerät', 'Ger\xe4t'), 'latin1'));
    const { t } = await read(bytes, { encoding: 'latin1' });
    expect(t.names[0]).toBe('Gerät');
    expect([...t.numeric('Druck').values]).toEqual([1.5, -0.25, 0.002]);
  });

  it('--decimal . turns detection off: the column is text, no note', async () => {
    const { notes, t } = await read(EUROPEAN, { decimal: '.' });
    expect(t.column('Druck').type).toBe('categorical');
    expect(cellText(t.column('Druck'), 0)).toBe('1,5');
    expect(notes).toEqual([]);
  });

  it('--decimal , reads a tab file, and quoted 1,5 in a comma file, as numbers', async () => {
    const tab = await read('x\ty\n1,5\ta\n2\tb\n', { decimal: ',' });
    expect([...tab.t.numeric('x').values]).toEqual([1.5, 2]);
    expect(tab.notes).toEqual([]);
    const comma = await read('x,y\n"1,5",a\n"-3,25",b\n', { decimal: ',' });
    expect([...comma.t.numeric('x').values]).toEqual([1.5, -3.25]);
  });

  it('detects in tab files too, but never in a comma file', async () => {
    expect((await read('x\ty\n1,5\ta\n2,25\tb\n')).t.column('x').type).toBe('numeric');
    const c = await read('x,y\n"1,5",a\n');
    expect(c.t.column('x').type).toBe('categorical');
    expect(c.notes).toEqual([]);
  });

  it('leaves a file with both 1,5 and 1.5 as written, and says so', async () => {
    const { notes, t } = await read('a;b\n1,5;2.5\n3,5;4.5\n');
    expect(t.column('a').type).toBe('categorical');
    expect([...t.numeric('b').values]).toEqual([2.5, 4.5]);
    expect(notes).toEqual(['note: numbers written both 1,5 and 1.5: read as 1.5 is (--decimal , for 1,5)']);
    expect(notes[0]!.length).toBeLessThanOrEqual(80);
  });

  it('keeps the text of a numeric class label as written (1,5)', async () => {
    const { t } = await read('y;x\n1,5;1\n2,5;2\n1,5;3\n');
    const y = t.numeric('y');
    expect(y.texts?.get(1.5)).toBe('1,5');
  });

  it('parses one comma as the point, and refuses points and second commas', () => {
    expect(parseNumber('1,5', ',')).toBe(1.5);
    expect(parseNumber(' -0,125 ', ',')).toBe(-0.125);
    expect(parseNumber(',5', ',')).toBe(0.5);
    expect(parseNumber('12', ',')).toBe(12);
    expect(parseNumber('1.5', ',')).toBeUndefined();
    expect(parseNumber('1,234,5', ',')).toBeUndefined();
    expect(decideDecimal('a;b\n1,5;x\n', ';', undefined)).toEqual({ decimal: ',', how: 'detected' });
    expect(decideDecimal('a;b\n1,5;x\n', ';', '.')).toEqual({ decimal: '.', how: 'given' });
    expect(decideDecimal('a;b\n1;x\n', ';', undefined)).toEqual({ decimal: '.', how: 'default' });
  });
});

describe('decimal commas on the scoring side', () => {
  async function numbers(text: string, decimal: DecimalMark): Promise<(number | undefined)[]> {
    const out: (number | undefined)[] = [];
    await readCsvRecords(Readable.from([Buffer.from(text)]), {
      source: 's.csv',
      decimal,
      onHeader: () => undefined,
      onRecord: (r: CsvRecord) => void out.push(r.number(0)),
    });
    return out;
  }

  it('reads 1,5 exactly as 1.5 is read, long digit strings included', async () => {
    const values = ['1,5', '-0,25', '3,14159265358979323846', '6,02e23', '7', 'NA'];
    const got = await numbers(`x;y\n${values.map((v) => `${v};0`).join('\n')}\n`, ',');
    expect(got).toEqual([1.5, -0.25, Number('3.14159265358979323846'), 6.02e23, 7, undefined]);
  });

  it('with the decimal comma, a number written with a point is not a number (NaN)', async () => {
    expect(await numbers('x;y\n1.5;0\n', ',')).toEqual([NaN]);
    expect(await numbers('x;y\n1.5;0\n1,5;0\n', '.')).toEqual([1.5, undefined]);
  });
});
