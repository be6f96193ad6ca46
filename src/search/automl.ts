/**
 * The AutoML loop (the library side of `automl run`).
 *
 *   defaults per family ──(all folds)──► leaderboard ──► leader ──► batch of 4 variations ──┐
 *                                              ▲                                          │
 *                                              │      fold 0 only ──► better half that beats │
 *                                              └──────── the leader's worst fold ──► other folds
 *   fold jobs (candidate × fold) run side by side in worker threads (pool.ts); the test set is never seen
 *   no improvement ──► once: the families' portfolios (all folds) ──► a new leader goes on varying
 *   stop: time budget (less the refit's likely time), model count, or no improvement
 *   ──► refit the best on all training rows (experiment.ts), or ship its fold models
 *
 * Deterministic for a seed when bounded by `maxModels` (the same candidates in the same order),
 * on any number of threads.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DateFormats } from '../data/kinds.js';
import type { FeaturePipelineNode } from '../artifact/format/features.js';
import type { Table } from '../data/table.js';
import { fitFeaturePipeline } from '../features/pipeline.js';
import { METRICS, type MetricName } from '../metrics/registry.js';
import { FAMILIES, familyByName, type FamilyName } from '../models/registry.js';
import type { FittedModel } from '../models/types.js';
import { AutomlError } from '../util/errors.js';
import { Rng } from '../util/random.js';
import { clockNow } from '../util/clock.js';
import { fitDeadline, type Budget } from './budget.js';
import { assembleCv } from './cross-validate.js';
import type { Candidate, CvResult, CvTask, FoldOutput } from './types.js';
import { Cancelled, foldRunner } from './pool.js';
import { kFold } from './folds.js';
import {
  baselineFeatures,
  candidateKey,
  defaultCandidates,
  distinctCandidates,
  familiesFor,
  freshVariation,
  portfolioCandidates,
} from './space.js';
import { gather } from '../util/gather.js';
import type { FinalChoice } from './final.js';

export interface SearchSettings {
  seed: number;
  /** The metric the search optimises (logloss is always reported for classification). */
  metric: MetricName;
  /** Validation: k folds, or 'holdout' (one fifth of the training rows). */
  validation: number | 'holdout';
  /**
   * The search's time: no fold job starts that would likely end after the budget's search
   * deadline less the time the best candidate's refit on all rows will likely take, and fits stop
   * by then. Without one (or with an unlimited one) the search ends by `maxModels` or patience.
   */
  budget?: Budget;
  /** Stop after this many candidates (deterministic runs). */
  maxModels?: number;
  /** 1–10: at 8–10 only original features, monotone steps and interpretable families. */
  interpretability: number;
  /** `--date-format`: how date columns are written (default: detected). */
  dateFormats?: DateFormats;
  /**
   * Stop when this many fully scored candidates in a row did not improve the best, or three times
   * as many of any kind (candidates dropped by halving are cheap) (default 12).
   */
  patience?: number;
  families?: readonly FamilyName[];
  /** Fold jobs run side by side in this many worker threads (default: one per core). */
  threads?: number;
  /**
   * How the pipeline's model will be made (`--final`, default auto): time is kept back for the
   * best candidate's refit unless its fold models will be shipped anyway (`folds`, or `auto` once
   * the refit could no longer end by the budget's refit deadline).
   */
  final?: FinalChoice;
  /** Features by single-feature strength, strongest first (interactions are made among these). */
  ranking?: readonly string[];
  /**
   * The fold of each training row, given instead of the seeded stratified folds: the user's
   * (`--fold`, with `validation` their count), or in time order (`--time-column`, with
   * `task.forward`; −1 for rows that only train). Folds 0 … k − 1 (0 for a holdout) are validated.
   */
  folds?: Int32Array;
}

/**
 * What became of a candidate: scored on every fold; dropped by successive halving after its first
 * fold; stopped part-way by the budget or an interrupt; or failed (the error is kept).
 */
export type EntryStatus = 'scored' | 'halved' | 'stopped' | 'failed';

