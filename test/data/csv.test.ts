import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvSource, detectDelimiter, isMissingToken, parseNumber, readCsv } from '../../src/data/csv.js';
import { cellText, missingCount, type CategoricalColumn, type NumericColumn } from '../../src/data/table.js';
import { refusal } from './csv-refusal.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function csvFile(text: string | Buffer, ext = 'csv'): string {
  const p = join(dir, `f${fileNo++}.${ext}`);
  writeFileSync(p, text);
  return p;
}

describe('tokens', () => {
  it('reads the missing tokens in any case, with spaces around', () => {
    for (const t of ['', 'NA', 'na', 'NaN', 'nan', 'NULL', 'null', '?', '  ', ' NA '])
      expect(isMissingToken(t)).toBe(true);
    for (const t of ['0', 'N/A?', 'none', 'n', '??']) expect(isMissingToken(t)).toBe(false);
  });

  it('parses decimal numbers only', () => {
    expect(parseNumber('3')).toBe(3);
    expect(parseNumber('-0.5e-3')).toBe(-0.0005);
    expect(parseNumber('.25')).toBe(0.25);
    expect(parseNumber('7.')).toBe(7);
    expect(parseNumber(' 42 ')).toBe(42);
    expect(parseNumber('+1E3')).toBe(1000);
    for (const t of ['0x10', '1,5', 'abc', '1e', '--1', '2024-01-02', '0b1', '1_000'])
      expect(parseNumber(t)).toBeUndefined();
    expect(parseNumber('Infinity')).toBe(Infinity);
    expect(parseNumber('-inf')).toBe(-Infinity);
    expect(parseNumber('1e999')).toBe(Infinity);
  });

  it('detects the delimiter from the header, ignoring quoted text', () => {
    expect(detectDelimiter('a,b,c\n1,2,3')).toBe(',');
    expect(detectDelimiter('a\tb\tc\n')).toBe('\t');
    expect(detectDelimiter('a;b;c\r\n1,5;2,5;3')).toBe(';');
    expect(detectDelimiter('"x;y;z",b\n')).toBe(',');
    expect(detectDelimiter('single\n1\n')).toBe(',');
  });
});

