/**
 * The time budget of an experiment: one object, one clock (src/util/clock.ts), and the share of
 * the budget each stage may use, named once. Every stage asks it how long it may take and
 * whether it is past its deadline.
 *
 *   0 ─ read the data ─ leakage ≤ 10% ─ shift ≤ 20% ─ search (less the refit's likely time) ≤ 88%
 *     ─ ensemble, refit ≤ 92% ─ importance ≤ 94% (its first ten features ≤ 97%) ─ the test
 *     scores, the files ─ 100%
 *
 * A stage's deadline is a point on the clock counted from the budget's start (for `automl run`,
 * when the process started: reading the CSV counts too), not a length of its own: a stage that
 * starts late gets less, and the whole run keeps to the budget. A run bounded by a model count
 * instead (`--max-models`) has no budget: every deadline is infinitely far.
 *
 * @example
 * const budget = new Budget(60);
 * budget.deadline('search'); // budget.start + 52,800 ms
 * budget.secondsLeft('refit'); // seconds until 92% of the minute has passed
 */
import { clockNow } from '../util/clock.js';

/** Where each stage must end, as a share of the budget counted from its start. */
export const STAGE_ENDS = {
  /** The leakage check probes features one by one until here (past it, the rest are not probed alone). */
  leakage: 0.1,
  /** The shift check likewise. */
  shift: 0.2,
  /** The search: no fold job starts that would likely end after this less the refit's likely time. */
  search: 0.88,
  /** The refit of the winner on all training rows (past it, it keeps the rounds it has). */
  refit: 0.92,
  /** Permutation importance (past it, the remaining features are left unmeasured, once ten are). */
  importance: 0.94,
  /** Permutation importance of the first ten features (past it, none more). */
  importanceMinimum: 0.97,
  /** The pipeline file and the experiment's files. */
  files: 1,
} as const;

export type Stage = keyof typeof STAGE_ENDS;

/**
 * A fold job's fit stops once this share of the time left to its deadline has passed: the fold's
 * feature steps, its predictions and the hand-back to the search come after the fit.
 */
export const FIT_SHARE_OF_JOB = 0.85;

/** The time dial → budget in seconds: 10 s × 2^(time − 1) (time 1 = 10 s, 5 = 160 s, 10 ≈ 85 min). */
export function budgetForTime(time: number): number {
  return 10 * 2 ** (time - 1);
}

export class Budget {
  /**
   * @param seconds the budget; null for none (every deadline is Infinity)
   * @param start when it started, on the deadline clock (default: now)
   */
  constructor(
    readonly seconds: number | null,
    readonly start: number = clockNow(),
  ) {
    if (seconds !== null && !(seconds >= 0))
      throw new RangeError(`a time budget must be a number of seconds >= 0, got ${seconds}`);
  }

  /** Whether there is a budget at all. */
  get limited(): boolean {
    return this.seconds !== null;
  }

  /** When the stage must end, on the deadline clock (Infinity without a budget). */
  deadline(stage: Stage): number {
    return this.seconds === null ? Infinity : this.start + this.seconds * 1000 * STAGE_ENDS[stage];
  }

  /** The stage's deadline, or undefined without a budget (for options that take an optional deadline). */
  optionalDeadline(stage: Stage): number | undefined {
    return this.seconds === null ? undefined : this.deadline(stage);
  }

  /** Seconds until the stage's deadline (negative once past it; Infinity without a budget). */
  secondsLeft(stage: Stage): number {
    return (this.deadline(stage) - clockNow()) / 1000;
  }

  /** Whether the stage's deadline has passed. */
  isPast(stage: Stage): boolean {
    return clockNow() > this.deadline(stage);
  }
}

/**
 * The deadline of a fold job's fit that starts now and must be done by `end` (on the deadline
 * clock): {@link FIT_SHARE_OF_JOB} of the time left.
 */
export function fitDeadline(end: number): number {
  const now = clockNow();
  return now + FIT_SHARE_OF_JOB * Math.max(0, end - now);
}

/**
 * The budget, in seconds, that an experiment's settings give: `--max-runtime` when given, else
 * the time dial's; null when a model count bounds the run instead.
 */
export function budgetSeconds(s: { time: number; maxRuntimeSeconds?: number; maxModels?: number }): number | null {
  return s.maxModels !== undefined ? null : (s.maxRuntimeSeconds ?? budgetForTime(s.time));
}
