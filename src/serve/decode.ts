/**
 * Opening a data file as UTF-8 text, however it was saved: every command that reads a CSV file
 * (`automl run`, `describe`, `split`, `score`) reads it through here, so each takes the same
 * files and refuses the same ones with the same messages.
 *
 *   bytes ─► gzip (1f 8b)? gunzip ─► not text? refuse ─► encoding ─► UTF-8 bytes ─► CSV reader
 *         └► zip (PK)? its one CSV file ┘                  utf-8: checked, BOM skipped
 *                                                          utf-16 (BOM), latin1, windows-1252: converted
 *
 * Compression is told by the first bytes, not the file's name. Streams: memory holds a block,
 * whatever the file's size. Used by `automl score` (src/cli/score.ts) and the training side's
 * reader (src/data/csv.ts); it imports only Node's built-ins and the error type.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAscii, isUtf8 } from 'node:buffer';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { AutomlError } from '../util/errors.js';
import { isZipClutter, listZip, readZipEntry, type ZipEntry } from './zip.js';

/** The encodings `--encoding` names (utf-16 needs a byte order mark, which tells LE from BE). */
export const ENCODINGS = ['utf-8', 'utf-16', 'latin1', 'windows-1252'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** What a file turned out to be written in. */
export type ResolvedEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1' | 'windows-1252';

const ALIASES: Readonly<Record<string, Encoding>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-16': 'utf-16',
  utf16: 'utf-16',
  latin1: 'latin1',
  'latin-1': 'latin1',
  'iso-8859-1': 'latin1',
  iso88591: 'latin1',
  'iso8859-1': 'latin1',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'cp-1252': 'windows-1252',
  windows1252: 'windows-1252',
};

/**
 * `--encoding`'s value: one of ENCODINGS, or a common other name for one (utf8, iso-8859-1, cp1252).
 *
 * @example
 * parseEncoding('ISO-8859-1'); // 'latin1'
 */
export function parseEncoding(name: string | undefined): Encoding | undefined {
  if (name === undefined) return undefined;
  const e = ALIASES[name.trim().toLowerCase()];
  if (!e)
    throw new AutomlError(
      'BAD_OPTION',
      `--encoding '${name}' is not one we read; choose ${ENCODINGS.slice(0, -1).join(', ')} or ${ENCODINGS.at(-1)!}`,
    );
  return e;
}

/**
 * windows-1252's characters for bytes 0x80–0x9F (the rest is ISO-8859-1), as the WHATWG Encoding
 * Standard defines them: the five bytes Microsoft left unassigned (81 8D 8F 90 9D) map to the C1
 * control of the same number. Written out here because Node 20's TextDecoder('windows-1252')
 * decodes these bytes as Latin-1 (0x80 as U+0080, not €).
 */
