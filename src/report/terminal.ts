/**
 * `automl report` in the terminal: the run's state when it did not finish, what is missing, the
 * dashboard `automl run` printed, then the leaderboard's top 10, the checks' findings, the test
 * confusion matrix (its largest off-diagonal cells when too wide), per-class precision / recall /
 * F1, and for a binary target the test rows at the thresholds chosen by F1 and by MCC. Every line
 * fits the width.
 */
import { isMetricName, METRICS } from '../metrics/registry.js';
import { dashboardLines } from './dashboard.js';
import {
  largestConfusions,
  rankLeaderboard,
  scorerOf,
  thresholdViews,
  type ClassificationMetrics,
  type RunReport,
} from './load.js';
import { displayWidth, fmt, labelled, PLAIN, table, wrap, type Style } from './text.js';

/** Options of {@link terminalReport}. */
export interface TerminalOptions {
  /** Columns each line fits in (default 80). */
  width?: number;
  style?: Style;
}

/** Leaderboard rows the terminal report shows. */
export const REPORT_LEADERBOARD_ROWS = 10;
/** Features of each check the terminal report lists. */
export const REPORT_CHECK_ROWS = 5;
/** Off-diagonal cells shown when the confusion matrix is too wide. */
export const REPORT_CONFUSION_CELLS = 10;

/**
 * The terminal report's lines, each at most `width` columns.
 *
 * @example
 * const lines = terminalReport(await loadRun('experiments/runs/cool_cond_y-hydraulic'), { width: 80 });
 * process.stdout.write(`${lines.join('\n')}\n`);
 */
