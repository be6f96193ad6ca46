import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvSource, readCsv, type ReadCsvOptions } from '../../src/data/csv.js';
import { cellText, type CategoricalColumn } from '../../src/data/table.js';
import {
  decodeLatin1,
  decodeWindows1252,
  firstInvalidUtf8,
  openText,
  parseEncoding,
  WINDOWS_1252_HIGH,
} from '../../src/serve/decode.js';
import { refusal } from './csv-refusal.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-enc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function file(bytes: Buffer | string, name = `f${fileNo++}.csv`): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const levels = async (path: string, col: string, opts: ReadCsvOptions = {}): Promise<string[]> => {
  const t = await readCsv(path, opts);
  const c = t.column(col) as CategoricalColumn;
  return Array.from({ length: t.nRows }, (_, i) => cellText(c, i));
};

/** 'café' and 'crème' in Latin-1: é is the one byte 0xe9, è 0xe8. */
const LATIN1 = Buffer.from('city,drink,n\nParis,caf\xe9,1\nLyon,cr\xe8me,2\n', 'latin1');

describe('UTF-8 is checked: a Latin-1 file is refused naming the line, the byte offset and the fix', () => {
  it('refuses café in Latin-1 with the line, the byte and its offset, and --encoding latin1', async () => {
    const p = file(LATIN1);
    const e = await refusal(p);
    expect(e.code).toBe('CSV_ENCODING');
    // 'city,drink,n\n' is 13 bytes, 'Paris,caf' 9 more: the é is byte 22, on line 2.
    expect(e.message).toBe(
      `${p}:2: byte 0xe9 at offset 22 (after 'Paris,caf') is not UTF-8 text; if the file is Latin-1 or Windows text, read it with --encoding latin1 (or --encoding windows-1252), or save it as UTF-8`,
    );
  });

  it('names windows-1252 first for a byte of 0x80-0x9f (curly quotes, the euro sign)', async () => {
    const p = file(Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0x93]), Buffer.from('hi\n')]));
    const e = await refusal(p);
    expect(e.message).toContain(`${p}:2: byte 0x93 at offset 6`);
    expect(e.message).toContain('read it with --encoding windows-1252 (or --encoding latin1)');
  });

  it('finds a bad byte far into the file, past the first block, on the right line', async () => {
    const rows = Array.from({ length: 30000 }, (_, i) => `r${i},ok,${i}\n`).join('');
    const head = `city,drink,n\n${rows}`;
    const p = file(Buffer.concat([Buffer.from(head), Buffer.from('Nice,th\xe9,9\n', 'latin1')]));
    const e = await refusal(p);
    expect(Buffer.byteLength(head)).toBeGreaterThan(1 << 18);
    expect(e.message).toContain(`${p}:30002: byte 0xe9 at offset ${Buffer.byteLength(head) + 7} (after 'Nice,th')`);
  });

  it('refuses a multi-byte sequence cut by the end of the file', async () => {
    const p = file(Buffer.concat([Buffer.from('a\nx'), Buffer.from([0xc3])]));
    expect((await refusal(p)).message).toContain(`${p}:2: byte 0xc3 at offset 3`);
  });

  it('keeps a character split across chunks whole (a stream of one-byte chunks)', async () => {
    const bytes = Buffer.from('name\ncafé\n€ and 𝄞\n');
    const parts = [...bytes].map((b) => Buffer.from([b]));
    const t = await openText({ stream: Readable.from(parts), name: 'stdin' });
    const out: Buffer[] = [];
    for await (const c of t.chunks()) out.push(c);
    expect(Buffer.concat(out).toString('utf8')).toBe('name\ncafé\n€ and 𝄞\n');
  });

  it('finds the first invalid sequence as the standard does: overlong forms and surrogates too', () => {
    expect(firstInvalidUtf8(Buffer.from('abc'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from('a€𝄞é'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1); // overlong NUL
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xed, 0xa0, 0x80]))).toBe(2); // a surrogate
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // beyond U+10FFFF
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x80]))).toBe(1); // a lone continuation byte
  });
});

