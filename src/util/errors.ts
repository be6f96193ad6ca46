import type { ScoringErrorCode } from '../artifact/errors.js';

/**
 * Every code an AutomlError carries, defined once: a code that is not listed here (a typo) does not
 * compile. The scorer's codes are included because the CLI passes a ScoringError on as an
 * AutomlError with the same code.
 */
export type AutomlErrorCode =
  | 'ARCHIVE_AMBIGUOUS'
  | 'ARCHIVE_CORRUPT'
  | 'ARCHIVE_CYCLE_COUNT'
  | 'ARCHIVE_EMPTY'
  | 'ARCHIVE_EMPTY_LINE'
  | 'ARCHIVE_LINE_TOO_LONG'
  | 'ARCHIVE_MISSING_FILE'
  | 'ARCHIVE_NOT_NUMERIC'
  | 'ARCHIVE_PROFILE'
  | 'ARCHIVE_SAMPLE_COUNT'
  | 'ARCHIVE_UNSUPPORTED'
  | 'BAD_CONFIG'
  | 'BAD_OPTION'
  | 'BAD_STATS'
  | 'BAD_TRANSFORM'
  | 'CACHE_UNWRITABLE'
  | 'COLUMN_TYPE'
  | 'CSV_EMPTY'
  | 'CSV_ENCODING'
  | 'CSV_FIELD_COUNT'
  | 'CSV_HEADER_DUPLICATE'
  | 'CSV_HEADER_EMPTY_NAME'
  | 'CSV_NOT_FINITE'
  | 'CSV_NOT_NUMERIC'
  | 'CSV_NO_ROWS'
  | 'CSV_QUOTE'
  | 'CSV_SYNTAX'
  | 'DOWNLOAD_FAILED'
  | 'DUPLICATE_COLUMN'
  | 'FILE_CHANGED'
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'INTERRUPTED'
  | 'METRIC_UNDEFINED'
  | 'NOT_A_FILE'
  | 'NO_DIAGNOSTICS'
  | 'NO_FEATURES'
  | 'NO_FILE'
  | 'NO_TARGET'
  | 'PORT_DENIED'
  | 'PORT_IN_USE'
  | 'TARGET_ALL_MISSING'
  | 'TARGET_NOT_BINARY'
  | 'TARGET_NOT_NUMERIC'
  | 'TARGET_ONE_CLASS'
  | 'TEST_CLASSES'
  | 'TEST_COLUMNS'
  | 'TEST_COLUMN_MISSING'
  | 'TEST_COLUMN_TYPE'
  | 'UNKNOWN_COLUMN'
  | 'UNKNOWN_FAMILY'
  | 'UNKNOWN_METRIC'
  | 'UNKNOWN_RECIPE'
  | 'UNKNOWN_TRANSFORM'
  | 'WRITE_FAILED'
  | ScoringErrorCode;

/**
 * The one error class for what a user can cause: bad input, a missing file, a broken archive.
 * The CLI prints its message (no stack trace) and exits with code 2. Programming errors use
 * RangeError / TypeError and keep their stack.
 *
 * @example
 * throw new AutomlError('CSV_FIELD_COUNT', 'data.csv:12: row has 5 fields, the header has 6');
 */
export class AutomlError extends Error {
  override readonly name = 'AutomlError';
  constructor(
    /** A stable machine-readable code, e.g. `CSV_FIELD_COUNT`. */
    readonly code: AutomlErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isAutomlError(e: unknown): e is AutomlError {
  return e instanceof AutomlError;
}

/** The message of anything thrown, for wrapping third-party errors in ours. */
export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
  }
  return String(e);
}

/** Runs `f`, prefixing the message of an AutomlError it throws with the file it is about. */
export function inFile<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof AutomlError && !e.message.startsWith(file))
      throw new AutomlError(e.code, `${file}: ${e.message}`, { cause: e });
    throw e;
  }
}