export function terminalReport(r: RunReport, opts: TerminalOptions = {}): string[] {
  const width = opts.width ?? 80;
  const style = opts.style ?? PLAIN;
  const out: string[] = [];
  const e = r.experiment;
  const section = (title: string): void => {
    out.push('', ...wrap(title, width).map((l) => style.bold(l)));
  };

  out.push(...stateLines(r, width, style));
  if (r.problems.length > 0) {
    out.push(...wrap(r.isRun ? 'missing or unreadable:' : 'what is there:', width));
    for (const p of r.problems) out.push(...wrap(p, width, '  - ', '    '));
  }
  if (!r.isRun) return out;
  if (e) {
    if (out.length > 0) out.push('');
    out.push(...dashboardLines(e, { width, style, name: r.name }));
  }

  // The leaderboard.
  if (r.leaderboard.length > 0) {
    const metric = e?.task ? scorerOf(e) : r.test?.kind === 'regression' ? 'rmse' : 'logloss';
    const greater = isMetricName(metric) ? METRICS[metric].greaterIsBetter : false;
    const ranked = rankLeaderboard(r.leaderboard, greater);
    section(
      `leaderboard: top ${Math.min(REPORT_LEADERBOARD_ROWS, ranked.length)} of ${r.leaderboard.length} by ${metric} (out of fold)`,
    );
    out.push(
      ...table(
        ['#', 'family', 'features', 'status', 'folds', metric, 'fit s'],
        ranked
          .slice(0, REPORT_LEADERBOARD_ROWS)
          .map((c) => [
            String(c.id),
            c.family,
            c.features,
            c.status,
            c.folds === null ? '' : `${c.folds}/${c.plannedFolds}`,
            c.score === null ? '–' : fmt(c.score),
            c.fitSeconds === null ? '' : c.fitSeconds.toFixed(1),
          ]),
        [true, false, false, false, true, true, true],
        width,
        [2, 1],
      ),
    );
    // Fits their deadline stopped short score worse than their family would with its time.
    const cut = ranked.slice(0, REPORT_LEADERBOARD_ROWS).filter((c) => c.cutFolds > 0);
    if (cut.length > 0)
      out.push(
        ...wrap(
          `cut by their deadline (fewer rounds or trees than asked; kept per fold): ${cut.map((c) => `#${c.id} ${c.rounds.join(', ')}`).join('; ')}`,
          width,
          '  ',
          '  ',
        ),
      );
  } else if (r.isRun && (r.status === 'finished' || r.status === 'interrupted')) {
    section('leaderboard: missing');
  }

  // The checks.
  if (e?.checks || (e?.dropped && e.dropped.length > 0)) section('checks');
  if (e?.dropped && e.dropped.length > 0)
    for (const d of e.dropped) out.push(...labelled('dropped', `${d.column}: ${d.reason}`, width));
  const leak = e?.checks?.leakage;
  if (leak) {
    for (const m of leak.messages) out.push(...wrap(m, width, '  ! ', '    '));
    const top = leak.features.slice(0, REPORT_CHECK_ROWS);
    if (top.length > 0) {
      out.push(
        ...wrap(`leakage: each feature alone against ${leak.target} (${leak.metric.toUpperCase()})`, width, '  '),
      );
      out.push(
        ...table(
          ['feature', 'alone', 'the rest', 'flagged'],
          top.map((f) => [
            f.feature,
            f.score === null ? '–' : f.score.toFixed(3),
            f.restScore === null ? '–' : f.restScore.toFixed(3),
            f.flagged ? `yes${f.relation ? ` (${f.relation})` : ''}` : 'no',
          ]),
          [false, true, true, false],
          width,
          [0, 3],
          '  ',
        ),
      );
    }
  }
  const shift = e?.checks?.shift;
  if (shift) {
    for (const m of shift.messages) out.push(...wrap(m, width, '  ! ', '    '));
    const top = shift.features.slice(0, REPORT_CHECK_ROWS);
    if (top.length > 0) {
      out.push(
        ...wrap(
          `shift: telling train from test, AUC ${shift.auc === null ? '–' : shift.auc.toFixed(3)} with all features; each alone:`,
          width,
          '  ',
        ),
      );
      out.push(
        ...table(
          ['feature', 'AUC', 'KS', 'flagged'],
          top.map((f) => [
            f.feature,
            f.auc === null ? '–' : f.auc.toFixed(3),
            f.ks === null ? '–' : f.ks.toFixed(3),
            f.flagged ? 'yes' : 'no',
          ]),
          [false, true, true, false],
          width,
          [0],
          '  ',
        ),
      );
    }
  } else if (e?.checks && e.checks.shift === null) {
    out.push(...wrap('shift: not checked (no test rows)', width, '  '));
  }
  if (e && e.checks === undefined && (r.status === 'finished' || r.status === 'interrupted'))
    out.push(...wrap('leakage and shift checks: missing from experiment.json', width, '  '));

  // The test rows: confusion matrix, per-class scores, thresholds.
  const t = r.test;
  if (t?.kind === 'classification') {
    const m = t.metrics;
    const classes = r.testPredictions?.classes ?? e?.classes ?? m.perClass?.map((c) => c.label) ?? null;
    const from = (k: keyof ClassificationMetrics): string =>
      t.derived.includes(k) ? ' (from test-predictions.csv)' : '';
    if (m.confusion && classes) {
      section(`confusion matrix on the test rows${from('confusion')}`);
      out.push(...confusionLines(m.confusion, classes, width));
    } else section('confusion matrix on the test rows: missing');
    if (m.perClass) {
      section(`per class on the test rows${from('perClass')}`);
      out.push(
        ...table(
          ['class', 'precision', 'recall', 'F1', 'support'],
          m.perClass.map((c) => [c.label, fmt(c.precision), fmt(c.recall), fmt(c.f1), fmt(c.support)]),
          [false, true, true, true, true],
          width,
          [0],
          '  ',
        ),
      );
      const summary: string[] = [];
      if (m.macro) summary.push(`macro F1 ${fmt(m.macro.f1)}`);
      if (m.mcc !== undefined) summary.push(`MCC ${fmt(m.mcc)}${from('mcc')}`);
      if (m.accuracy !== undefined) summary.push(`accuracy ${fmt(m.accuracy)}`);
      if (summary.length > 0) out.push(...wrap(summary.join('; '), width, '  '));
    }
    const views = thresholdViews(r);
    if (views.length > 0) {
      const v0 = views[0]!;
      section(
        `test rows at the best thresholds on p('${v0.positiveClass}')${v0.chosenOn === 'out-of-fold' ? ', chosen out of fold' : ', chosen on the test rows (an older run: no thresholds recorded)'}`,
      );
      out.push(
        ...table(
          ['best by', 'threshold', 'precision', 'recall', 'F1', 'MCC', 'TN FP FN TP'],
          views.map((v) => [
            v.objective === 'f1' ? 'F1' : 'MCC',
            String(Number(v.threshold.toPrecision(4))),
            fmt(v.precision),
            fmt(v.recall),
            fmt(v.f1),
            fmt(v.mcc),
            v.confusion.flat().join(' '),
          ]),
          [false, true, true, true, true, true, true],
          width,
          [6],
          '  ',
        ),
      );
    }
  } else if (t?.kind === 'regression') {
    const m = t.metrics;
    const p = r.testPredictions?.regression;
    if (p && p.actual.length > 0) {
      section('residuals on the test rows (predicted − actual)');
      const res = p.predicted.map((x, i) => x - p.actual[i]!).sort((a, b) => a - b);
      const q = (f: number): string => fmt(res[Math.min(res.length - 1, Math.floor(f * (res.length - 1)))]!);
      out.push(
        ...wrap(
          `min ${q(0)}, 5% ${q(0.05)}, median ${q(0.5)}, 95% ${q(0.95)}, max ${q(1)}; rmse ${m.rmse === undefined ? '–' : fmt(m.rmse)}`,
          width,
          '  ',
        ),
      );
    }
  } else if (r.status === 'finished' || r.status === 'interrupted') {
    section('test rows: no test metrics and no test-predictions.csv');
  }

  if ((r.status === 'failed' || r.status === 'interrupted') && r.log && r.log.length > 0) {
    section('run.log, its last lines');
    for (const l of r.log.slice(-5)) out.push(...wrap(l.trim(), width, '  ', '    '));
  }
  return out;
}

