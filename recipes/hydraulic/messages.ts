/**
 * Every message the hydraulic recipe gives a user, in one place (the tests assert on them).
 * Each says what is wrong, where (archive, file, line, sample), and what to do.
 */
import { AutomlError } from '../../src/util/errors.js';

/** Where an archive came from, for naming it in messages and choosing the advice. */
export interface ArchiveLabel {
  /** The URL, or the local file as the user wrote it. */
  readonly name: string;
  /** The cached download's path, when the archive was downloaded. */
  readonly cachedAt?: string;
}

const SOURCE_HINT = 'download the archive by other means and pass the local copy with --source FILE';

function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Every URL failed; lists each with its reason, suggests --source FILE, and points at a kept cached copy.
 *
 * @example
 * downloadFailed([{ url: 'https://x/data.zip', reason: 'HTTP 404 Not Found' }], undefined).message;
 * // 'could not download the archive:\n  https://x/data.zip: HTTP 404 Not Found\nCheck the network …'
 */
export function downloadFailed(
  failures: readonly { url: string; reason: string }[],
  cachedCopy: string | undefined,
): AutomlError {
  const lines = failures.map((f) => `  ${f.url}: ${f.reason}`).join('\n');
  const kept = cachedCopy
    ? `\nThe copy downloaded earlier is still in the cache (${cachedCopy}); run without --refresh to use it.`
    : '';
  return new AutomlError(
    'DOWNLOAD_FAILED',
    `could not download the archive:\n${lines}\nCheck the network connection and the URL, or ${SOURCE_HINT}.${kept}`,
  );
}

/**
 * The download cache cannot be written.
 *
 * @example
 * cacheUnwritable('/ro/.cache/automl/downloads', 'EACCES: permission denied');
 */
export function cacheUnwritable(dir: string, detail: string): AutomlError {
  return new AutomlError(
    'CACHE_UNWRITABLE',
    `cannot write the download cache ${dir}: ${detail}; point XDG_CACHE_HOME at a writable folder, or ${SOURCE_HINT}`,
  );
}

/**
 * `--source` names a file that is not there.
 *
 * @example
 * sourceNotFound('data.zip').message; // '--source data.zip: no such file; give the path of …'
 */
export function sourceNotFound(path: string): AutomlError {
  return new AutomlError(
    'FILE_NOT_FOUND',
    `--source ${path}: no such file; give the path of a local copy of the zip archive, or a URL`,
  );
}

/**
 * `--source` names a folder.
 *
 * @example
 * sourceNotAFile('downloads/').message; // '--source downloads/ is a folder; give the zip archive itself'
 */
export function sourceNotAFile(path: string): AutomlError {
  return new AutomlError('NOT_A_FILE', `--source ${path} is a folder; give the zip archive itself`);
}

/**
 * `--out` names a folder.
 *
 * @example
 * outIsFolder('out').message; // '--out out is a folder; give a file name (or use --out-dir out)'
 */
export function outIsFolder(path: string): AutomlError {
  return new AutomlError('BAD_OPTION', `--out ${path} is a folder; give a file name (or use --out-dir ${path})`);
}

/**
 * The output CSV cannot be written.
 *
 * @example
 * writeFailed('h.csv', 'ENOSPC: no space left on device');
 */
export function writeFailed(path: string, detail: string): AutomlError {
  return new AutomlError('WRITE_FAILED', `${path}: cannot write the output: ${detail}`);
}

/**
 * Not a complete zip archive (truncated, damaged, CRC-32 mismatch); for a download, advises --refresh.
 *
 * @example
 * archiveCorrupt({ name: 'data.zip' }, 'PS1.txt fails its CRC-32 check').message;
 * // 'data.zip is not a complete zip archive (PS1.txt fails its CRC-32 check); get a complete copy …'
 */
export function archiveCorrupt(label: ArchiveLabel, detail: string): AutomlError {
  const what = label.cachedAt ? `${label.name} (cached at ${label.cachedAt})` : label.name;
  const todo = label.cachedAt
    ? `download it again (--refresh), or ${SOURCE_HINT}`
    : 'get a complete copy of the file (or run without --source to download it)';
  return new AutomlError('ARCHIVE_CORRUPT', `${what} is not a complete zip archive (${detail}); ${todo}`);
}

/**
 * Files the recipe needs are not in the archive; names them and what was found.
 *
 * @example
 * filesMissing({ name: 'data.zip' }, ['CE.txt'], ['PS1.txt', 'profile.txt']).message;
 * // 'data.zip: the archive has no CE.txt (found: PS1.txt, profile.txt); it must hold …'
 */
export function filesMissing(label: ArchiveLabel, missing: readonly string[], found: readonly string[]): AutomlError {
  const foundText = found.length > 0 ? found.join(', ') : 'no files at all';
  return new AutomlError(
    'ARCHIVE_MISSING_FILE',
    `${label.name}: the archive has no ${missing.join(', ')} (found: ${foundText}); ` +
      'it must hold the 17 sensor files and profile.txt of the UCI hydraulic data set (data set 447)',
  );
}

/**
 * A needed file is in the archive twice (in two folders).
 *
 * @example
 * fileAmbiguous({ name: 'data.zip' }, 'PS1.txt', ['a/PS1.txt', 'b/PS1.txt']);
 */