export interface LeaderboardEntry {
  id: number;
  family: FamilyName;
  params: Record<string, unknown>;
  /** The feature steps, in words. */
  features: string;
  status: EntryStatus;
  /** The metric over the folds scored (NaN when failed). */
  score: number;
  logloss: number | null;
  /** Folds scored, of those planned. */
  folds: number;
  plannedFolds: number;
  /** Seconds since the search began, when the candidate's first job started and last one ended. */
  started: number;
  finished: number;
  /** Fit seconds, summed over its fold jobs. */
  seconds: number;
  /** Rounds / trees / epochs each scored fold's model kept (families that fit in rounds). */
  rounds: number[];
  /** Scored folds whose fit its deadline stopped before its rounds were done. */
  cutFolds: number;
  error?: string;
}

/**
 * A candidate's outcome as soon as it is known, for a live view: when its last fold job ends,
 * when it fails, when successive halving drops it, or (stopped part-way) when the search ends.
 * Reported in the order outcomes become known, not in id order; the leaderboard, and everything
 * the search decides, stay in id order, so a live view changes no result.
 */
export interface CandidateResult {
  id: number;
  family: FamilyName;
  status: EntryStatus;
  /** The metric over the folds scored (NaN when failed). */
  score: number;
  folds: number;
  plannedFolds: number;
  /** Fit seconds, summed over its fold jobs. */
  seconds: number;
  /** Seconds since the search began, when the outcome became known. */
  at: number;
  /** The best of the fully scored candidates reported so far (ties: the lower id). */
  best: boolean;
  /** Folds whose fit its deadline stopped before its rounds were done. */
  cutFolds: number;
  error?: string;
}

/** What a live view is told as the search goes. */
export interface SearchProgress {
  /** The search begins (its data checked, its worker threads starting). */
  onStart?: () => void;
  onResult?: (r: CandidateResult) => void;
  /** The search is over (its worker threads are stopping); the pipeline is finished next. */
  onEnd?: () => void;
}

/**
 * The live view of the searches run within `searchProgress.run(view, …)`, for callers that reach
 * the search through another function (`automl run` through runExperiment); `hooks.progress` of
 * {@link search} takes precedence.
 *
 * @example
 * await searchProgress.run({ onResult: (r) => console.log(r.id, r.score) }, () => runExperiment(data, undefined, s));
 */
export const searchProgress = new AsyncLocalStorage<SearchProgress>();

/** A fold's fitted steps and model, as artifact nodes. */
export type FoldModels = Map<number, FoldOutput['nodes']>;

/** A fully scored candidate with its out-of-fold predictions and fold models. */
export interface ScoredCandidate {
  entry: LeaderboardEntry;
  candidate: Candidate;
  cv: CvResult;
  foldModels: FoldModels;
}

/** Fully scored candidates kept (the best by score) for the ensemble. */
export const POOL_SIZE = 20;

export interface SearchResult {
  leaderboard: LeaderboardEntry[];
  /** The best fully scored candidate, with its fold models (for out-of-fold permutation importance). */
  best: ScoredCandidate;
  /**
   * The best {@link POOL_SIZE} fully scored candidates (the best included, and each family's
   * best), in id order: what an ensemble is selected from.
   */
  pool: ScoredCandidate[];
  /** The folds the candidates were scored on (a fold number per training row). */
  fold: Int32Array;
  stoppedBy: 'budget' | 'max-models' | 'no-improvement' | 'interrupted';
  /** Worker threads the fold jobs ran on (1: this thread). */
  threads: number;
}

/**
 * A costly family's first candidate (the neural net) goes on past its first fold only if its fit
 * time in all would be at most this share of the search's (its own included).
 */
export const COSTLY_SHARE = 0.25;

/** Candidates per batch of variations; fixed, so that a run does not depend on the core count. */
export const BATCH_SIZE = 4;

/** Folds the rows are dealt into: k, or 5 for a holdout (one fifth validates). */
export function foldCount(validation: number | 'holdout'): number {
  return validation === 'holdout' ? 5 : validation;
}