export const WINDOWS_1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Bytes as ISO-8859-1 (byte = code point, as Node's Buffer and Python read 'latin1'). */
export function decodeLatin1(buf: Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
}

/** Bytes as windows-1252. */
export function decodeWindows1252(buf: Uint8Array): string {
  return decodeLatin1(buf).replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

/** A data file opened as text. */
export interface TextInput {
  /** The file as messages name it: its path, or `archive.zip (data.csv)` for a zip's entry. */
  readonly name: string;
  readonly compression: 'gzip' | 'zip' | null;
  /** The zip entry read, or null. */
  readonly entry: string | null;
  readonly encoding: ResolvedEncoding;
  /** Whether the text started with a byte order mark (skipped). */
  readonly bom: boolean;
  /** The text's first block (up to 64 KiB) as UTF-8, without the byte order mark. */
  readonly head: Buffer;
  /** The whole text as UTF-8 chunks, without the byte order mark; read once. */
  chunks(): AsyncGenerator<Buffer>;
  /** Releases the file when `chunks()` is not read to its end. */
  close(): Promise<void>;
}

export interface OpenTextOptions {
  /** The encoding the user gave (default: UTF-8, or what a byte order mark says). */
  encoding?: Encoding | undefined;
  /** The file's bytes as they are read (compressed, if it is): for a checksum or progress. */
  onRawBytes?: (chunk: Buffer) => void;
}

/** A block of the text: what is sniffed for the byte order mark, binary content and the delimiter. */
export const HEAD_BYTES = 1 << 16;

/** Holds the first chunks of a stream so that they can be looked at, then hands them on. */
class Peek {
  private buffered: Buffer[] = [];
  private size = 0;
  private ended = false;

  constructor(private readonly it: AsyncIterator<Buffer | string>) {}

  /** At least `n` bytes from the start (fewer at the end of the stream). */
  async fill(n: number): Promise<Buffer> {
    while (this.size < n && !this.ended) {
      const r = await this.it.next();
      if (r.done) this.ended = true;
      else {
        const b = typeof r.value === 'string' ? Buffer.from(r.value, 'utf8') : r.value;
        if (b.length === 0) continue;
        this.buffered.push(b);
        this.size += b.length;
      }
    }
    return this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
  }

  /** The whole stream from the start: the buffered chunks, then the rest. */
  async *rest(skip = 0): AsyncGenerator<Buffer> {
    try {
      const held = this.buffered;
      this.buffered = [];
      for (let b of held) {
        if (skip > 0) {
          const k = Math.min(skip, b.length);
          skip -= k;
          b = b.subarray(k);
        }
        if (b.length > 0) yield b;
      }
      while (!this.ended) {
        const r = await this.it.next();
        if (r.done) break;
        let b = typeof r.value === 'string' ? Buffer.from(r.value, 'utf8') : r.value;
        if (skip > 0) {
          const k = Math.min(skip, b.length);
          skip -= k;
          b = b.subarray(k);
        }
        if (b.length > 0) yield b;
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    this.ended = true;
    await this.it.return?.();
  }
}

async function* tap(it: AsyncIterable<Buffer>, f: (b: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const b of it) {
    f(b);
    yield b;
  }
}

const startsWith = (buf: Buffer, bytes: readonly number[]): boolean =>
  buf.length >= bytes.length && bytes.every((b, i) => buf[i] === b);

/** Compressed formats we do not read, told by their first bytes. */
const OTHER_COMPRESSION: readonly { name: string; magic: readonly number[]; tool: string }[] = [
  { name: 'bzip2', magic: [0x42, 0x5a, 0x68], tool: 'bunzip2' },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], tool: 'unxz' },
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd], tool: 'unzstd' },
  { name: '7-Zip', magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], tool: '7z x' },
];

function otherCompression(buf: Buffer): (typeof OTHER_COMPRESSION)[number] | undefined {
  return OTHER_COMPRESSION.find((c) => {
    if (!startsWith(buf, c.magic)) return false;
    // 'BZh' could begin a header line: bzip2 has a block size digit and a block or end magic next.
    if (c.name !== 'bzip2') return true;
    return buf.length >= 10 && buf[3]! >= 0x31 && buf[3]! <= 0x39 && (buf[4] === 0x31 || buf[4] === 0x17);
  });
}

/** Kinds of non-text files worth naming in the refusal. */
function binaryKind(head: Buffer): string | undefined {
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))
    return 'an Excel 97-2003 workbook or another Office file: save it as CSV';
  if (startsWith(head, [0x50, 0x41, 0x52, 0x31])) return 'a Parquet file: export it as CSV';
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46])) return 'a PDF document';
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return 'a program (ELF)';
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar')
    return 'a tar archive: extract the CSV file from it first';
  // Text saved as UTF-16 without a byte order mark: every other byte is 0.
  const n = Math.min(head.length, 512) & ~1;
  if (n >= 4) {
    let even = 0;
    let odd = 0;
    for (let i = 0; i < n; i += 2) {
      if (head[i] === 0) even++;
      if (head[i + 1] === 0) odd++;
    }
    if (odd > 0.9 * (n / 2) || even > 0.9 * (n / 2))
      return 'UTF-16 text without a byte order mark? save it as UTF-8, or as UTF-16 with one';
  }
  return undefined;
}

/** The first byte that text does not hold: a control character other than tab, line ends, form feed. */
export function firstControlByte(buf: Uint8Array): number {
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b < 0x20 ? b !== 9 && b !== 10 && b !== 11 && b !== 12 && b !== 13 : b === 0x7f) return i;
  }
  return -1;
}

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/**
 * Where the first invalid UTF-8 sequence of `buf` starts, or -1 (overlong forms, surrogates and
 * code points beyond U+10FFFF are invalid; a sequence cut by the end of `buf` is too).
 */
