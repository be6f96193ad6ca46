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
    readonly code: string,
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
    if (e instanceof AutomlError && !e.message.startsWith(file)) throw new AutomlError(e.code, `${file}: ${e.message}`, { cause: e });
    throw e;
  }
}