/**
 * Seconds a candidate's refit on all training rows will likely take: its fold fits' mean time,
 * scaled from a fold's training rows to all of them, with a 20% margin.
 */
export function refitSecondsFor(entry: LeaderboardEntry, validation: number | 'holdout'): number {
  if (entry.folds === 0) return 0;
  const trainShare = 1 - 1 / foldCount(validation);
  return (1.2 * entry.seconds) / entry.folds / trainShare;
}

/** Training rows above which k-fold costs too much for the accuracy dial's middle settings. */
export const LARGE_TABLE_ROWS = 100_000;

/**
 * Settings of the accuracy dial (1–10): holdout at 1–3, 3-fold at 4–6, 5-fold at 7–10. On a large
 * table (more than {@link LARGE_TABLE_ROWS} training rows) a holdout at 1–6 and 3-fold at 7–10,
 * as FLAML and AutoGluon also do: one fifth of many rows validates well, and k fits cost k times.
 */
export function validationFor(accuracy: number, trainRows = 0): number | 'holdout' {
  if (trainRows > LARGE_TABLE_ROWS) return accuracy <= 6 ? 'holdout' : 3;
  return accuracy <= 3 ? 'holdout' : accuracy <= 6 ? 3 : 5;
}

function describeFeatures(c: Candidate): string {
  const steps = c.features.transforms.map(
    (t) => `${t.kind}${'op' in t ? `:${t.op}` : ''}(${'columns' in t ? t.columns.join(',') : t.column})`,
  );
  return [`${c.features.passthrough?.length ?? 0} numeric`, ...steps].join(' + ');
}

interface Trial {
  id: number;
  candidate: Candidate;
  seed: number;
  planned: number;
  outputs: Map<number, FoldOutput>;
  started?: number;
  finished?: number;
  halved?: boolean;
  error?: string;
  /** Whether its leaderboard entry has been made. */
  settled?: boolean;
  /** Whether its outcome has been reported to the live view. */
  reported?: boolean;
  /** Its cross-validation over the folds it had when reported (reused when it has no more). */
  cv?: CvResult;
  /** Its fits end by then at the latest (on the deadline clock), as well as by the search's end. */
  deadline?: number;
}

/**
 * Searches feature steps × families × parameters by out-of-fold score.
 *
 * First each family's defaults, scored on every fold; then batches of {@link BATCH_SIZE}
 * variations of the best so far, with successive halving when there are 3 folds or more: each
 * variation is scored on its first fold, and only the better half of the batch, and only those
 * that beat the leader's worst fold there, go on to the other folds. Fold jobs run side by side
 * in worker threads; results and their order never depend on the thread count.
 *
 * @example
 * const r = await search(train, { kind: 'multiclass', nClasses: 3, y }, features, { seed: 42, metric: 'logloss', validation: 5, maxModels: 8, interpretability: 5 });
 * r.best.entry.family; // e.g. 'gbdt'
 */
