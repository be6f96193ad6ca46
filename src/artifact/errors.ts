/**
 * The scoring side's error for what a caller can cause: a changed or unreadable pipeline file, a
 * row with a value that is not a number. It carries a stable code, like the training side's
 * AutomlError, but is its own class so that the scorer depends on nothing outside src/artifact.
 */
export class ScoringError extends Error {
  override readonly name = 'ScoringError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
