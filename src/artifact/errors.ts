/**
 * The scoring side's error for what a caller can cause: a changed or unreadable pipeline file, a
 * row with a value that is not a number. It carries a stable code, like the training side's
 * AutomlError, but is its own class so that the scorer depends on nothing outside src/artifact.
 */
/** Every code a ScoringError carries; 'SCORING' when a worker's error came back without one. */
export type ScoringErrorCode =
  | 'BAD_VALUE'
  | 'CSV_DUPLICATE_COLUMN'
  | 'CSV_EMPTY'
  | 'CSV_FIELD_COUNT'
  | 'CSV_MISSING_COLUMN'
  | 'CSV_NOT_A_NUMBER'
  | 'CSV_QUOTE'
  | 'MISSING_FIELD'
  | 'PIPELINE_CHANGED'
  | 'PIPELINE_FORMAT'
  | 'PIPELINE_NOT_JSON'
  | 'PIPELINE_NO_CHECKSUM'
  | 'PIPELINE_UNREADABLE'
  | 'PIPELINE_VERSION'
  | 'SCORING';

export class ScoringError extends Error {
  override readonly name = 'ScoringError';
  constructor(
    readonly code: ScoringErrorCode,
    message: string,
  ) {
    super(message);
  }
}