export async function search(
  table: Table,
  task: CvTask,
  features: readonly string[],
  settings: SearchSettings,
  hooks: {
    onEntry?: (e: LeaderboardEntry, isBest: boolean) => void;
    shouldStop?: () => boolean;
    /** A live view (default: the one of `searchProgress.run`, if any). */
    progress?: SearchProgress;
  } = {},
): Promise<SearchResult> {
  const t0 = clockNow();
  /** Seconds since the search began (what the leaderboard reports). */
  const elapsed = (): number => (clockNow() - t0) / 1000;
  const rng = new Rng(settings.seed);
  const strata = task.kind === 'regression' ? undefined : task.y;
  const validation = settings.validation;
  const fold = settings.folds ?? kFold(table.nRows, foldCount(validation), settings.seed, strata);
  const allFolds = validation === 'holdout' ? [0] : Array.from({ length: validation }, (_, f) => f);
  const halving = allFolds.length >= 3;
  const metric = METRICS[settings.metric];
  const better = (a: number, b: number): boolean => (metric.greaterIsBetter ? a > b : a < b);
  const spec = baselineFeatures(table, features, settings.interpretability, settings.dateFormats);
  const families = settings.families ?? familiesFor(settings.interpretability);
  const defaults = distinctCandidates(defaultCandidates(families, spec, table.nRows));
  const patience = settings.patience ?? 12;
  const budget = settings.budget?.limited ? settings.budget : undefined;
  /**
   * Seconds the refit of the best on all rows will likely take (its fold jobs' mean, scaled to
   * all rows, with a margin), kept back from the search: none when its fold models will be
   * shipped instead, as `--final folds` asks, or as `auto` decides (finalize.ts) when the refit
   * could not end by its deadline even if the search stopped now.
   */
  const refitReserve = (): number => {
    if (!best || settings.final === 'folds') return 0;
    const seconds = refitSecondsFor(best.entry, validation);
    if (settings.final !== 'refit' && budget && clockNow() + 1000 * seconds > budget.deadline('refit')) return 0;
    return seconds;
  };
  /** When the search must end (on the deadline clock), leaving time for the refit. */
  const end = (): number => (budget === undefined ? Infinity : budget.deadline('search') - 1000 * refitReserve());
  /** Whether a job of this family started now would likely end past the search's end. */
  const wouldOverrun = (family: FamilyName): boolean => clockNow() + 1000 * estimate(family) > end();

  // Even one thread's jobs run in a worker (when there is a compiled one): this thread stays free
  // for the live view, signals and the budget's polling.
  const runner = foldRunner(table, task, fold, settings.threads, { freeThisThread: true });
  const threads = runner.parallel;
  let interrupted = false;
  let anyComplete = false;
  const jobSeconds = new Map<FamilyName, number[]>();
  const poll = setInterval(() => {
    if (!interrupted && hooks.shouldStop?.()) {
      interrupted = true;
      runner.cancel();
    }
  }, 50);

  /** Seconds a job of this family is expected to take: the mean of its earlier jobs (or of all). */
  const estimate = (family: FamilyName): number => {
    const own = jobSeconds.get(family) ?? [...jobSeconds.values()].flat();
    return own.length === 0 ? 0 : own.reduce((a, b) => a + b, 0) / own.length;
  };

  const progress = hooks.progress ?? searchProgress.getStore();
  progress?.onStart?.();
  /** What became of a trial, once it has started (as its leaderboard entry will say). */
  const statusOf = (t: Trial): EntryStatus =>
    t.error !== undefined ? 'failed' : t.outputs.size === t.planned ? 'scored' : t.halved ? 'halved' : 'stopped';
  /** Its cross-validation over the folds it has (cached: the same inputs give the same result). */
  const cvOf = (t: Trial): CvResult | undefined => {
    if (t.outputs.size === 0) return undefined;
    if (t.cv?.foldScores.length !== t.outputs.size) t.cv = assembleCv(task, fold, t.outputs, settings.metric);
    return t.cv;
  };
  /** The best reported to the live view so far, in the order outcomes became known. */
  let shownBest: { id: number; score: number } | undefined;
  /** Tells the live view a trial's outcome, once, as soon as it is known (nothing without a view). */
  const report = (t: Trial): void => {
    if (!progress?.onResult || t.reported) return;
    t.reported = true;
    const status = statusOf(t);
    const cv = status === 'failed' ? undefined : cvOf(t);
    const score = cv?.score ?? Number.NaN;
    const isBest =
      status === 'scored' &&
      (!shownBest || better(score, shownBest.score) || (score === shownBest.score && t.id < shownBest.id));
    if (isBest) shownBest = { id: t.id, score };
    progress.onResult({
      id: t.id,
      family: t.candidate.family,
      status,
      score,
      folds: t.outputs.size,
      plannedFolds: t.planned,
      seconds: [...t.outputs.values()].reduce((s, o) => s + o.seconds, 0),
      at: elapsed(),
      best: isBest,
      cutFolds: cv?.cutFolds ?? 0,
      ...(t.error !== undefined ? { error: t.error } : {}),
    });
  };

  /** Runs these folds of these trials, `threads` jobs at a time, in trial then fold order. */
  const runJobs = async (
    trials: readonly Trial[],
    foldsOf: (t: Trial) => readonly number[],
    onJobDone?: () => void,
  ): Promise<void> => {
    const jobs = trials.flatMap((t) => foldsOf(t).map((f) => ({ t, f })));
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < jobs.length) {
        const { t, f } = jobs[next++]!;
        if (t.error !== undefined) continue;
        if (hooks.shouldStop?.()) interrupted = true;
        if (interrupted) break;
        // Do not start a job that would likely end past the budget (once something is scored);
        // its candidate is left part-scored, and cheaper jobs may still run.
        if (anyComplete && wouldOverrun(t.candidate.family)) continue;
        t.started ??= elapsed();
        try {
          const deadline = budget !== undefined ? Math.min(fitDeadline(end()), t.deadline ?? Infinity) : undefined;
          const out = await runner.run({
            candidate: t.candidate,
            fold: f,
            seed: t.seed,
            ...(deadline !== undefined ? { deadline } : {}),
            ...(threads > 1 ? { threads: 1 } : {}),
          });
          t.outputs.set(f, out);
          t.finished = elapsed();
          const list = jobSeconds.get(t.candidate.family) ?? [];
          list.push(out.seconds);
          jobSeconds.set(t.candidate.family, list);
          if (t.outputs.size === t.planned) {
            anyComplete = true;
            report(t);
          }
        } catch (e) {
          if (e instanceof Cancelled) break;
          t.error = e instanceof Error ? e.message : String(e);
          t.finished = elapsed();
          report(t);
        }
        onJobDone?.();
      }
    };
    await Promise.all(Array.from({ length: Math.min(threads, jobs.length) }, lane));
  };

  const leaderboard: LeaderboardEntry[] = [];
  let best: SearchResult['best'] | undefined;
  let pool: ScoredCandidate[] = [];
  /** Candidates since the best: fully scored ones, and all. */
  let sinceBest = 0;
  let sinceBestAll = 0;
  let nextId = 0;
  /** The keys of every candidate given a trial (scored, halved, stopped or failed): none is tried twice. */
  const tried = new Set<string>();
  /** Set when no fresh variation of the leader could be drawn: its neighbourhood is exhausted. */
  let exhausted = false;
  const trialOf = (candidate: Candidate): Trial => {
    const id = nextId++;
    tried.add(candidateKey(candidate));
    return { id, candidate, seed: rng.fork(id).seed, planned: allFolds.length, outputs: new Map() };
  };

  /** Leaderboard entries of a batch, in id order; the best updated. */
  const settle = (trials: readonly Trial[]): void => {
    for (const t of trials) {
      if (t.settled) continue;
      t.settled = true;
      if (t.outputs.size === 0 && t.error === undefined) continue; // never started
      report(t); // those stopped part-way by the budget or an interrupt: not reported before
      const cv = cvOf(t);
      const status = statusOf(t);
      const entry: LeaderboardEntry = {
        id: t.id,
        family: t.candidate.family,
        params: t.candidate.params,
        features: describeFeatures(t.candidate),
        status,
        score: status === 'failed' || !cv ? Number.NaN : cv.score,
        logloss: status === 'failed' || !cv ? null : cv.logloss,
        folds: t.outputs.size,
        plannedFolds: t.planned,
        started: t.started ?? 0,
        finished: t.finished ?? t.started ?? 0,
        seconds: cv?.seconds ?? 0,
        rounds: cv?.rounds ?? [],
        cutFolds: cv?.cutFolds ?? 0,
        ...(t.error !== undefined ? { error: t.error } : {}),
      };
      leaderboard.push(entry);
      const improved = status === 'scored' && cv !== undefined && (!best || better(cv.score, best.entry.score));
      if (status === 'scored' && cv !== undefined) {
        const scored: ScoredCandidate = {
          entry,
          candidate: t.candidate,
          cv,
          foldModels: new Map([...t.outputs].map(([f, o]) => [f, o.nodes])),
        };
        // The pool keeps the best POOL_SIZE (ties: the earlier), in id order, and each family's
        // best: families fail on different rows, which is what an ensemble needs.
        pool.push(scored);
        if (pool.length > POOL_SIZE) {
          const ranked = [...pool].sort((a, b) =>
            better(a.entry.score, b.entry.score)
              ? -1
              : better(b.entry.score, a.entry.score)
                ? 1
                : a.entry.id - b.entry.id,
          );
          const worst = ranked.findLast((c) => ranked.find((o) => o.entry.family === c.entry.family) !== c)!;
          pool = pool.filter((c) => c !== worst);
        }
        if (improved) best = scored;
      }
      if (improved) {
        sinceBest = 0;
        sinceBestAll = 0;
      } else {
        if (status === 'scored') sinceBest++;
        sinceBestAll++;
      }
      hooks.onEntry?.(entry, improved);
      t.outputs.clear(); // the pool holds what is kept
      t.cv = undefined;
    }
  };

  let stoppedBy: SearchResult['stoppedBy'] = 'max-models';
  const portfolio = portfolioCandidates(families, spec, table.nRows);
  /** The fit seconds of the fold jobs so far, of the families chosen. */
  const fitSecondsOf = (which: (f: FamilyName) => boolean): number =>
    [...jobSeconds.entries()].filter(([f]) => which(f)).reduce((s, [, xs]) => s + xs.reduce((a, b) => a + b, 0), 0);
  /** Costly first candidates waiting for the cheap search to stop improving. */
  const deferred: Candidate[] = [];
  /** A costly family's candidate is scored on its first fold before it may go on (with 3+ folds). */
  const probed = (t: Trial): boolean => halving && (FAMILIES[t.candidate.family].search.costly ?? false);
  /**
   * Probed candidates scored on their first fold go on to the others only when they pay for it:
   * at least as good on that fold as the leader there (a paired comparison), and, under a time
   * budget, their fit time in all at most COSTLY_SHARE of the search's fit time, theirs included
   * (the others' so far, or when they run alongside the first candidates, the thread time left).
   */
  const goOnIfItPays = async (
    trials: readonly Trial[],
    leaderFirst: number | undefined,
    /** Its share of the search's fit time is judged against the fit time so far, or the thread time left. */
    against: 'fit-so-far' | 'time-left',
    onJobDone?: () => void,
  ): Promise<void> => {
    const costly = trials.filter((t) => t.error === undefined && t.outputs.has(0));
    if (costly.length === 0) return;
    const otherSeconds = fitSecondsOf((f) => !(FAMILIES[f].search.costly ?? false));
    const goOn = costly.filter((t) => {
      const own = assembleCv(task, fold, t.outputs, settings.metric).score;
      const competitive = leaderFirst === undefined || !better(leaderFirst, own);
      const first = t.outputs.get(0)!.seconds;
      const pays =
        against === 'fit-so-far'
          ? t.planned * first <= (COSTLY_SHARE / (1 - COSTLY_SHARE)) * otherSeconds
          : (t.planned - 1) * first <= (COSTLY_SHARE * threads * (end() - clockNow())) / 1000;
      return competitive && (budget === undefined || pays);
    });
    for (const t of costly)
      if (!goOn.includes(t)) {
        t.halved = true;
        report(t);
      }
    for (const t of goOn) delete t.deadline; // the probe's own limit
    await runJobs(goOn, () => allFolds.slice(1), onJobDone);
  };
  try {
    const room = (): number => (settings.maxModels === undefined ? Infinity : settings.maxModels - nextId);
    const isCostly = (c: Candidate): boolean => FAMILIES[c.family].search.costly ?? false;
    // A costly family's first candidate (the neural net) waits until the cheap search stops
    // improving (unless the run is bounded by a model count, or nothing cheap is searched): by
    // then the other families' fit time is known, and it runs only if it can pay for itself.
    const deferCostly = settings.maxModels === undefined && defaults.some((c) => !isCostly(c));
    deferred.push(...(deferCostly ? defaults.filter(isCostly) : []));
    const first = defaults
      .filter((c) => !deferred.includes(c))
      .slice(0, Math.max(0, room()))
      .map(trialOf);
    // Entries appear as soon as a candidate and those before it are done (progress on the
    // terminal), in id order, so the result is the same as settling the batch at its end.
    const donePrefix = (): Trial[] => {
      const out: Trial[] = [];
      for (const t of first) {
        // (A settled trial's outputs are cleared: it is done.)
        if (!t.settled && t.error === undefined && !t.halved && t.outputs.size < t.planned) break;
        out.push(t);
      }
      return out;
    };
    await runJobs(
      first,
      (t) => (probed(t) ? [0] : allFolds),
      () => settle(donePrefix()),
    );
    if (first.some(probed)) {
      // The leader among the cheap first candidates scored on every fold (ties: the lower id).
      const full = first
        .filter((t) => !probed(t) && t.error === undefined && t.outputs.size === t.planned)
        .map((t) => assembleCv(task, fold, t.outputs, settings.metric));
      const leader = full.reduce<CvResult | undefined>((a, b) => (!a || better(b.score, a.score) ? b : a), undefined);
      await goOnIfItPays(first.filter(probed), leader?.foldScores[0], 'time-left', () => settle(donePrefix()));
    }
    settle(first);
    for (;;) {
      if (interrupted) stoppedBy = 'interrupted';
      // The next batch varies the leader: stop when one of its jobs would likely not fit.
      else if (best && wouldOverrun(best.candidate.family)) stoppedBy = 'budget';
      else if (room() <= 0) stoppedBy = 'max-models';
      else if (
        best &&
        (exhausted || (settings.maxModels === undefined && (sinceBest >= patience || sinceBestAll >= 3 * patience)))
      ) {
        // Before stopping, once: the families' portfolios, on every fold (a new leader among
        // them starts the variations again); those already tried are not scored again.
        const fresh = distinctCandidates(portfolio.splice(0), tried).slice(0, Math.max(0, room()));
        if (fresh.length > 0) {
          exhausted = false;
          const trials = fresh.map(trialOf);
          await runJobs(trials, () => allFolds);
          settle(trials);
          continue;
        }
        // Then the costly families' first candidates, if they pay for themselves.
        const costlyFirst = distinctCandidates(deferred.splice(0), tried).slice(0, Math.max(0, room()));
        if (costlyFirst.length > 0) {
          exhausted = false;
          const trials = costlyFirst.map(trialOf);
          // Its first fold may take at most what all its folds may (COSTLY_SHARE of the search's
          // fit time) over their number: a fit cut short there is unlikely to be competitive.
          const others = fitSecondsOf((f) => !(FAMILIES[f].search.costly ?? false));
          const probeSeconds = (COSTLY_SHARE / (1 - COSTLY_SHARE)) * others;
          for (const t of trials) t.deadline = clockNow() + (1000 * probeSeconds) / t.planned;
          await runJobs(trials, (t) => (probed(t) ? [0] : allFolds));
          await goOnIfItPays(trials.filter(probed), best.cv.foldScores[0], 'fit-so-far');
          settle(trials);
          continue;
        }
        stoppedBy = 'no-improvement';
      } else if (!best) break;
      else {
        // Let timers and signals run between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const leader = best;
        // Variations never repeat a candidate already tried: a repeat is drawn again (seeded, a
        // bounded number of times). A slot left without a fresh one ends the batch (the next slot
        // would draw from the same stream); an empty batch means the leader's neighbourhood is
        // exhausted, and the search goes on as when it stops improving.
        const batch: Trial[] = [];
        // (The batch's size is fixed before it is drawn: each trial drawn takes an id, and room.)
        const size = Math.min(BATCH_SIZE, room());
        while (batch.length < size) {
          const draw = freshVariation(
            leader.candidate,
            rng.fork(1000 + nextId),
            spec,
            settings.interpretability,
            settings.ranking ?? [],
            tried,
          );
          if (!draw) break;
          batch.push(trialOf(draw));
        }
        if (batch.length === 0) {
          exhausted = true;
          continue;
        }
        if (!halving) await runJobs(batch, () => allFolds);
        else {
          await runJobs(batch, () => [0]);
          // Successive halving: the better half of the batch on its first fold goes on, if it
          // beats the leader's worst fold there.
          const worstOfLeader = leader.cv.foldScores.reduce((a, b) => (better(a, b) ? b : a));
          const firstFold = batch
            .filter((t) => t.outputs.has(0) && t.error === undefined)
            .map((t) => ({ t, score: assembleCv(task, fold, t.outputs, settings.metric).score }));
          firstFold.sort((a, b) => (better(a.score, b.score) ? -1 : better(b.score, a.score) ? 1 : a.t.id - b.t.id));
          const goOn = firstFold
            .slice(0, Math.ceil(batch.length / 2))
            .filter((x) => !better(worstOfLeader, x.score))
            .map((x) => x.t);
          for (const x of firstFold) if (!goOn.includes(x.t)) x.t.halved = true;
          for (const t of batch) if (t.halved) report(t);
          await runJobs(goOn, () => allFolds.slice(1));
        }
        settle(batch);
        continue;
      }
      break;
    }
  } finally {
    clearInterval(poll);
    progress?.onEnd?.();
    await runner.close();
  }
  if (!best) {
    const failed = leaderboard.find((e) => e.status === 'failed');
    if (failed) throw new Error(`search: every candidate failed; the first (${failed.family}) with: ${failed.error}`);
    if (interrupted)
      throw new AutomlError(
        'INTERRUPTED',
        'interrupted before any candidate was scored on all its folds: there is no pipeline to write',
      );
    throw new RangeError('search: no candidate was scored on all its folds (a budget of zero?)');
  }
  return { leaderboard, best, pool, fold, stoppedBy, threads };
}

