/**
 * The experiment dashboard, in the terminal: what `automl run` prints at its end and `automl
 * report` prints first. The tutorial's dashboard in text: status, the data and the dials, the
 * checks, the winner and the ensemble, validation and test scores, variable importance, the
 * pipeline's size and speed. Every line fits the given width (80 when not on a terminal).
 */
import { METRICS, isMetricName } from '../metrics/registry.js';
import type { RunExperiment } from './load.js';
import { fmt, fmtBytes, labelled, paramsText, PLAIN, table, truncate, wrap, type Style } from './text.js';

export { fmtBytes } from './text.js';

/** Options of {@link dashboardLines}. */
export interface DashboardOptions {
  /** Columns each line fits in (default 80). */
  width?: number;
  /** Bold and dim on a colour terminal (default: plain). */
  style?: Style;
  /** The experiment's name when experiment.json's settings lack it (the run folder's name). */
  name?: string;
}

/** The importance table's rows, at most. */
export const DASHBOARD_IMPORTANCE_ROWS = 8;

/**
 * The dashboard's lines, each at most `width` columns. Takes experiment.json as read back (or the
 * ExperimentResult of a run just finished); a member an older run lacks is left out of the view,
 * and the parts it would have shown are said to be missing.
 *
 * @example
 * for (const line of dashboardLines(result, { width: 80 })) console.log(line);
 * // Experiment cool_cond_y-hydraulic: FINISHED
 * //   target     cool_cond_y (multiclass: 3, 20, 100)
 * //   …
 */
