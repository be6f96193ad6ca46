/**
 * Reading a zip archive as streams (yauzl): list its files, find them by base name wherever
 * they sit, and hand an entry's text to a callback one line at a time (split at '\n' as the
 * chunks arrive), checking its CRC-32. Only the current chunk and line are held in memory,
 * whatever the archive's size.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { errorText } from '../../src/util/errors.js';
import {
  archiveCorrupt,
  entryUnreadable,
  fileAmbiguous,
  filesMissing,
  lineTooLong,
  type ArchiveLabel,
} from './messages.js';

/** An open archive and its files (folders, `__MACOSX/` and `._*` resource forks left out). */
export interface ZipArchive {
  readonly label: ArchiveLabel;
  readonly zip: ZipFile;
  readonly files: readonly Entry[];
}

/**
 * The part of a zip entry's path after the last slash.
 *
 * @example
 * baseName('data/PS1.txt'); // 'PS1.txt'
 */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function isIgnored(path: string): boolean {
  const base = baseName(path);
  return path.endsWith('/') || base.length === 0 || base.startsWith('._') || path.split('/').includes('__MACOSX');
}

/**
 * Opens a zip file and reads its central directory. A file that is not a complete zip archive
 * is an AutomlError saying so (with `--refresh` advice for a download). Close it with `zip.close()`.
 *
 * @example
 * const a = await openArchive('data.zip', { name: 'data.zip' });
 * try { console.log(a.files.map((e) => e.fileName)); } finally { a.zip.close(); }
 */
export async function openArchive(path: string, label: ArchiveLabel): Promise<ZipArchive> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch (e) {
    throw archiveCorrupt(label, errorText(e));
  }
  const files: Entry[] = [];
  try {
    for await (const entry of zip.eachEntry()) if (!isIgnored(entry.fileName)) files.push(entry);
  } catch (e) {
    zip.close();
    throw archiveCorrupt(label, errorText(e));
  }
  return { label, zip, files };
}

/**
 * Finds each wanted file by base name in any folder of the archive. Names none is missing: the
 * error lists the missing ones and what the archive holds; a name found twice is an error too.
 *
 * @example
 * const [ps1, profile] = locateFiles(a, ['PS1.txt', 'profile.txt']);
 */
export function locateFiles(archive: ZipArchive, wanted: readonly string[]): Entry[] {
  const byBase = new Map<string, Entry[]>();
  for (const e of archive.files) {
    const list = byBase.get(baseName(e.fileName)) ?? [];
    list.push(e);
    byBase.set(baseName(e.fileName), list);
  }
  const missing = wanted.filter((w) => !byBase.has(w));
  if (missing.length > 0) {
    const found = [...byBase.keys()].sort();
    throw filesMissing(archive.label, missing, found);
  }
  return wanted.map((w) => {
    const list = byBase.get(w)!;
    if (list.length > 1)
      throw fileAmbiguous(
        archive.label,
        w,
        list.map((e) => e.fileName),
      );
    const entry = list[0]!;
    if (entry.isEncrypted()) throw entryUnreadable(archive.label, entry.fileName, 'is encrypted');
    if (!entry.canDecodeFileData()) {
      throw entryUnreadable(
        archive.label,
        entry.fileName,
        `uses compression method ${entry.compressionMethod}, which cannot be read`,
      );
    }
    return entry;
  });
}

/** Longer lines are refused, so that a file without line breaks cannot fill the memory. */
const MAX_LINE = 1 << 20;

/**
 * Streams an entry's text to `onLine`, one line at a time (line numbers from 1, without the
 * line ending). `onLine` may throw to refuse the content; no more lines are passed on, and that
 * error is rethrown once the entry's CRC-32 has been checked. Corrupt data, a wrong size or a
 * CRC-32 mismatch is an AutomlError naming the archive and the entry.
 * `onBytes` gets the uncompressed bytes of each chunk, for progress.
 *
 * @example
 * let n = 0;
 * await readLines(a, entry, () => void n++);
 */
export async function readLines(
  archive: ZipArchive,
  entry: Entry,
  onLine: (line: string, lineNo: number) => void,
  onBytes?: (bytes: number) => void,
): Promise<void> {
  let input: Readable;
  try {
    input = await archive.zip.openReadStreamPromise(entry);
  } catch (e) {
    throw archiveCorrupt(archive.label, `${entry.fileName}: ${errorText(e)}`);
  }
  let crc = 0;
  let failure: unknown;
  let lineNo = 0;
  const emit = (line: string): void => {
    lineNo++;
    try {
      onLine(line.endsWith('\r') ? line.slice(0, -1) : line, lineNo);
    } catch (e) {
      failure = e;
    }
  };
  // The chunks are read with an async iterator rather than 'data' events: each chunk is then
  // parsed in a later microtask, after zlib has started inflating the next one on its thread,
  // so inflating and parsing overlap (with 'data' events the main thread waits for zlib).
  const decoder = new StringDecoder('utf8');
  let partial = '';
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      crc = crc32(chunk, crc);
      onBytes?.(chunk.length);
      // After a failure the rest of the entry is still read, not parsed: if its CRC-32 does
      // not match, the fault is damage to the archive, not the content, and that is reported.
      if (failure !== undefined) continue;
      const text = partial + decoder.write(chunk);
      let start = 0;
      for (
        let nl = text.indexOf('\n', partial.length);
        nl >= 0 && failure === undefined;
        nl = text.indexOf('\n', start)
      ) {
        emit(text.slice(start, nl));
        start = nl + 1;
      }
      partial = start === 0 ? text : text.slice(start);
      if (partial.length > MAX_LINE) failure = lineTooLong(archive.label, entry.fileName, lineNo + 1, MAX_LINE);
    }
  } catch (e) {
    throw archiveCorrupt(archive.label, `${entry.fileName}: ${errorText(e)}`);
  }
  partial += decoder.end();
  if (failure === undefined && partial.length > 0) emit(partial);
  if (crc >>> 0 !== entry.crc32 >>> 0) {
    throw archiveCorrupt(archive.label, `${entry.fileName} fails its CRC-32 check`);
  }
  if (failure !== undefined) throw failure;
}
