/**
 * The feature pipeline of the pipeline file: what is on disk, types only.
 *
 * A feature pipeline turns the input fields (numeric values, and categorical values as text)
 * into the model's numeric matrix. Its steps run in order; each reads named columns (input
 * fields, or columns an earlier step made) and writes new named numeric columns. `features` lists
 * the columns of the model matrix, in order. Every step was fitted on training rows only.
 */

/** One input field of the pipeline, as a user sends it. */
export type InputField =
  | { name: string; type: 'numeric' }
  | {
      name: string;
      type: 'categorical';
      /** The levels seen in training, as written; other values count as unseen (treated as missing). */
      levels: string[];
    }
  | {
      name: string;
      /**
       * A text field (format 2.2): the value as sent, as a string, read only by `date` and `text`
       * steps. Missing: null, or a missing-value text (empty, NA, NaN, null, ?; any case, spaces
       * trimmed). A number or a boolean is read as its JSON text.
       */
      type: 'text';
    };

/** A numeric column: standardised. `(x − mean) / std`; missing stays missing. */
export interface StandardizeStep {
  kind: 'standardize';
  column: string;
  output: string;
  mean: number;
  std: number;
}

/** `log(x + shift)`, the shift fitted so that training values are > 0. */
export interface LogStep {
  kind: 'log';
  column: string;
  output: string;
  shift: number;
}

/** The Yeo–Johnson power transform with a fitted lambda. */
export interface YeoJohnsonStep {
  kind: 'yeo_johnson';
  column: string;
  output: string;
  lambda: number;
}

/** Quantile binning: the output is the number of edges the value exceeds (0 … edges.length). */
export interface QuantileBinStep {
  kind: 'quantile_bin';
  column: string;
  output: string;
  edges: number[];
}

/** A missing indicator (1 when missing, else 0) and the value filled in for missing values. */
export interface MissingStep {
  kind: 'missing';
  column: string;
  /** The column with missing values filled in. */
  output: string;
  /** The 0/1 indicator column. */
  indicator: string;
  fill: number;
}

/** A pairwise interaction of two numeric columns. */
export interface InteractionStep {
  kind: 'interaction';
  op: 'ratio' | 'difference' | 'product';
  columns: [string, string];
  output: string;
}

/** One-hot columns for the levels seen in training; an unseen or missing value is all zeros. */
export interface OneHotStep {
  kind: 'one_hot';
  column: string;
  levels: string[];
  outputs: string[];
}

/** The share of training rows with each level; unseen levels get `unseen`. */
export interface FrequencyStep {
  kind: 'frequency';
  column: string;
  output: string;
  levels: string[];
  frequencies: number[];
  unseen: number;
}

/**
 * Target encoding with the full training data's smoothed statistics: per level, the smoothed
 * mean of the target (regression and binary: one output) or of each class indicator
 * (multiclass: one output per class). Unseen and missing levels get the prior.
 */
export interface TargetEncodingStep {
  kind: 'target_encoding';
  column: string;
  outputs: string[];
  levels: string[];
  /** Row-major levels × outputs. */
  values: number[];
  prior: number[];
}

/** The parts a `date` step can write, in the order they are listed in the step. */
export type DatePart = 'year' | 'month' | 'day' | 'weekday' | 'hour' | 'yday' | 'epoch_days';

/**
 * A date or date-time of a text input field, expanded into numeric parts (format 2.2). The exact
 * grammar, the time-zone rule and the arithmetic are in README.md, "The pipeline file" (every
 * runtime computes the same bits). In short: the value is read as `format` says (`iso`:
 * `YYYY-MM-DD` with an optional `T`/space time `hh:mm[:ss[.fff]]` and zone `Z` / `±hh[:mm]`;
 * `dmy`: `DD/MM/YYYY`; `mdy`: `MM/DD/YYYY`, `/`, `.` or `-` between the parts, and the same
 * optional time and zone); a value without a zone is UTC, one with a zone is converted to UTC,
 * and every part is of the UTC instant. The parts: `year`; `month` 1–12; `day` 1–31; `weekday`
 * 0 (Monday) … 6 (Sunday); `hour` 0–23; `yday`, the day of the year 1–366; `epoch_days`, the
 * days since 1970-01-01T00:00:00Z as a float, time of day included. A missing value, or one
 * that does not parse (or names no real date, such as 2023-02-29), is NaN in every output.
 */
export interface DateStep {
  kind: 'date';
  /** A text input field. */
  column: string;
  format: 'iso' | 'dmy' | 'mdy';
  /**
   * The parts written, each at most once, in the order year, month, day, weekday, hour, yday, epoch_days.
   * @minItems 1
   */
  parts: DatePart[];
  /** One output column per part. */
  outputs: string[];
}

/**
 * Hashed word and character n-gram counts of a text input field, TF-IDF weighted and L2
 * normalised (format 2.2). The exact tokeniser and hash are in README.md, "The pipeline file";
 * in short, per value:
 * 1. missing → every output 0;
 * 2. NFKC normalisation, then Unicode default lower-casing (no locale), then every `ς` (final
 *    sigma, U+03C2) replaced by `σ` (U+03C3);
 * 3. tokens: the maximal runs of Unicode letters, combining marks and digits (general category
 *    L*, M* or N*);
 * 4. grams, each a string hashed as its UTF-8 bytes: `w:<token>` per token; with `wordNgrams`
 *    2 also `w:<token> <next token>` per pair of neighbours; with `charNgrams` n ≥ 2, per token t,
 *    `c:<g>` for every run g of n code points of ` t ` (t with one space either side; the whole
 *    ` t ` once when it has at most n code points);
 * 5. bucket = MurmurHash3_x86_32(gram, seed) mod `buckets`; count the grams per bucket kept in
 *    `indices` (others are ignored);
 * 6. w_j = count_j · idf_j; then w_j / ‖w‖₂, the sum of squares taken in output order (all zeros
 *    stay zeros).
 */
export interface TextStep {
  kind: 'text';
  /** A text input field. */
  column: string;
  /**
   * The MurmurHash3 seed, an integer 0 … 2^32 − 1.
   * @asType integer
   * @minimum 0
   * @maximum 4294967295
   */
  seed: number;
  /**
   * The hash modulus, an integer 1 … 2^32.
   * @asType integer
   * @minimum 1
   * @maximum 4294967296
   */
  buckets: number;
  /**
   * 1: word unigrams; 2: unigrams and bigrams.
   * @asType integer
   * @minimum 1
   * @maximum 2
   */
  wordNgrams: number;
  /**
   * 0: no character n-grams; n ≥ 2: character n-grams of n code points within words (n ≤ 16).
   * @asType integer
   * @minimum 0
   * @maximum 16
   */
  charNgrams: number;
  /**
   * The buckets kept (seen in training), strictly ascending, each < `buckets`.
   * @items {"type": "integer", "minimum": 0}
   */
  indices: number[];
  /** The inverse document frequency of each kept bucket, fitted on the training rows. */
  idf: number[];
  /** One output column per kept bucket. */
  outputs: string[];
}

export type FeatureStep =
  | StandardizeStep
  | LogStep
  | YeoJohnsonStep
  | QuantileBinStep
  | MissingStep
  | InteractionStep
  | OneHotStep
  | FrequencyStep
  | TargetEncodingStep
  | DateStep
  | TextStep;

export interface FeaturePipelineNode {
  kind: 'feature_pipeline';
  /** The input fields the steps read (only those used). */
  inputs: InputField[];
  steps: FeatureStep[];
  /** The columns of the model matrix, in order. */
  features: string[];
}
