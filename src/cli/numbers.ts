/**
 * The numeric options' checks, for every command: `--time abc` is refused as "--time must be a
 * whole number from 1 to 10; got 'abc'", never read as NaN. It imports nothing but the error type,
 * so that the scoring commands (`automl score`, `automl serve`), which must not reach training
 * code, can use it; `args.ts` re-exports it for the others.
 */
import { AutomlError } from '../util/errors.js';

/** What a numeric option accepts: a whole number or any number, within bounds. */
export interface NumberSpec {
  /** Only whole numbers (`5`, `5.0`, `1e3`), not `2.5`. */
  whole?: boolean;
  min?: number;
  max?: number;
  /** The bounds themselves are not allowed (`--ratio` is strictly between 0 and 1). */
  exclusive?: boolean;
  /** The unit, for the message ("a number of seconds"). */
  unit?: string;
}

/** A decimal number as a person writes it: `5`, `-3`, `0.75`, `.5`, `1e3`; not `0x10`, `Infinity` or ''. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** What the option accepts, in words: "a whole number from 1 to 10". */
export function numberRule(spec: NumberSpec): string {
  const what = spec.whole ? 'a whole number' : spec.unit ? `a number of ${spec.unit}` : 'a number';
  const { min, max } = spec;
  if (min !== undefined && max !== undefined)
    return spec.exclusive ? `${what} between ${min} and ${max} (exclusive)` : `${what} from ${min} to ${max}`;
  if (min !== undefined) return spec.exclusive ? `${what} greater than ${min}` : `${what} of ${min} or more`;
  if (max !== undefined) return spec.exclusive ? `${what} less than ${max}` : `${what} of ${max} or less`;
  // Unbounded whole numbers still stop where doubles stop counting exactly.
  return spec.whole ? `${what} (below 2^53 in size)` : what;
}

/**
 * Checks one numeric setting, as typed on the command line (a string or the number yargs made
 * of it) or read from an experiment file, and returns it as a number; a value that is not one
 * throws a BAD_OPTION error naming the setting, the rule and the value as given:
 * `--time must be a whole number from 1 to 10; got 'abc'`.
 */
export function checkNumber(label: string, value: unknown, spec: NumberSpec): number {
  const shown = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  if (Array.isArray(value))
    throw new AutomlError(
      'BAD_OPTION',
      `${label} is given ${value.length} times (${value.map((v) => `'${String(v)}'`).join(', ')}); give it once`,
    );
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value) : NaN;
  const { min, max } = spec;
  const inRange =
    Number.isFinite(n) &&
    (!spec.whole || Number.isSafeInteger(n)) &&
    (min === undefined || (spec.exclusive ? n > min : n >= min)) &&
    (max === undefined || (spec.exclusive ? n < max : n <= max));
  if (!inRange) throw new AutomlError('BAD_OPTION', `${label} must be ${numberRule(spec)}; got ${shown}`);
  return n;
}

/**
 * A numeric command-line option, strictly checked: spread into yargs' option definition in
 * place of `type: 'number'` (which turns `abc` into NaN and loses what was typed). The value is
 * required (`--time` alone is an error) and given once.
 *
 * @example
 * .option('time', { ...numberOption('time', { whole: true, min: 1, max: 10 }), describe: 'Time dial 1–10' })
 */
export function numberOption(
  name: string,
  spec: NumberSpec,
): { requiresArg: true; coerce: (value: unknown) => number } {
  return { requiresArg: true, coerce: (value: unknown) => checkNumber(`--${name}`, value, spec) };
}

/** The numeric settings of `automl run` (options and experiment-file settings alike). */
export const RUN_NUMBERS = {
  seed: { whole: true },
  time: { whole: true, min: 1, max: 10 },
  accuracy: { whole: true, min: 1, max: 10 },
  interpretability: { whole: true, min: 1, max: 10 },
  maxRuntime: { min: 0, exclusive: true, unit: 'seconds' },
  maxModels: { whole: true, min: 1 },
  threads: { whole: true, min: 1, max: 64 },
} as const satisfies Record<string, NumberSpec>;

/** The other commands' numeric options. */
export const OPTION_NUMBERS = {
  seed: RUN_NUMBERS.seed,
  ratio: { min: 0, max: 1, exclusive: true },
  port: { whole: true, min: 0, max: 65535 },
  threads: RUN_NUMBERS.threads,
} as const satisfies Record<string, NumberSpec>;