export function firstInvalidUtf8(buf: Uint8Array): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < lo || c > hi : (c & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Where a UTF-8 sequence left unfinished at the end of `buf` starts (`buf.length` when none is). */
function unfinishedTail(buf: Uint8Array): number {
  const n = buf.length;
  for (let i = n - 1; i >= Math.max(0, n - 4); i--) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    if (b < 0xc0) return n;
    const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return n - i < len ? i : n;
  }
  return n;
}

function countLf(buf: Uint8Array): number {
  let k = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) k++;
  return k;
}

/** How messages say where a byte is: the offset, and for compressed data, of what. */
interface Place {
  name: string;
  compressed: boolean;
}

const offsetText = (place: Place, offset: number): string =>
  `offset ${offset}${place.compressed ? ' of the uncompressed data' : ''}`;

function notUtf8(place: Place, buf: Buffer, at: number, offset: number, lines: number): AutomlError {
  const lineStart = buf.lastIndexOf(10, at - 1) + 1;
  const line = lines + countLf(buf.subarray(0, at)) + 1;
  const before = buf.toString('utf8', Math.max(lineStart, at - 60), at).slice(-20);
  const b = buf[at]!;
  const fix =
    b >= 0x80 && b <= 0x9f
      ? '--encoding windows-1252 (or --encoding latin1)'
      : '--encoding latin1 (or --encoding windows-1252)';
  return new AutomlError(
    'CSV_ENCODING',
    `${place.name}:${line}: byte ${hex(b)} at ${offsetText(place, offset + at)}${before ? ` (after '${before}')` : ''} is not UTF-8 text; if the file is Latin-1 or Windows text, read it with ${fix}, or save it as UTF-8`,
  );
}

/** UTF-8 chunks passed on as they are, once checked. `offset`: bytes before the first (a BOM). */
async function* checkedUtf8(chunks: AsyncIterable<Buffer>, place: Place, offset: number): AsyncGenerator<Buffer> {
  let carry: Buffer | null = null;
  let lines = 0;
  for await (const chunk of chunks) {
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    const cut = unfinishedTail(buf);
    const body = cut === buf.length ? buf : buf.subarray(0, cut);
    if (!isUtf8(body)) throw notUtf8(place, body, firstInvalidUtf8(body), offset, lines);
    if (cut < buf.length) carry = Buffer.from(buf.subarray(cut));
    lines += countLf(body);
    offset += body.length;
    if (body.length > 0) yield body;
  }
  if (carry) throw notUtf8(place, carry, 0, offset, lines);
}

/** One-byte encodings to UTF-8 (ASCII chunks pass as they are). */
async function* fromSingleByte(chunks: AsyncIterable<Buffer>, decode: (b: Buffer) => string): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) yield isAscii(chunk) ? chunk : Buffer.from(decode(chunk), 'utf8');
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** UTF-16 (after its BOM) to UTF-8; an unpaired surrogate is refused naming its line and offset. */
async function* fromUtf16(chunks: AsyncIterable<Buffer>, le: boolean, place: Place): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  let offset = 2; // the byte order mark
  let lines = 0;
  const fail = (s: string, index: number, at: number): AutomlError =>
    new AutomlError(
      'CSV_ENCODING',
      `${place.name}:${lines + (s.slice(0, index).match(/\n/g)?.length ?? 0) + 1}: the UTF-16 text is broken at ${offsetText(place, at)} (half a character); save the file again as UTF-16 or UTF-8`,
    );
  for await (const chunk of chunks) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const even = buf.length & ~1;
    const units = Buffer.from(buf.subarray(0, even));
    if (!le) units.swap16();
    let s = units.toString('utf16le');
    let used = even;
    const last = s.charCodeAt(s.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      s = s.slice(0, -1); // its pair may be in the next chunk
      used -= 2;
    }
    const bad = LONE_SURROGATE.exec(s);
    if (bad) throw fail(s, bad.index, offset + 2 * bad.index);
    carry = Buffer.from(buf.subarray(used));
    lines += s.match(/\n/g)?.length ?? 0;
    offset += used;
    if (s.length > 0) yield Buffer.from(s, 'utf8');
  }
  if (carry.length > 0) throw fail('', 0, offset);
}