/**
 * Refits a candidate on all training rows: the feature steps, then the model, with the rounds
 * its folds kept (the mean) as its family's refit asks (families that early-stop).
 */
export async function refit(
  table: Table,
  task: CvTask,
  candidate: Candidate,
  cv: CvResult,
  seed: number,
  /** When the fit should end, on the deadline clock (it then keeps the rounds it has). */
  deadline?: number,
): Promise<{ features: FeaturePipelineNode; model: FittedModel }> {
  const rng = new Rng(seed).fork(999_999);
  // With sample weights, rows of weight 0 are left out of the fit.
  const kept = task.weights ? Array.from(task.weights.keys()).filter((i) => task.weights![i]! > 0) : undefined;
  if (kept) {
    table = table.take(kept);
    task = {
      ...task,
      y: gather(task.y, kept),
      weights: gather(task.weights!, kept),
    };
  }
  const fitted = fitFeaturePipeline(
    table,
    candidate.features,
    { kind: task.kind, y: task.y, nClasses: task.nClasses },
    rng.fork(0),
  );
  const family = familyByName(candidate.family);
  let params = candidate.params;
  const refitRounds = family.rounds?.refit;
  if (refitRounds && cv.rounds.length > 0)
    params = refitRounds(params, Math.max(1, Math.round(cv.rounds.reduce((s, r) => s + r, 0) / cv.rounds.length)));
  const model = await family.fit(
    {
      x: { nRows: table.nRows, columns: fitted.trainMatrix },
      y: task.y,
      ...(task.weights ? { weights: task.weights } : {}),
    },
    {
      kind: task.kind,
      nClasses: task.nClasses,
      rng: rng.fork(1),
      params,
      ...(deadline !== undefined ? { deadline } : {}),
    },
  );
  return { features: fitted.node, model };
}