describe('readCsv: types and values', () => {
  it('reads numeric and categorical columns with missing values', async () => {
    const t = await readCsv(csvFile('num,cat,mixed\n1.5,a,1\nNA,b,x\n3,,2\n-2e1,a,NULL\n'));
    expect(t.nRows).toBe(4);
    expect(t.names).toEqual(['num', 'cat', 'mixed']);
    const num = t.column('num') as NumericColumn;
    expect(num.type).toBe('numeric');
    expect([...num.values]).toEqual([1.5, NaN, 3, -20]);
    const cat = t.column('cat') as CategoricalColumn;
    expect(cat.type).toBe('categorical');
    expect(cat.levels).toEqual(['a', 'b']);
    expect([...cat.codes]).toEqual([0, 1, -1, 0]);
    const mixed = t.column('mixed') as CategoricalColumn;
    expect(mixed.type).toBe('categorical');
    // Levels keep the text as written, including the numbers read before the first word.
    expect(mixed.levels).toEqual(['1', 'x', '2']);
    expect([...mixed.codes]).toEqual([0, 1, 2, -1]);
    expect(missingCount(num)).toBe(1);
    expect(missingCount(mixed)).toBe(1);
  });

  it('keeps the text a number was written as, for class labels', async () => {
    const t = await readCsv(csvFile('y\n3\n20\n3\n100\n3.0\n'));
    const y = t.column('y') as NumericColumn;
    expect(y.type).toBe('numeric');
    expect(cellText(y, 1)).toBe('20');
    expect(cellText(y, 4)).toBe('3'); // 3.0 and 3 are one value; its first spelling is kept
  });

  it('handles quotes, embedded delimiters and newlines, CRLF and a BOM', async () => {
    const text = '\uFEFFid,"note, long",v\r\n1,"a, b",2.5\r\n2,"line1\r\nline2",3\r\n3,"say ""hi""",4\r\n';
    const src = csvFile(text);
    const t = await readCsv(src);
    expect(t.names).toEqual(['id', 'note, long', 'v']);
    const note = t.column('note, long') as CategoricalColumn;
    expect(note.levels).toEqual(['a, b', 'line1\r\nline2', 'say "hi"']);
    expect([...(t.column('v') as NumericColumn).values]).toEqual([2.5, 3, 4]);
    expect(t.source?.sha256).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('reads tab and semicolon files, detected or given', async () => {
    const tab = await readCsv(csvFile('a\tb\n1\tx\n2\ty\n', 'tsv'));
    expect(tab.source?.delimiter).toBe('\t');
    expect([...(tab.column('a') as NumericColumn).values]).toEqual([1, 2]);
    const semi = await readCsv(csvFile('a;b\n1;x\n2;y\n'));
    expect(semi.source?.delimiter).toBe(';');
    const given = await readCsv(csvFile('a;b,c\n1;2,3\n'), { delimiter: ',' });
    expect(given.names).toEqual(['a;b', 'c']);
  });

  it('skips empty lines, and reads a last line without a newline', async () => {
    const t = await readCsv(csvFile('a,b\n1,2\n\n3,4'));
    expect([...(t.column('b') as NumericColumn).values]).toEqual([2, 4]);
  });

  it('lets the user force a column type', async () => {
    const p = csvFile('zip,v\n02139,1\n10001,2\n');
    const t = await readCsv(p, { types: { zip: 'categorical' } });
    expect((t.column('zip') as CategoricalColumn).levels).toEqual(['02139', '10001']);
    const e = await refusal(csvFile('v\n1\nabc\n'), { types: { v: 'numeric' } });
    expect(e.code).toBe('CSV_NOT_NUMERIC');
    expect(e.message).toMatch(/:3: column 'v' is declared numeric but holds 'abc'/);
  });

  it('reads only the requested columns', async () => {
    const t = await readCsv(csvFile('a,b,c\n1,x,3\n2,y,4\n'), { columns: ['c', 'a'] });
    expect(t.names).toEqual(['a', 'c']);
  });

  it('turns a column categorical even after thousands of distinct numbers (re-reads its text)', async () => {
    const lines = ['k'];
    for (let i = 0; i < 6000; i++) lines.push(`${i}.50`);
    lines.push('oops');
    const t = await readCsv(csvFile(`${lines.join('\n')}\n`));
    const k = t.column('k') as CategoricalColumn;
    expect(k.type).toBe('categorical');
    expect(k.levels.length).toBe(6001);
    expect(k.levels[0]).toBe('0.50');
    expect(k.levels[6000]).toBe('oops');
    expect(cellText(k, 5999)).toBe('5999.50');
  });

  it('grows past its first buffers', async () => {
    const lines = ['i,c'];
    for (let i = 0; i < 5000; i++) lines.push(`${i},${i % 7 === 0 ? 'NA' : `c${i % 3}`}`);
    const t = await readCsv(csvFile(`${lines.join('\n')}\n`));
    const i = t.column('i') as NumericColumn;
    expect(t.nRows).toBe(5000);
    expect(i.values[4999]).toBe(4999);
    expect(missingCount(t.column('c'))).toBe(Math.ceil(5000 / 7));
  });
});

describe('readCsv: refusals name the file and line', () => {
  it('an empty file', async () => {
    const p = csvFile('');
    const e = await refusal(p);
    expect(e.code).toBe('CSV_EMPTY');
    expect(e.message).toContain(p);
    expect((await refusal(csvFile('\uFEFF\n\n'))).code).toBe('CSV_EMPTY');
  });

  it('a header without rows', async () => {
    expect((await refusal(csvFile('a,b\n'))).code).toBe('CSV_NO_ROWS');
  });

  it('duplicate or empty column names', async () => {
    const dup = await refusal(csvFile('a,b,a\n1,2,3\n'));
    expect(dup.code).toBe('CSV_HEADER_DUPLICATE');
    expect(dup.message).toMatch(/:1: the column name 'a' appears twice in the header \(columns 1 and 3\)/);
    const empty = await refusal(csvFile('a,,c\n1,2,3\n'));
    expect(empty.code).toBe('CSV_HEADER_EMPTY_NAME');
    expect(empty.message).toMatch(/:1: column 2 of the header has an empty name/);
  });

  it('a row with the wrong number of fields, never padded', async () => {
    const p = csvFile('a,b,c\n1,2,3\n4,5\n6,7,8\n');
    const e = await refusal(p);
    expect(e.code).toBe('CSV_FIELD_COUNT');
    expect(e.message).toBe(
      `${p}:3: this row has 2 fields, the header has 3; every row needs one field per column (quote fields that contain the delimiter)`,
    );
    const long = await refusal(csvFile('a,b\n1,2\n3,4\n5,6,7\n'));
    expect(long.message).toMatch(/:4: this row has 3 fields, the header has 2/);
  });

  it('counts lines across quoted newlines', async () => {
    const e = await refusal(csvFile('a,b\n"x\ny",1\n2\n'));
    expect(e.message).toMatch(/:4: this row has 1 field,/);
  });

  it('an unclosed quote', async () => {
    const e = await refusal(csvFile('a,b\n1,"open\n2,3\n'));
    expect(e.code).toBe('CSV_QUOTE');
  });

  it('a requested column that does not exist, listing the columns', async () => {
    const e = await refusal(csvFile('alpha,beta\n1,2\n'), { columns: ['Alpha'] });
    expect(e.code).toBe('UNKNOWN_COLUMN');
    expect(e.message).toContain("no column 'Alpha'");
    expect(e.message).toContain("Did you mean 'alpha'?");
    expect(e.message).toContain('The columns are: alpha, beta');
    expect((await refusal(csvFile('a\n1\n'), { types: { zz: 'numeric' } })).code).toBe('UNKNOWN_COLUMN');
  });

  it('Infinity or an overflow in a numeric column', async () => {
    const inf = await refusal(csvFile('a,b\n1,2\nInfinity,3\n'));
    expect(inf.code).toBe('CSV_NOT_FINITE');
    expect(inf.message).toMatch(/:3: column 'a' holds 'Infinity', which is not a finite number/);
    const over = await refusal(csvFile('a\n1\n2\n1e400\n'));
    expect(over.message).toMatch(/:4: column 'a' holds '1e400'/);
    // In a text column, 'inf' is just a level.
    const t = await readCsv(csvFile('a\nx\ninf\n'));
    expect((t.column('a') as CategoricalColumn).levels).toEqual(['x', 'inf']);
  });

  it('a missing file or a folder', async () => {
    expect((await refusal(join(dir, 'nope.csv'))).code).toBe('FILE_NOT_FOUND');
    expect((await refusal(dir)).code).toBe('NOT_A_FILE');
  });
});

describe('CsvSource', () => {
  it('streams records with their raw text and start line', async () => {
    const src = await CsvSource.open(csvFile('a,b\r\n1,"x\r\ny"\r\n\r\n2,z\r\n'), { raw: true });
    expect(src.header).toEqual(['a', 'b']);
    expect(src.newline).toBe('\r\n');
    expect(src.headerRaw).toBe('a,b');
    const recs = [];
    for await (const r of src.records()) recs.push(r);
    expect(recs.map((r) => [r.line, r.raw])).toEqual([
      [2, '1,"x\r\ny"'],
      [5, '2,z'],
    ]);
  });
});

describe('line numbers after quoted CRLF line breaks', () => {
  it('count a quoted \\r\\n as one line in errors too', async () => {
    const e = await refusal(csvFile('a,b\r\n"x\r\ny",1\r\n2\r\n'));
    expect(e.message).toMatch(/:4: this row has 1 field,/);
  });
});