export function dashboardLines(r: RunExperiment, opts: DashboardOptions = {}): string[] {
  const width = opts.width ?? 80;
  const style = opts.style ?? PLAIN;
  const s = r.settings ?? {};
  const out: string[] = [];
  const add = (label: string, text: string): void => {
    out.push(...labelled(label, text, width));
  };
  const name = s.name ?? opts.name ?? '(unnamed)';
  out.push(...wrap(`Experiment ${name}: ${(r.status ?? 'unknown').toUpperCase()}`, width).map((l) => style.bold(l)));

  if (s.target !== undefined)
    add('target', `${s.target}${r.task ? ` (${r.task}${r.classes ? `: ${r.classes.join(', ')}` : ''})` : ''}`);
  if (r.rows)
    add(
      'rows',
      `${r.rows.train} train${r.rows.searched !== undefined ? ` (${r.rows.searched} searched)` : ''}, ${r.rows.test} test${r.rows.droppedMissingTarget ? ` (${r.rows.droppedMissingTarget} without a target left out)` : ''}${r.features ? `; ${r.features.length} features` : ''}`,
    );
  for (const line of droppedLines(r.dropped ?? [])) add('dropped', line);
  // The columns that gave the rows a role (README: automl run --weight, --fold, --time-column).
  const zeroWeight = r.rows?.zeroWeight;
  const roles = [
    s.weightColumn !== undefined
      ? `weighted by ${s.weightColumn}${zeroWeight ? ` (${zeroWeight} training rows of weight 0 not trained on)` : ''}`
      : '',
    s.foldColumn !== undefined ? `folds from ${s.foldColumn}` : '',
    s.timeColumn !== undefined ? `in ${s.timeColumn} order: the latest 25% test, folds forward in time` : '',
  ].filter((x) => x !== '');
  if (roles.length > 0) add('rows by', roles.join('; '));
  if (s.time !== undefined)
    add('dials', `time ${s.time}, accuracy ${s.accuracy ?? '?'}, interpretability ${s.interpretability ?? '?'}`);
  const se = r.search;
  if (se?.candidates !== undefined) {
    const threads = se.threads ?? 0;
    add(
      'search',
      `${se.candidates} candidates (${se.halved ?? 0} dropped early by successive halving${se.failed ? `, ${se.failed} failed: see run.log` : ''})${threads ? ` on ${threads} thread${threads === 1 ? '' : 's'}` : ''}${se.stoppedBy ? `, stopped by ${se.stoppedBy}` : ''}`,
    );
  }
  if (r.checks?.leakage) add('leakage', withoutPrefix(r.checks.leakage.summary, 'leakage: '));
  if (r.checks?.shift) add('shift', withoutPrefix(r.checks.shift.summary, 'shift: '));
  for (const [field, u] of Object.entries(r.testUnseenLevels ?? {}))
    add(
      'unseen',
      `test rows: '${field}' has ${u.rows} row(s) with levels never seen in training (${u.levels.slice(0, 3).join(', ')}${u.levels.length > 3 ? ', …' : ''}), scored as missing`,
    );
  if (r.final === 'fold-models')
    add(
      'final',
      `${s.final === 'folds' ? 'as asked' : 'no time was left to refit on all rows'}: the pipeline averages the winner's fold models (see run.log)`,
    );
  if (se?.best)
    add('winner', `${se.best.family} (${paramsText(se.best.params as Record<string, unknown> | undefined)})`);
  const e = r.ensemble;
  const metric = s.scorer ?? (r.task === 'regression' ? 'rmse' : 'logloss');
  if (e?.kept) {
    const shown = e.members
      .slice(0, 6)
      .map((m) => `${m.family} #${m.id} ${m.weight.toFixed(3)}${m.shipped === 'refit' ? ' (refit)' : ''},`);
    const more = e.members.length > 6 ? ` and ${e.members.length - 6} more` : '';
    // Kept though the winner alone scores a little better: a tie within the noise.
    const higherIsBetter = isMetricName(metric) && METRICS[metric].greaterIsBetter;
    const tie = higherIsBetter ? e.score < e.singleScore : e.score > e.singleScore;
    add(
      'ensemble',
      `${e.members.length} members (${metric} out of fold ${fmt(e.score)}, the winner alone ${fmt(e.singleScore)}${tie ? ': a tie within the noise, so the ensemble' : ''}): ${shown.join(' ').replace(/,$/, '')}${more}`,
    );
  } else if (e && e.members.length > 0) {
    add('ensemble', `none: the winner alone (${metric} out of fold ${fmt(e.singleScore)}) beat one (${fmt(e.score)})`);
  }
  const cal = (e?.members ?? []).filter((m) => m.calibration);
  if (cal.length > 0)
    add(
      'calibrated',
      `out of fold: temperature ${cal
        .map((m) => m.calibration!.temperature.toFixed(2))
        .slice(0, 6)
        .join(', ')}`,
    );
  if (r.featuresUsed) {
    const eng = r.featuresUsed.engineered;
    add(
      'features',
      `${r.featuresUsed.original.length}${r.features ? ` of ${r.features.length}` : ''} columns used; ${eng.length} engineered${eng.length ? ` (${eng.slice(0, 4).join(', ')}${eng.length > 4 ? ', …' : ''})` : ''}`,
    );
  }
  // A run with results (not one that failed, is running, or was interrupted before any candidate
  // was scored): what an older version did not record is said to be missing.
  const results = r.status === 'finished' || (r.status === 'interrupted' && (se !== undefined || r.test !== undefined));
  const missing = (['search', 'checks', 'ensemble', 'featuresUsed'] as const).filter((k) => r[k] === undefined);
  if (results && missing.length > 0) add('missing', `experiment.json has no ${missing.join(', ')} (an older version)`);
  if (!results) return out;

  // Scores.
  out.push('');
  const v = r.validation;
  const t = r.test;
  if (v === undefined && t === undefined) {
    out.push(...wrap('scores: experiment.json has none', width, '  '));
  } else {
    const keys = r.task === 'regression' ? ['rmse', 'mae', 'r2'] : ['logloss', 'accuracy', 'mcc', 'auc'];
    const num = (x: unknown): string => (typeof x === 'number' ? fmt(x) : '');
    const rows = keys.map((k) => [k, num(v?.[k]), num(t?.[k])]);
    if (r.task !== 'regression') {
      const vm = v?.['macro'] as Record<string, number> | undefined;
      const tm = t?.['macro'] as Record<string, number> | undefined;
      for (const k of ['precision', 'recall', 'f1']) rows.push([`macro ${k}`, num(vm?.[k]), num(tm?.[k])]);
    }
    const scheme =
      se?.validation === undefined
        ? 'validation'
        : s.timeColumn !== undefined
          ? `validation (forward in time, ${se.validationRows ?? '?'} rows)`
          : se.validation === 'holdout'
            ? `validation (holdout, ${se.validationRows ?? '?'} rows)`
            : s.foldColumn !== undefined
              ? `validation (${se.validation} folds of ${s.foldColumn})`
              : `validation (${se.validation}-fold, out of fold)`;
    out.push(...table(['scores', scheme, 'test'], rows, [false, true, true], width, [1, 0]));
  }
  const thresholds = r.thresholds;
  if (thresholds) {
    const th = (x: number): string => String(Number(x.toPrecision(4)));
    const pos = truncate(thresholds.positiveClass, Math.max(8, width - 60));
    out.push(
      ...labelled(
        'thresholds',
        `on p('${pos}'), out of fold: best F1 at ${th(thresholds.f1)}, best MCC at ${th(thresholds.mcc)}`,
        width,
      ),
    );
  }

  // Variable importance.
  out.push('');
  if (r.importance === undefined) {
    out.push(...wrap('variable importance: experiment.json has none', width, '  '));
  } else if (r.importance.length > 0) {
    const gain = r.importance.some((i) => i.gain !== null);
    out.push(
      ...wrap(
        `variable importance (permutation, out of fold; relative to the largest${gain ? "; gain: the refit model's share" : ''})`,
        width,
      ),
    );
    out.push(
      ...table(
        ['feature', 'relative', `${metric} worse by`, 'gain'],
        r.importance
          .slice(0, DASHBOARD_IMPORTANCE_ROWS)
          .map((i) => [
            i.feature,
            i.importance === null ? '–' : i.importance.toFixed(3),
            i.permutation === null ? 'not measured' : fmt(i.permutation),
            i.gain === null ? '–' : i.gain.toFixed(3),
          ]),
        [false, true, true, true],
        width,
      ),
    );
    if (r.importance.length > DASHBOARD_IMPORTANCE_ROWS)
      out.push(...wrap(`… and ${r.importance.length - DASHBOARD_IMPORTANCE_ROWS} more features`, width));
  }

  // The pipeline.
  out.push('');
  if (r.seconds)
    add(
      'elapsed',
      `${r.seconds.total.toFixed(1)} s${r.seconds.search !== undefined ? ` (search ${r.seconds.search.toFixed(1)} s${r.seconds.refit !== undefined ? `, refit ${r.seconds.refit.toFixed(1)} s` : ''})` : ''}${r.peakRssBytes !== undefined ? `; peak memory ${(r.peakRssBytes / 1048576).toFixed(0)} MB` : ''}`,
    );
  if (r.scoreMicrosPerRow !== undefined) add('scorer', `${r.scoreMicrosPerRow.toFixed(1)} µs per row`);
  if (r.pipelinePath)
    add('pipeline', `${r.pipelinePath}${r.pipelineBytes !== undefined ? ` (${fmtBytes(r.pipelineBytes)})` : ''}`);
  if (r.experimentDir) add('experiment', r.experimentDir);
  while (out[out.length - 1] === '') out.pop();
  return out;
}

/** Lines of dropped columns the dashboard shows, at most; the rest are counted (run.log lists them all). */
export const DASHBOARD_DROPPED_LINES = 6;

/**
 * The dropped columns with their reasons: columns dropped for the same reason share a line (the
 * recipe's other labels), at most {@link DASHBOARD_DROPPED_LINES} lines.
 */
export function droppedLines(dropped: readonly { column: string; reason: string }[]): string[] {
  const groups = new Map<string, string[]>();
  for (const d of dropped) groups.set(d.reason, [...(groups.get(d.reason) ?? []), d.column]);
  const lines = [...groups].map(([reason, columns]) => `${columns.join(', ')}: ${reason}`);
  if (lines.length <= DASHBOARD_DROPPED_LINES) return lines;
  const shown = lines.slice(0, DASHBOARD_DROPPED_LINES - 1);
  const rest = [...groups.values()].slice(DASHBOARD_DROPPED_LINES - 1).flat().length;
  return [...shown, `… and ${rest} more column${rest === 1 ? '' : 's'} (see run.log)`];
}

function withoutPrefix(text: string, prefix: string): string {
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}
