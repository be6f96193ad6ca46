import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import yazl from 'yazl';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsv, type ReadCsvOptions } from '../../src/data/csv.js';
import { cellText } from '../../src/data/table.js';
import { openText } from '../../src/serve/decode.js';
import { listZip } from '../../src/serve/zip.js';
import { refusal } from './csv-refusal.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-gz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** A zip made by yazl: each entry's name and text, options per entry. */
async function zip(
  name: string,
  entries: [string, Buffer | string][],
  opts: { compress?: boolean; forceZip64Format?: boolean } = {},
): Promise<string> {
  const z = new yazl.ZipFile();
  for (const [n, body] of entries) z.addBuffer(Buffer.from(body), n, opts);
  z.end();
  const parts: Buffer[] = [];
  for await (const c of z.outputStream as AsyncIterable<Buffer>) parts.push(c);
  return file(name, Buffer.concat(parts));
}

const sha256 = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

/** 3,000 rows: more than one block of the text. */
const CSV =
  'id,temp,city\n' +
  Array.from({ length: 3000 }, (_, i) => `${i},${(i * 0.25).toFixed(2)},${['Köln', 'Paris', 'Zürich'][i % 3]}`).join(
    '\n',
  ) +
  '\n';

async function same(path: string, opts: ReadCsvOptions = {}): Promise<void> {
  const plain = await readCsv(file('plain.csv', CSV));
  const t = await readCsv(path, opts);
  expect(t.names).toEqual(plain.names);
  expect(t.nRows).toBe(3000);
  expect(t.numeric('temp').values).toEqual(plain.numeric('temp').values);
  expect(cellText(t.column('city'), 4)).toBe('Paris');
  expect(t.source!.sha256).toBe(sha256(path));
}

describe('gzip', () => {
  it('reads data.csv.gz streamed through zlib; the checksum is of the file as stored', async () => {
    await same(file('data.csv.gz', gzipSync(CSV)));
  });

  it('tells gzip by its first bytes (1f 8b), not the name', async () => {
    const p = file('misnamed.csv', gzipSync(CSV));
    await same(p);
    const t = await openText(p);
    await t.close();
    expect(t.compression).toBe('gzip');
  });

  it('decodes after decompressing: Latin-1 in a gzip, refused with an offset of the uncompressed data', async () => {
    const bytes = Buffer.from('name,drink\nA,caf\xe9\n', 'latin1');
    const p = file('latin.csv.gz', gzipSync(bytes));
    const e = await refusal(p);
    expect(e.message).toContain(`${p}:2: byte 0xe9 at offset 16 of the uncompressed data (after 'A,caf')`);
    const t = await readCsv(p, { encoding: 'latin1' });
    expect(cellText(t.column('drink'), 0)).toBe('café');
  });

  it('refuses a binary file inside a gzip, and a damaged or cut gzip', async () => {
    const bin = file('bin.gz', gzipSync(Buffer.from([0x00, 0x01, 0x02])));
    expect((await refusal(bin)).message).toBe(
      `${bin}: this is not a text file (byte 0x00 at offset 0 of the uncompressed data); give a CSV file`,
    );
    const whole = gzipSync(CSV);
    const cut = file('cut.csv.gz', whole.subarray(0, whole.length - 20));
    const e = await refusal(cut);
    expect(e.code).toBe('ARCHIVE_CORRUPT');
    expect(e.message).toContain(`${cut}: the gzip data is damaged or cut short (unexpected end of file)`);
  });

  it('names compressions it does not read', async () => {
    const xz = file('data.csv.xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04]));
    expect((await refusal(xz)).message).toBe(
      `${xz} is compressed with xz, which we do not read; decompress it (unxz) or compress it with gzip`,
    );
    // A header that merely begins with 'BZh' is text.
    const t = await readCsv(file('bzh.csv', 'BZh,x\n1,2\n'));
    expect(t.names).toEqual(['BZh', 'x']);
  });
});

describe('zip', () => {
  it('reads the one CSV of a zip (deflated, stored, zip64), and its checksum is of the zip file', async () => {
    await same(await zip('one.zip', [['data.csv', CSV]]));
    await same(await zip('stored.zip', [['data.csv', CSV]], { compress: false }));
    await same(await zip('zip64.zip', [['data.csv', CSV]], { forceZip64Format: true }));
  });

  it('picks the CSV beside a README, leaving out macOS clutter and folders', async () => {
    const p = await zip('mixed.zip', [
      ['export/README.md', '# notes\n'],
      ['export/data.csv', CSV],
      ['__MACOSX/export/._data.csv', Buffer.from([0, 5, 22, 7, 0, 2])],
    ]);
    await same(p);
    const t = await openText(p);
    await t.close();
    expect([t.compression, t.entry, t.name]).toEqual(['zip', 'export/data.csv', `${p} (export/data.csv)`]);
  });

  it('names the entry in messages about its content', async () => {
    const p = await zip('latin.zip', [['data.csv', Buffer.from('a\ncaf\xe9\n', 'latin1')]]);
    expect((await refusal(p)).message).toContain(`${p} (data.csv):2: byte 0xe9 at offset 5 of the uncompressed data`);
  });

  it('refuses a zip without a CSV, or with several, listing what it holds', async () => {
    const none = await zip('none.zip', [
      ['a.png', Buffer.from([1, 2])],
      ['b.json', '{}'],
    ]);
    const e = await refusal(none);
    expect(e.code).toBe('ARCHIVE_EMPTY');
    expect(e.message).toBe(
      `${none}: the zip archive holds no CSV file (.csv, .tsv, .txt), only a.png, b.json; give a zip holding one CSV file`,
    );
    const two = await zip('two.zip', [
      ['train.csv', CSV],
      ['test.csv', CSV],
    ]);
    const f = await refusal(two);
    expect(f.code).toBe('ARCHIVE_AMBIGUOUS');
    expect(f.message).toBe(
      `${two}: the zip archive holds 2 CSV files (train.csv, test.csv); unzip it and give one of them`,
    );
    const empty = await zip('empty.zip', []);
    expect((await refusal(empty)).message).toBe(`${empty}: the zip archive holds no file; it should hold one CSV file`);
  });

  it('says an .xlsx is an Excel workbook', async () => {
    const p = await zip('book.xlsx', [
      ['[Content_Types].xml', '<x/>'],
      ['xl/workbook.xml', '<x/>'],
      ['xl/worksheets/sheet1.xml', '<x/>'],
    ]);
    expect((await refusal(p)).message).toBe(
      `${p} is an Excel workbook (.xlsx), not a CSV file; save it from Excel as "CSV UTF-8"`,
    );
  });

  it('checks the CRC-32: a damaged entry is refused naming the archive', async () => {
    const p = await zip('bad.zip', [['data.csv', CSV]], { compress: false });
    const bytes = readFileSync(p);
    const at = bytes.indexOf('Paris');
    bytes.write('Pbris', at, 'latin1');
    writeFileSync(p, bytes);
    expect((await listZip(p))[0]!.name).toBe('data.csv');
    const e = await refusal(p);
    expect(e.code).toBe('ARCHIVE_CORRUPT');
    expect(e.message).toContain(`${p}: not a readable zip archive (data.csv fails its CRC-32 or size check)`);
  });

  it('refuses a truncated zip', async () => {
    const p = await zip('cut.zip', [['data.csv', CSV]]);
    const bytes = readFileSync(p);
    writeFileSync(p, bytes.subarray(0, bytes.length - 30));
    expect((await refusal(p)).message).toContain(`${p}: not a readable zip archive (no end of central directory)`);
  });
});