/** gunzip, with zlib's errors said as a damaged file. */
async function* gunzip(chunks: AsyncIterable<Buffer>, name: string): AsyncGenerator<Buffer> {
  const gz = createGunzip({ chunkSize: 1 << 16 });
  const src = Readable.from(chunks, { objectMode: false });
  pipeline(src, gz, () => undefined);
  try {
    for await (const b of gz as AsyncIterable<Buffer>) yield b;
  } catch (e) {
    if (e instanceof AutomlError) throw e;
    const code = (e as { code?: string }).code ?? '';
    if (!code.startsWith('Z_')) throw e;
    throw new AutomlError(
      'ARCHIVE_CORRUPT',
      `${name}: the gzip data is damaged or cut short (${(e as Error).message}); check the file is complete (gzip -t ${name})`,
    );
  } finally {
    gz.destroy();
    src.destroy();
  }
}

const TEXT_NAME = /\.(csv|tsv|txt|tab|dat)$/i;

/** The one CSV file of a zip archive, or an error listing what it holds. */
function pickEntry(path: string, entries: readonly ZipEntry[]): ZipEntry {
  const files = entries.filter((e) => !isZipClutter(e.name));
  const names = files.map((e) => e.name);
  if (names.includes('xl/workbook.xml'))
    throw new AutomlError(
      'CSV_ENCODING',
      `${path} is an Excel workbook (.xlsx), not a CSV file; save it from Excel as "CSV UTF-8"`,
    );
  if (files.length === 1) return files[0]!;
  const csv = files.filter((e) => TEXT_NAME.test(e.name));
  if (csv.length === 1) return csv[0]!;
  const list = (xs: readonly string[]): string =>
    xs.length > 8 ? `${xs.slice(0, 8).join(', ')} and ${xs.length - 8} more` : xs.join(', ');
  if (files.length === 0)
    throw new AutomlError('ARCHIVE_EMPTY', `${path}: the zip archive holds no file; it should hold one CSV file`);
  if (csv.length === 0)
    throw new AutomlError(
      'ARCHIVE_EMPTY',
      `${path}: the zip archive holds no CSV file (.csv, .tsv, .txt), only ${list(names)}; give a zip holding one CSV file`,
    );
  throw new AutomlError(
    'ARCHIVE_AMBIGUOUS',
    `${path}: the zip archive holds ${csv.length} CSV files (${list(csv.map((e) => e.name))}); unzip it and give one of them`,
  );
}

/**
 * Opens a data file (a path, or a stream such as standard input) as UTF-8 text: gzip and zip are
 * told by their first bytes and decompressed as they stream; a file that is not text is refused
 * naming the first byte text does not hold; the encoding is the one given, or UTF-8, or UTF-16
 * when a byte order mark says so; UTF-8 is checked, the others converted. Every refusal is an
 * AutomlError naming the file, the line and the byte offset, and the fix.
 *
 * @example
 * const t = await openText('data.csv.gz', { encoding: 'latin1' });
 * for await (const chunk of t.chunks()) process.stdout.write(chunk);
 */
