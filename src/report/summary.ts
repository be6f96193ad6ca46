/**
 * What a list of runs says of each (`automl list`, its `--json`, and the index page of
 * `automl report --all`): name, status, target, task, the metric the search ranked by with the
 * pipeline's validation and test scores in it, the winner, the elapsed time and the date.
 */
import { scorerOf, winnerText, type RunReport } from './load.js';

/** One run in a list (and in `automl list --json`). */
export interface RunSummary {
  name: string;
  dir: string;
  /** finished, running, failed, interrupted, damaged; or 'not a run'. */
  status: string;
  target: string | null;
  task: string | null;
  /** The metric the search ranked by, and the pipeline's validation (out of fold) and test scores in it. */
  metric: string | null;
  validation: number | null;
  test: number | null;
  /** The winner's family, or `ensemble of N`. */
  winner: string | null;
  elapsedSeconds: number | null;
  /** When it finished (or ended, or started), ISO 8601. */
  date: string;
  /** What is wrong with the run folder, in words (empty when nothing is). */
  problems: string[];
  /** A failed or interrupted run's error message; else null. */
  error: string | null;
}

/** What a list says of a run. */
export function runSummary(r: RunReport): RunSummary {
  const e = r.experiment;
  const metric = e?.task || e?.settings?.scorer ? scorerOf(e) : null;
  const binary = e?.task === 'binary';
  const started = e?.startedAt ? Date.parse(e.startedAt) : NaN;
  const ended = e?.endedAt ? Date.parse(e.endedAt) : NaN;
  return {
    name: r.name,
    dir: r.dir,
    status: r.isRun ? r.status : 'not a run',
    target: e?.settings?.target ?? null,
    task: e?.task ?? null,
    metric,
    validation: metric ? metricValue(e?.validation, metric, binary) : null,
    test: metric ? metricValue(e?.test, metric, binary) : null,
    winner: winnerText(e),
    elapsedSeconds: e?.seconds?.total ?? (Number.isFinite(ended - started) ? (ended - started) / 1000 : null),
    date: r.date.toISOString(),
    problems: r.problems,
    error: e?.error?.message ?? null,
  };
}

/**
 * A metric's value from experiment.json's metrics object: top-level numbers as they are; `f1` the
 * positive class's F1 for a binary target, else the macro F1 (as the search ranks by it).
 */
export function metricValue(m: Record<string, unknown> | undefined, metric: string, binary: boolean): number | null {
  if (!m) return null;
  const v = m[metric];
  if (typeof v === 'number') return v;
  if (metric === 'f1') {
    const perClass = m['perClass'];
    if (binary && Array.isArray(perClass)) {
      const f1 = (perClass[1] as { f1?: unknown } | undefined)?.f1;
      return typeof f1 === 'number' ? f1 : null;
    }
    const macro = m['macro'] as { f1?: unknown } | undefined;
    return typeof macro?.f1 === 'number' ? macro.f1 : null;
  }
  return null;
}