describe('--encoding latin1 and windows-1252', () => {
  it('reads Latin-1 byte for byte (byte = code point), as Python and Node’s Buffer do', async () => {
    const p = file(LATIN1);
    expect(await levels(p, 'drink', { encoding: 'latin1' })).toEqual(['café', 'crème']);
    // 0x80-0x9f are the C1 controls in ISO-8859-1, not windows-1252's euro sign and quotes.
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const s = decodeLatin1(all);
    expect([...s].map((c) => c.codePointAt(0))).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });

  it('reads windows-1252’s 0x80-0x9f as the WHATWG table says (Node 20’s TextDecoder does not)', async () => {
    const bytes = Buffer.from([0x80, 0x81, 0x8a, 0x8d, 0x93, 0x94, 0x96, 0x99, 0x9f, 0xe9]);
    expect(decodeWindows1252(bytes)).toBe('€\u0081Š\u008d“”–™Ÿé');
    const p = file(
      Buffer.concat([Buffer.from('price,label\n'), Buffer.from([0x80]), Buffer.from('5,'), bytes, Buffer.from('\n')]),
    );
    expect(await levels(p, 'price', { encoding: 'windows-1252' })).toEqual(['€5']);
    expect(await levels(p, 'label', { encoding: 'windows-1252' })).toEqual(['€\u0081Š\u008d“”–™Ÿé']);
    expect(await levels(p, 'price', { encoding: 'latin1' })).toEqual(['\u00805']);
  });

  it('agrees with Python’s cp1252 on every byte Python defines', () => {
    const py = '/usr/bin/python3';
    if (!existsSync(py)) return;
    const out = execFileSync(py, [
      '-c',
      'import json; print(json.dumps([bytes([b]).decode("cp1252", "replace") for b in range(0x80, 0xa0)]))',
    ]).toString();
    const python = JSON.parse(out) as string[];
    python.forEach((c, k) => {
      if (c === '\ufffd') expect([0x81, 0x8d, 0x8f, 0x90, 0x9d]).toContain(0x80 + k);
      else expect(WINDOWS_1252_HIGH[k]).toBe(c);
    });
  });

  it('takes the usual other names and refuses an unknown one', () => {
    expect(parseEncoding('UTF8')).toBe('utf-8');
    expect(parseEncoding('ISO-8859-1')).toBe('latin1');
    expect(parseEncoding('cp1252')).toBe('windows-1252');
    expect(parseEncoding(undefined)).toBeUndefined();
    expect(() => parseEncoding('ebcdic')).toThrow(
      "--encoding 'ebcdic' is not one we read; choose utf-8, utf-16, latin1 or windows-1252",
    );
  });
});

describe('byte order marks', () => {
  const text = 'ville;boisson\nParis;café\nNice;thé 𝄞\n';

  it('skips a UTF-8 byte order mark (the header name is clean; split keeps it)', async () => {
    const p = file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    const t = await readCsv(p);
    expect(t.names).toEqual(['ville', 'boisson']);
    expect((await CsvSource.open(p)).headerRaw).toBe('\uFEFFville;boisson');
  });

  for (const [label, le] of [
    ['LE', true],
    ['BE', false],
  ] as const) {
    it(`reads UTF-16 ${label} with its byte order mark, with or without --encoding utf-16`, async () => {
      const units = Buffer.from(`\uFEFF${text}`, 'utf16le');
      if (!le) units.swap16();
      const p = file(units);
      expect(await levels(p, 'boisson')).toEqual(['café', 'thé 𝄞']);
      expect(await levels(p, 'boisson', { encoding: 'utf-16' })).toEqual(['café', 'thé 𝄞']);
      expect((await CsvSource.open(p)).format.encoding).toBe(le ? 'utf-16le' : 'utf-16be');
    });
  }

  it('refuses --encoding utf-16 without a byte order mark, and a mark that contradicts --encoding', async () => {
    const p = file(text);
    expect((await refusal(p, { encoding: 'utf-16' })).message).toBe(
      `${p} has no byte order mark, which --encoding utf-16 needs (it tells LE from BE); save the file as UTF-16 with a BOM, or as UTF-8`,
    );
    const q = file(Buffer.from(`\uFEFF${text}`, 'utf16le'));
    expect((await refusal(q, { encoding: 'latin1' })).message).toContain(
      'starts with a UTF-16 byte order mark, but --encoding latin1 was given',
    );
  });

  it('refuses broken UTF-16 (half a surrogate pair) naming the line and offset', async () => {
    const good = Buffer.from('\uFEFFa\nb', 'utf16le');
    const p = file(Buffer.concat([good, Buffer.from([0x00, 0xd8, 0x0a, 0x00])]));
    const e = await refusal(p);
    expect(e.message).toContain(`${p}:2: the UTF-16 text is broken at offset ${good.length} (half a character)`);
  });
});

describe('a file that is not text', () => {
  it('is refused naming the first byte text does not hold, and its offset', async () => {
    const elf = file(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]), 'program');
    const e = await refusal(elf);
    expect(e.code).toBe('CSV_ENCODING');
    expect(e.message).toBe(`${elf}: this is not a text file (byte 0x7f at offset 0); it looks like a program (ELF)`);

    const png = file(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'image.csv');
    expect((await refusal(png)).message).toBe(
      `${png}: this is not a text file (byte 0x1a at offset 6); give a CSV file`,
    );
  });

  it('sees a NUL byte anywhere in the first block, and names a UTF-16 file that lost its mark', async () => {
    const p = file(Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0]), Buffer.from('\n')]));
    expect((await refusal(p)).message).toBe(`${p}: this is not a text file (byte 0x00 at offset 10); give a CSV file`);
    const u = file(Buffer.from('name,value\nx,1\ny,2\n', 'utf16le'));
    expect((await refusal(u)).message).toContain(
      'this is not a text file (byte 0x00 at offset 1); it looks like UTF-16 text without a byte order mark?',
    );
  });

  it('accepts tabs, form feeds and CRLF line ends as text', async () => {
    const p = file('a\tb\r\n1\t\f2\r\n');
    expect((await readCsv(p)).nRows).toBe(1);
  });
});