export async function openText(
  source: string | { stream: AsyncIterable<Buffer | string>; name: string },
  opts: OpenTextOptions = {},
): Promise<TextInput> {
  const path = typeof source === 'string' ? source : null;
  const name = typeof source === 'string' ? source : source.name;
  let rawStream: AsyncIterable<Buffer>;
  if (path !== null) {
    try {
      const st = await stat(path);
      if (st.isDirectory()) throw new AutomlError('NOT_A_FILE', `${path} is a folder; give a CSV file`);
    } catch (e) {
      if (e instanceof AutomlError) throw e;
      const code = (e as { code?: string }).code;
      if (code === 'ENOENT') throw new AutomlError('FILE_NOT_FOUND', `${path}: no such file`);
      throw new AutomlError('FILE_UNREADABLE', `${path}: cannot read the file: ${(e as Error).message}`);
    }
    rawStream = createReadStream(path, { highWaterMark: 1 << 20 });
  } else rawStream = (source as { stream: AsyncIterable<Buffer> }).stream;
  const onRaw = opts.onRawBytes;
  const raw = new Peek((onRaw ? tap(rawStream, onRaw) : rawStream)[Symbol.asyncIterator]());
  let magic: Buffer;
  try {
    magic = await raw.fill(16);
  } catch (e) {
    await raw.close();
    throw new AutomlError('FILE_UNREADABLE', `${name}: cannot read the file: ${(e as Error).message}`);
  }

  let compression: TextInput['compression'] = null;
  let entry: string | null = null;
  let shown = name;
  let data: AsyncIterable<Buffer>;
  if (startsWith(magic, [0x1f, 0x8b])) {
    compression = 'gzip';
    data = gunzip(raw.rest(), name);
  } else if (startsWith(magic, [0x50, 0x4b, 0x03, 0x04]) || startsWith(magic, [0x50, 0x4b, 0x05, 0x06])) {
    await raw.close();
    if (path === null)
      throw new AutomlError(
        'ARCHIVE_UNSUPPORTED',
        `${name} is a zip archive, which cannot be read from a stream; give its path, or unzip it first`,
      );
    const picked = pickEntry(path, await listZip(path));
    compression = 'zip';
    entry = picked.name;
    shown = `${path} (${picked.name})`;
    data = readZipEntry(path, picked, onRaw);
  } else {
    const other = otherCompression(magic);
    if (other) {
      await raw.close();
      throw new AutomlError(
        'ARCHIVE_UNSUPPORTED',
        `${name} is compressed with ${other.name}, which we do not read; decompress it (${other.tool}) or compress it with gzip`,
      );
    }
    data = raw.rest();
  }

  const place: Place = { name: shown, compressed: compression !== null };
  const text = new Peek(data[Symbol.asyncIterator]());
  let head: Buffer;
  try {
    head = await text.fill(HEAD_BYTES);
  } catch (e) {
    await text.close();
    throw e;
  }
  const given = opts.encoding;
  const conflict = (bom: string): AutomlError =>
    new AutomlError(
      'CSV_ENCODING',
      `${shown} starts with a ${bom} byte order mark, but --encoding ${given} was given; leave out --encoding (the mark says how the file is written)`,
    );
  let encoding: ResolvedEncoding;
  let bom = 0;
  if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) {
    encoding = head[0] === 0xff ? 'utf-16le' : 'utf-16be';
    if (given !== undefined && given !== 'utf-16') {
      await text.close();
      throw conflict('UTF-16');
    }
    bom = 2;
  } else {
    if (given === 'utf-16') {
      await text.close();
      throw new AutomlError(
        'CSV_ENCODING',
        `${shown} has no byte order mark, which --encoding utf-16 needs (it tells LE from BE); save the file as UTF-16 with a BOM, or as UTF-8`,
      );
    }
    if (startsWith(head, [0xef, 0xbb, 0xbf])) {
      if (given !== undefined && given !== 'utf-8') {
        await text.close();
        throw conflict('UTF-8');
      }
      bom = 3;
    }
    encoding = given ?? 'utf-8';
    const at = firstControlByte(head);
    if (at >= 0) {
      await text.close();
      const kind = binaryKind(head);
      throw new AutomlError(
        'CSV_ENCODING',
        `${shown}: this is not a text file (byte ${hex(head[at]!)} at ${offsetText(place, at)})${kind ? `; it looks like ${kind}` : '; give a CSV file'}`,
      );
    }
  }

  let out: AsyncIterable<Buffer>;
  let headText: Buffer;
  const body = head.subarray(bom);
  switch (encoding) {
    case 'utf-8':
      out = checkedUtf8(text.rest(bom), place, bom);
      headText = body;
      break;
    case 'latin1':
      out = fromSingleByte(text.rest(), decodeLatin1);
      headText = Buffer.from(decodeLatin1(body), 'utf8');
      break;
    case 'windows-1252':
      out = fromSingleByte(text.rest(), decodeWindows1252);
      headText = Buffer.from(decodeWindows1252(body), 'utf8');
      break;
    default: {
      const le = encoding === 'utf-16le';
      out = fromUtf16(text.rest(2), le, place);
      const units = Buffer.from(body.subarray(0, body.length & ~1));
      if (!le) units.swap16();
      headText = Buffer.from(units.toString('utf16le'), 'utf8');
    }
  }
  let started = false;
  return {
    name: shown,
    compression,
    entry,
    encoding,
    bom: bom > 0,
    head: headText,
    chunks: () => {
      if (started) throw new Error('TextInput.chunks() can be read once');
      started = true;
      return (async function* () {
        yield* out;
      })();
    },
    close: async () => {
      if (!started) await text.close();
    },
  };
}
