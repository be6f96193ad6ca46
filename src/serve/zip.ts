/**
 * Reading one file out of a zip archive, streamed, with Node's zlib only: the central directory
 * (zip64 included) lists the entries, an entry's data is inflated as it is read and checked
 * against its CRC-32 and size at the end. Enough for "a .zip holding one CSV file"; stored and
 * deflated entries, no encryption, no multi-disk archives.
 *
 * Why not yauzl (a dependency, used by the hydraulic recipe)? `automl score` reaches no package
 * (test/serve/imports.test.ts), and it reads the same inputs as the training commands; so both
 * read zips through this module.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { createInflateRaw, crc32 } from 'node:zlib';
import { AutomlError } from '../util/errors.js';

/** One file of an archive, as its central directory describes it. */
export interface ZipEntry {
  /** The path inside the archive (`/`-separated; a folder ends with `/`). */
  readonly name: string;
  readonly method: number;
  readonly encrypted: boolean;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function corrupt(archive: string, what: string): AutomlError {
  return new AutomlError(
    'ARCHIVE_CORRUPT',
    `${archive}: not a readable zip archive (${what}); check the file is complete, or unzip it and give the CSV file`,
  );
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('zip64 value out of range');
  return Number(v);
}

/**
 * The entries of a zip archive, in central-directory order.
 *
 * @example
 * (await listZip('data.zip')).map((e) => e.name); // ['data.csv']
 */
export async function listZip(path: string): Promise<ZipEntry[]> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    // The end-of-central-directory record: 22 bytes, then a comment of up to 65,535 bytes.
    const tailStart = Math.max(0, size - 22 - 65535);
    const tail = await readAt(fh, tailStart, size - tailStart);
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
        at = i;
        break;
      }
    }
    if (at < 0) throw corrupt(path, 'no end of central directory');
    let count = tail.readUInt16LE(at + 10);
    let cdSize = tail.readUInt32LE(at + 12);
    let cdOffset = tail.readUInt32LE(at + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locAt = at - 20;
      if (locAt < 0 || tail.readUInt32LE(locAt) !== ZIP64_LOCATOR) throw corrupt(path, 'no zip64 locator');
      const z = await readAt(fh, u64(tail, locAt + 8), 56);
      if (z.length < 56 || z.readUInt32LE(0) !== ZIP64_EOCD) throw corrupt(path, 'bad zip64 directory');
      count = u64(z, 32);
      cdSize = u64(z, 40);
      cdOffset = u64(z, 48);
    }
    if (cdOffset + cdSize > size) throw corrupt(path, 'the central directory lies beyond the end of the file');
    const cd = await readAt(fh, cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let k = 0; k < count; k++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw corrupt(path, 'bad central directory');
      const flags = cd.readUInt16LE(p + 8);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      let compressedSize = cd.readUInt32LE(p + 20);
      let uncompressed = cd.readUInt32LE(p + 24);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      const nameBytes = cd.subarray(p + 46, p + 46 + nameLen);
      // Bit 11: the name is UTF-8; otherwise it is CP437, read here byte for byte (for messages).
      const name = nameBytes.toString(flags & 0x800 || isUtf8(nameBytes) ? 'utf8' : 'latin1');
      // The zip64 extra field holds the 64-bit values whose 32-bit fields are 0xffffffff.
      const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
      for (let e = 0; e + 4 <= extra.length;) {
        const id = extra.readUInt16LE(e);
        const len = extra.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          const end = e + 4 + len;
          if (uncompressed === 0xffffffff && q + 8 <= end) {
            uncompressed = u64(extra, q);
            q += 8;
          }
          if (compressedSize === 0xffffffff && q + 8 <= end) {
            compressedSize = u64(extra, q);
            q += 8;
          }
          if (localHeaderOffset === 0xffffffff && q + 8 <= end) localHeaderOffset = u64(extra, q);
        }
        e += 4 + len;
      }
      entries.push({
        name,
        method: cd.readUInt16LE(p + 10),
        encrypted: (flags & 1) === 1,
        crc32: cd.readUInt32LE(p + 16),
        compressedSize,
        size: uncompressed,
        localHeaderOffset,
      });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } catch (e) {
    if (e instanceof AutomlError) throw e;
    throw corrupt(path, e instanceof Error ? e.message : String(e));
  } finally {
    await fh.close();
  }
}

/** Folders and the resource forks macOS adds (`__MACOSX/`, `._name`) are not files of the archive. */
export function isZipClutter(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return name.endsWith('/') || base.length === 0 || base.startsWith('._') || name.split('/').includes('__MACOSX');
}

/**
 * Streams an entry's uncompressed bytes; a CRC-32 or size mismatch at the end is an error naming
 * the archive and the entry. `onRawBytes` gets the compressed bytes as they are read (progress).
 */
export async function* readZipEntry(
  path: string,
  entry: ZipEntry,
  onRawBytes?: (chunk: Buffer) => void,
): AsyncGenerator<Buffer> {
  const where = `${path} (${entry.name})`;
  if (entry.encrypted)
    throw new AutomlError('ARCHIVE_UNSUPPORTED', `${where} is encrypted; unzip it and give the CSV file`);
  if (entry.method !== 0 && entry.method !== 8)
    throw new AutomlError(
      'ARCHIVE_UNSUPPORTED',
      `${where} is compressed with zip method ${entry.method}, which cannot be read (only stored and deflate); unzip it and give the CSV file, or zip it again with the default settings`,
    );
  const fh = await open(path, 'r');
  let header: Buffer;
  try {
    header = await readAt(fh, entry.localHeaderOffset, 30);
  } finally {
    await fh.close();
  }
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) throw corrupt(path, `bad local header of ${entry.name}`);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (entry.compressedSize === 0) {
    if (entry.size !== 0) throw corrupt(path, `${entry.name} has no data`);
    return;
  }
  const raw = createReadStream(path, { start, end: start + entry.compressedSize - 1, highWaterMark: 1 << 20 });
  if (onRawBytes) raw.on('data', (c) => onRawBytes(c as Buffer));
  let body: AsyncIterable<Buffer> = raw;
  let inflate: ReturnType<typeof createInflateRaw> | undefined;
  if (entry.method === 8) {
    inflate = createInflateRaw({ chunkSize: 1 << 16 });
    raw.on('error', (e) => inflate!.destroy(e));
    raw.pipe(inflate);
    body = inflate;
  }
  let crc = 0;
  let size = 0;
  try {
    for await (const chunk of body) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      yield chunk;
    }
  } catch (e) {
    if (e instanceof AutomlError) throw e;
    throw corrupt(path, `${entry.name}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    raw.destroy();
    inflate?.destroy();
  }
  if (size !== entry.size || crc >>> 0 !== entry.crc32 >>> 0)
    throw corrupt(path, `${entry.name} fails its CRC-32 or size check`);
}