export function fileAmbiguous(label: ArchiveLabel, file: string, paths: readonly string[]): AutomlError {
  return new AutomlError(
    'ARCHIVE_AMBIGUOUS',
    `${label.name}: ${file} appears more than once in the archive (${paths.join(', ')}); keep one copy of each file`,
  );
}

/**
 * An entry is encrypted or uses a compression method that cannot be read.
 *
 * @example
 * entryUnreadable({ name: 'data.zip' }, 'data/PS1.txt', 'is encrypted');
 */
export function entryUnreadable(label: ArchiveLabel, entry: string, why: string): AutomlError {
  return new AutomlError(
    'ARCHIVE_UNSUPPORTED',
    `${label.name}: ${entry} ${why}; zip the files again without encryption, with deflate or no compression`,
  );
}

/**
 * A line holds the wrong number of samples.
 *
 * @example
 * sampleCount({ name: 'data.zip' }, 'PS1.txt', 12, 5999, 6000).message;
 * // 'data.zip: PS1.txt line 12: 5999 samples, expected 6000 (one cycle of …)'
 */
export function sampleCount(
  label: ArchiveLabel,
  entry: string,
  line: number,
  got: number,
  expected: number,
): AutomlError {
  return new AutomlError(
    'ARCHIVE_SAMPLE_COUNT',
    `${label.name}: ${entry} line ${line}: ${got} samples, expected ${expected} (one cycle of tab-separated samples per line)`,
  );
}

/**
 * A sample is not a finite decimal number; names line, sample position and the text.
 *
 * @example
 * notNumeric({ name: 'data.zip' }, 'PS3.txt', 2, 17, 'abc').message;
 * // "data.zip: PS3.txt line 2, sample 17: 'abc' is not a finite decimal number"
 */
export function notNumeric(
  label: ArchiveLabel,
  entry: string,
  line: number,
  sample: number,
  text: string,
): AutomlError {
  return new AutomlError(
    'ARCHIVE_NOT_NUMERIC',
    `${label.name}: ${entry} line ${line}, sample ${sample}: '${clip(text)}' is not a finite decimal number`,
  );
}

/**
 * A blank line with more cycles after it.
 *
 * @example
 * emptyLine({ name: 'data.zip' }, 'EPS1.txt', 2);
 */
export function emptyLine(label: ArchiveLabel, entry: string, line: number): AutomlError {
  return new AutomlError(
    'ARCHIVE_EMPTY_LINE',
    `${label.name}: ${entry} line ${line} is empty, and more cycles follow; every line must hold one cycle`,
  );
}

/**
 * A file has a different number of cycles (lines) than profile.txt; names both counts.
 *
 * @example
 * cycleCount({ name: 'data.zip' }, 'TS1.txt', 2204, 'profile.txt', 2205).message;
 * // 'data.zip: TS1.txt has 2204 cycles (lines) but profile.txt has 2205; …'
 */
export function cycleCount(
  label: ArchiveLabel,
  entry: string,
  lines: number,
  reference: string,
  refLines: number,
): AutomlError {
  return new AutomlError(
    'ARCHIVE_CYCLE_COUNT',
    `${label.name}: ${entry} has ${lines} cycles (lines) but ${reference} has ${refLines}; every file needs one line per cycle`,
  );
}

/**
 * profile.txt holds no lines.
 *
 * @example
 * noCycles({ name: 'data.zip' }, 'profile.txt');
 */
export function noCycles(label: ArchiveLabel, entry: string): AutomlError {
  return new AutomlError(
    'ARCHIVE_EMPTY',
    `${label.name}: ${entry} holds no cycles (no lines); the archive is incomplete`,
  );
}

/**
 * A profile.txt line does not hold five labels.
 *
 * @example
 * profileFields({ name: 'data.zip' }, 'profile.txt', 7, 4, '3\t100\t0\t130');
 */
export function profileFields(
  label: ArchiveLabel,
  entry: string,
  line: number,
  got: number,
  text: string,
): AutomlError {
  return new AutomlError(
    'ARCHIVE_PROFILE',
    `${label.name}: ${entry} line ${line}: ${got} labels ('${clip(text)}'), expected 5 tab-separated integers ` +
      '(cooler, valve, pump leakage, accumulator, stable flag)',
  );
}

/**
 * A profile.txt label is not an integer.
 *
 * @example
 * profileNotInteger({ name: 'data.zip' }, 'profile.txt', 7, 2, '80.5');
 */
export function profileNotInteger(
  label: ArchiveLabel,
  entry: string,
  line: number,
  position: number,
  text: string,
): AutomlError {
  return new AutomlError(
    'ARCHIVE_PROFILE',
    `${label.name}: ${entry} line ${line}, label ${position}: '${clip(text)}' is not an integer; profile.txt holds 5 integer labels per line`,
  );
}

/**
 * A line longer than any line of the data set (a 6000-sample line is about 50 kB).
 *
 * @example
 * lineTooLong({ name: 'data.zip' }, 'PS1.txt', 1, 1048576);
 */
export function lineTooLong(label: ArchiveLabel, entry: string, line: number, max: number): AutomlError {
  return new AutomlError(
    'ARCHIVE_LINE_TOO_LONG',
    `${label.name}: ${entry} line ${line} is longer than ${max} characters; this is not a file of the hydraulic data set (one cycle per line)`,
  );
}