/**
 * The confusion matrix as a table (rows: actual, columns: predicted), or, when that does not fit
 * the width, its largest off-diagonal cells.
 */
export function confusionLines(confusion: number[][], classes: readonly string[], width: number): string[] {
  const header = ['actual \\ predicted', ...classes];
  const rows = confusion.map((row, a) => [classes[a] ?? String(a), ...row.map((x) => fmt(x))]);
  const full = table(header, rows, [false, ...classes.map(() => true)], Number.MAX_SAFE_INTEGER, [], '  ');
  if (full.every((l) => displayWidth(l) <= width)) return full;
  const cells = largestConfusions(confusion, classes, REPORT_CONFUSION_CELLS);
  const offDiagonal = confusion.reduce((s, row, a) => s + row.reduce((t, x, p) => t + (a === p ? 0 : x), 0), 0);
  const lines = wrap(
    `${classes.length} classes are too many for ${width} columns; the largest of ${fmt(offDiagonal)} misclassified rows:`,
    width,
    '  ',
    '  ',
  );
  if (cells.length === 0) return [...lines, '  none: every test row is predicted right'];
  lines.push(
    ...table(
      ['actual', 'predicted as', 'rows', 'of actual'],
      cells.map((c) => [c.actual, c.predicted, fmt(c.count), `${(100 * c.share).toFixed(1)}%`]),
      [false, false, true, true],
      width,
      [0, 1],
      '  ',
    ),
  );
  return lines;
}

/** The first lines: what state the run is in when it did not finish, in words. */
function stateLines(r: RunReport, width: number, style: Style): string[] {
  const e = r.experiment;
  const say = (text: string): string[] => wrap(text, width).map((l) => style.bold(l));
  if (!r.isRun) return say(`${r.dir} is not a run folder.`);
  switch (r.status) {
    case 'finished':
      return [];
    case 'damaged':
      return say(`Run ${r.name} is DAMAGED: it cannot be reported in full. What exists is shown below.`);
    case 'running':
      return say(
        `Run ${r.name} has NOT FINISHED: experiment.json says it is running${e?.startedAt ? ` (started ${e.startedAt})` : ''}. If no automl run is still working on it, it was killed. Only its settings exist so far.`,
      );
    case 'failed':
      return say(
        `Run ${r.name} FAILED${e?.endedAt ? ` at ${e.endedAt}` : ''}: ${e?.error?.message ?? 'no error was recorded'}. No pipeline was written; its settings and run.log are shown below.`,
      );
    case 'interrupted':
      return say(
        e?.test !== undefined || e?.search !== undefined
          ? `Run ${r.name} was INTERRUPTED (Ctrl-C or SIGTERM): the search stopped early and the best pipeline found by then was finished. Its scores are those of that pipeline.`
          : r.leaderboard.length > 0
            ? `Run ${r.name} was INTERRUPTED twice: the search stopped and finishing its best pipeline was skipped, so no pipeline was written. ${e?.error?.message ?? ''}`.trim()
            : `Run ${r.name} was INTERRUPTED before any candidate was scored: nothing was finished. ${e?.error?.message ?? ''}`.trim(),
      );
  }
}
