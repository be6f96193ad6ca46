/**
 * What a report of a run says, once, for every format that is a document (HTML, Markdown): a
 * title, a banner when the run is not complete, and sections of blocks (facts, tables, charts,
 * text). The renderers (html.ts, markdown.ts) only lay the blocks out; every number and every
 * sentence comes from here, so the formats cannot disagree.
 *
 *   summary      status, target, data, rows, dials, validation, search, winner, elapsed, memory,
 *                pipeline size, scorer latency; the validation and test scores
 *   importance   the chart (permutation and gain) and its table
 *   classes      confusion heat map, per-class precision / recall / F1 / MCC / AUC / AP, binary
 *                thresholds
 *   curves       ROC and precision-recall
 *   regression   predicted vs actual, residuals
 *   iteration    best validation score over elapsed time
 *   leaderboard  every candidate
 *   ensemble     members and weights
 *   checks       leakage, shift, dropped columns, unseen levels
 *   pipeline     its feature steps and model in words
 *   provenance   tool version, seed, data files and their sha256, settings
 *   log          the end of run.log (a run that did not finish)
 */
import { mccBinary } from '../metrics/mcc.js';
import { METRICS, isMetricName } from '../metrics/registry.js';
import { packageVersion } from '../util/paths.js';
import { deadlineCut } from '../search/run-files.js';
import {
  confusionChart,
  importanceChart,
  iterationChart,
  predictedActualChart,
  prChart,
  residualChart,
  rocChart,
  type Chart,
} from './charts.js';
import { classificationCurves, prCurve, regressionPoints, rocCurve } from './curves.js';
import {
  rankLeaderboard,
  scorerOf,
  thresholdViews,
  winnerText,
  type ClassificationMetrics,
  type RunExperiment,
  type RunReport,
} from './load.js';
import { metricValue } from './summary.js';
import { fmt, fmtBytes, fmtSeconds, paramsText } from './text.js';

/** A table cell: text, optionally the exact number it shows (rounded) and how to set it. */
export interface CellValue {
  readonly text: string;
  /** The exact value a rounded number stands for (HTML keeps it in a data attribute). */
  readonly value?: number;
  /** An identifier or a path: set in a monospace font. */
  readonly code?: boolean;
  readonly strong?: boolean;
}
export type Cell = string | CellValue;

export type Block =
  | { readonly kind: 'kpis'; readonly items: readonly { label: string; value: Cell; note?: string }[] }
  | { readonly kind: 'facts'; readonly rows: readonly { label: string; value: Cell }[] }
  | { readonly kind: 'text'; readonly text: string; readonly muted?: boolean }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | {
      readonly kind: 'table';
      /** What the table shows (its caption). */
      readonly caption?: string;
      readonly header: readonly string[];
      readonly rows: readonly (readonly Cell[])[];
      /** Per column: right-aligned numbers. */
      readonly numeric: readonly boolean[];
      /** A name for tests and styles. */
      readonly name: string;
    }
  | { readonly kind: 'charts'; readonly charts: readonly Chart[] }
  /** Blocks side by side where there is room (HTML), one after the other otherwise. */
  | { readonly kind: 'row'; readonly blocks: readonly Block[] }
  | { readonly kind: 'pre'; readonly text: string; readonly caption?: string }
  /** A part of the report that the run does not have, and why. */
  | { readonly kind: 'missing'; readonly text: string };

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly blocks: readonly Block[];
}

export interface Banner {
  readonly level: 'warning' | 'error';
  readonly title: string;
  readonly text: string;
  /** What is missing or unreadable, one sentence each. */
  readonly items: readonly string[];
}

export interface ReportContent {
  readonly title: string;
  readonly subtitle: string;
  readonly banner: Banner | null;
  readonly sections: readonly Section[];
  /** The tool that made the report (this version), for the footer. */
  readonly generator: string;
}

/** Importance rows shown in the chart and the table, at most. */
export const IMPORTANCE_SHOWN = 20;
/** Rows of the checks' tables, at most. */
export const CHECK_ROWS = 10;
/** Lines of run.log shown for a run that did not finish. */
export const LOG_LINES = 30;

/** A number as the report shows it, keeping the exact value. */
export function num(v: number): CellValue {
  return { text: fmt(v), value: v };
}

function numOrDash(v: number | null | undefined): Cell {
  return typeof v === 'number' && Number.isFinite(v) ? num(v) : '–';
}

function code(text: string): CellValue {
  return { text, code: true };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** An ISO time as a reader reads it: 2026-12-02 08:25:22 UTC. */
export function fmtDate(d: Date | string | undefined): string {
  if (d === undefined) return '–';
  const date = typeof d === 'string' ? new Date(d) : d;
  if (Number.isNaN(date.getTime())) return String(d);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function greaterIsBetter(metric: string): boolean {
  return isMetricName(metric) ? METRICS[metric].greaterIsBetter : false;
}

/** The words for the way the run validated: `3-fold, out of fold` or `holdout (a fifth of the training rows)`. */
function validationWords(e: RunExperiment): string | null {
  const v = e.search?.validation;
  if (v === undefined) return null;
  return v === 'holdout' ? 'holdout (a fifth of the training rows)' : `${v}-fold, out of fold`;
}

const STATUS_WORDS: Record<RunReport['status'], string> = {
  finished: 'finished',
  running: 'running (or stopped without a word: killed)',
  failed: 'failed',
  interrupted: 'interrupted',
  damaged: 'damaged',
};

function banner(r: RunReport): Banner | null {
  const e = r.experiment;
  const items = [...r.problems];
  const error = e?.error ? `: ${e.error.message}` : '';
  switch (r.status) {
    case 'interrupted':
      return {
        level: 'warning',
        title: 'This experiment was interrupted',
        text:
          e?.test !== undefined
            ? `It was stopped before its search ended${error}. The best pipeline found until then was finished and measured: what follows is that pipeline, from a shorter search than was asked for.`
            : `It was stopped before any candidate was finished${error}. There are no results; its settings and log follow.`,
        items,
      };
    case 'failed':
      return {
        level: 'error',
        title: 'This experiment failed',
        text: `It stopped with an error${error}. There are no results; its settings and the end of its log follow.`,
        items,
      };
    case 'running':
      return {
        level: 'warning',
        title: 'This experiment has not finished',
        text: 'experiment.json says it is running: it is still going, or it was killed without a word. There are no results yet.',
        items,
      };
    case 'damaged':
      return {
        level: 'error',
        title: 'This run folder is damaged',
        text: 'Its experiment.json is missing or unreadable, so most of the report cannot be made; what could be read follows.',
        items,
      };
    case 'finished':
      return items.length > 0
        ? {
            level: 'warning',
            title:
              e?.toolVersion && e.toolVersion !== packageVersion()
                ? `Written by automl ${e.toolVersion}`
                : 'Parts of this run are missing',
            text: 'Some of what a report shows is not in this run folder; those parts are left out (each section says so).',
            items,
          }
        : null;
  }
}

// ---------------------------------------------------------------------------------------------
// Sections

function summarySection(r: RunReport): Section {
  const e = r.experiment;
  const s = e?.settings;
  const blocks: Block[] = [];
  const metric = scorerOf(e);
  const binary = e?.task === 'binary';
  const kpis: { label: string; value: Cell; note?: string }[] = [];
  const validation = metricValue(e?.validation, metric, binary);
  if (validation !== null)
    kpis.push({ label: `validation ${metric}`, value: num(validation), note: validationWords(e!) ?? undefined });
  const t = r.test;
  if (t?.kind === 'classification') {
    const m = t.metrics;
    if (m.logloss !== undefined) kpis.push({ label: 'test logloss', value: num(m.logloss) });
    if (m.accuracy !== undefined) kpis.push({ label: 'test accuracy', value: num(m.accuracy) });
    if (m.mcc !== undefined) kpis.push({ label: 'test MCC', value: num(m.mcc) });
    if (typeof m.auc === 'number') kpis.push({ label: 'test AUC', value: num(m.auc) });
  } else if (t?.kind === 'regression') {
    const m = t.metrics;
    for (const k of ['rmse', 'mae', 'r2'] as const) {
      const v = m[k];
      if (v !== undefined) kpis.push({ label: `test ${k === 'r2' ? 'R²' : k}`, value: num(v) });
    }
  }
  if (kpis.length > 0) blocks.push({ kind: 'kpis', items: kpis });

  const facts: { label: string; value: Cell }[] = [];
  facts.push({ label: 'status', value: { text: STATUS_WORDS[r.status], strong: true } });
  if (s?.target !== undefined)
    facts.push({
      label: 'target',
      value: `${s.target} (${e?.task ?? 'task not recorded'}${e?.classes ? `: ${e.classes.join(', ')}` : ''})`,
    });
  const data = e?.data;
  if (data?.train)
    facts.push({
      label: 'data',
      value: code(`${data.train.path}${data.test ? `; test ${data.test.path}` : ' (split 75/25, stratified, seeded)'}`),
    });
  if (e?.rows)
    facts.push({
      label: 'rows',
      value: `${e.rows.train} train${e.rows.searched !== undefined ? ` (${e.rows.searched} searched)` : ''}, ${e.rows.test} test${e.rows.droppedMissingTarget ? ` (${e.rows.droppedMissingTarget} without a target left out)` : ''}`,
    });
  if (e?.features) {
    const used = e.featuresUsed;
    facts.push({
      label: 'features',
      value: `${e.features.length}${used ? ` (the pipeline reads ${used.original.length}; ${plural(used.engineered.length, 'engineered column')})` : ''}${e.dropped && e.dropped.length > 0 ? `; ${plural(e.dropped.length, 'column')} dropped (see Checks)` : ''}`,
    });
  }
  if (s?.time !== undefined) {
    const limit =
      s.maxModels !== undefined
        ? `; ${plural(s.maxModels, 'candidate')}, no time limit`
        : typeof e?.budgetSeconds === 'number'
          ? `; budget ${fmtSeconds(e.budgetSeconds)}`
          : '';
    facts.push({
      label: 'dials',
      value: `time ${s.time}, accuracy ${s.accuracy ?? '?'}, interpretability ${s.interpretability ?? '?'}${limit}`,
    });
  }
  if (e && validationWords(e))
    facts.push({
      label: 'validation',
      value: `${validationWords(e)}${e.search?.validationRows !== undefined ? `, on ${e.search.validationRows} training rows` : ''}; metric ${metric} (${greaterIsBetter(metric) ? 'higher' : 'lower'} is better)`,
    });
  const se = e?.search;
  if (se?.candidates !== undefined)
    facts.push({
      label: 'search',
      value: `${plural(se.candidates, 'candidate')} (${se.halved ?? 0} halved early, ${se.failed ?? 0} failed)${se.threads ? ` on ${plural(se.threads, 'thread')}` : ''}${se.stoppedBy ? `; stopped by ${se.stoppedBy}` : ''}`,
    });
  const winner = winnerText(e);
  if (winner)
    facts.push({
      label: 'winner',
      value: `${winner}${!e?.ensemble?.kept && se?.best ? ` (${paramsText(se.best.params as Record<string, unknown> | undefined)})` : ''}`,
    });
  if (e?.seconds)
    facts.push({
      label: 'elapsed',
      value: `${fmtSeconds(e.seconds.total)}${e.seconds.search !== undefined ? ` (search ${fmtSeconds(e.seconds.search)}${e.seconds.refit !== undefined ? `, refit ${fmtSeconds(e.seconds.refit)}` : ''})` : ''}`,
    });
  if (e?.peakRssBytes !== undefined) facts.push({ label: 'peak memory', value: fmtBytes(e.peakRssBytes) });
  if (e?.pipelineBytes !== undefined || e?.pipelinePath !== undefined)
    facts.push({
      label: 'pipeline',
      value: code(
        `${e?.pipelineBytes !== undefined ? fmtBytes(e.pipelineBytes) : 'size not recorded'}${e?.pipelinePath ? `: ${e.pipelinePath}` : ''}`,
      ),
    });
  if (e?.scoreMicrosPerRow !== undefined)
    facts.push({
      label: 'scorer latency',
      value: `${e.scoreMicrosPerRow.toFixed(1)} µs per row (the exported pipeline on the test rows, in batch)`,
    });
  if (e?.startedAt) facts.push({ label: 'started', value: fmtDate(e.startedAt) });
  const ended = e?.finishedAt ?? e?.endedAt;
  if (ended) facts.push({ label: e?.finishedAt ? 'finished' : 'ended', value: fmtDate(ended) });
  const scores = scoresTable(r);
  blocks.push(
    scores ? { kind: 'row', blocks: [{ kind: 'facts', rows: facts }, scores] } : { kind: 'facts', rows: facts },
  );
  if (!scores && (r.status === 'finished' || r.status === 'interrupted'))
    blocks.push({ kind: 'missing', text: 'No validation or test scores: experiment.json has none.' });
  return { id: 'summary', title: 'Summary', blocks };
}

function scoresTable(r: RunReport): Block | null {
  const e = r.experiment;
  const v = e?.validation;
  const t = r.test;
  if (!v && !t) return null;
  const tm = (t?.metrics ?? {}) as Record<string, unknown>;
  const rows: Cell[][] = [];
  const regression = e?.task === 'regression' || t?.kind === 'regression';
  const keys: [string, (m: Record<string, unknown>) => unknown][] = regression
    ? [
        ['rmse', (m) => m['rmse']],
        ['mae', (m) => m['mae']],
        ['R²', (m) => m['r2']],
      ]
    : [
        ['logloss', (m) => m['logloss']],
        ['accuracy', (m) => m['accuracy']],
        ['MCC', (m) => m['mcc']],
        ['AUC', (m) => m['auc']],
        ['macro precision', (m) => (m['macro'] as Record<string, unknown> | undefined)?.['precision']],
        ['macro recall', (m) => (m['macro'] as Record<string, unknown> | undefined)?.['recall']],
        ['macro F1', (m) => (m['macro'] as Record<string, unknown> | undefined)?.['f1']],
      ];
  for (const [label, get] of keys) {
    const a = v ? get(v) : undefined;
    const b = t ? get(tm) : undefined;
    if (typeof a !== 'number' && typeof b !== 'number') continue;
    rows.push([label, numOrDash(a as number | undefined), numOrDash(b as number | undefined)]);
  }
  if (rows.length === 0) return null;
  const derived = t && t.derived.length > 0 ? ` (${t.derived.join(', ')} computed from test-predictions.csv)` : '';
  return {
    kind: 'table',
    name: 'scores',
    caption: `Scores: validation ${e && validationWords(e) ? `(${validationWords(e)}) ` : ''}and test (the held-out rows, scored once)${derived}.`,
    header: ['metric', 'validation', 'test'],
    rows,
    numeric: [false, true, true],
  };
}

function importanceSection(r: RunReport): Section {
  const e = r.experiment;
  const imp = e?.importance;
  const metric = scorerOf(e);
  if (!imp || imp.length === 0)
    return {
      id: 'importance',
      title: 'Variable importance',
      blocks: [{ kind: 'missing', text: 'Not in this run: experiment.json has no variable importance.' }],
    };
  const chart = importanceChart(imp, metric, IMPORTANCE_SHOWN);
  const rows = imp
    .slice(0, IMPORTANCE_SHOWN)
    .map((i, k) => [
      String(k + 1),
      code(i.feature),
      numOrDash(i.importance),
      numOrDash(i.permutation),
      numOrDash(i.gain),
    ]);
  const more = imp.length > IMPORTANCE_SHOWN ? ` The ${imp.length - IMPORTANCE_SHOWN} others are less important.` : '';
  const unmeasured = imp.filter((i) => i.importance === null).length;
  return {
    id: 'importance',
    title: 'Variable importance',
    blocks: [
      {
        kind: 'row',
        blocks: [
          { kind: 'charts', charts: [chart] },
          {
            kind: 'table',
            name: 'importance',
            caption: `Permutation importance out of fold (how much worse the ${metric} gets when the feature is shuffled; relative to the largest), and the model's own gain share.${more}${unmeasured > 0 ? ` ${plural(unmeasured, 'feature was', 'features were')} not measured before the budget ran out (–).` : ''}`,
            header: ['#', 'feature', 'relative', `${metric} worse by`, 'gain share'],
            rows,
            numeric: [true, false, true, true, true],
          },
        ],
      },
    ],
  };
}

/** Per class, one-vs-rest from the K × K confusion matrix: the class's MCC against the rest. */
export function oneVsRestMcc(confusion: readonly (readonly number[])[], k: number): number {
  let total = 0;
  let row = 0;
  let col = 0;
  confusion.forEach((r, a) =>
    r.forEach((c, p) => {
      total += c;
      if (a === k) row += c;
      if (p === k) col += c;
    }),
  );
  const tp = confusion[k]?.[k] ?? 0;
  const fn = row - tp;
  const fp = col - tp;
  return mccBinary(total - tp - fn - fp, fp, fn, tp);
}

function classLabels(r: RunReport): string[] | null {
  return r.experiment?.classes ?? r.testPredictions?.classes ?? null;
}

/** Test rows as class indices and probabilities, when every label is a class. */
function testArrays(r: RunReport): { y: Int32Array; proba: Float64Array; classes: string[] } | null {
  const p = r.testPredictions;
  if (!p?.classes || p.y.length === 0 || p.y.some((c) => c < 0)) return null;
  return { y: Int32Array.from(p.y), proba: Float64Array.from(p.probabilities.flat()), classes: p.classes };
}

function classesSection(r: RunReport): Section {
  const classes = classLabels(r);
  const m: Partial<ClassificationMetrics> = r.test?.kind === 'classification' ? r.test.metrics : {};
  const blocks: Block[] = [];
  if (!classes || !m.confusion) {
    blocks.push({
      kind: 'missing',
      text: 'Not in this run: no test confusion matrix (experiment.json has none and there are no test predictions to compute it from).',
    });
    return { id: 'classes', title: 'Test metrics by class', blocks };
  }
  const chart: Block = { kind: 'charts', charts: [confusionChart(classes, m.confusion)] };
  const arrays = testArrays(r);
  const K = classes.length;
  const rows: Cell[][] = classes.map((label, k) => {
    const c = m.perClass?.[k];
    const auc = arrays ? rocCurve(arrays.y, arrays.proba, k, K, k).auc : null;
    const ap = arrays ? prCurve(arrays.y, arrays.proba, k, K, k).averagePrecision : null;
    return [
      code(label),
      c ? num(c.support) : num(m.confusion![k]!.reduce((s, v) => s + v, 0)),
      numOrDash(c?.precision),
      numOrDash(c?.recall),
      numOrDash(c?.f1),
      num(oneVsRestMcc(m.confusion!, k)),
      numOrDash(auc),
      numOrDash(ap),
    ];
  });
  const total = m.confusion.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  rows.push([
    { text: 'all classes', strong: true },
    num(total),
    m.macro ? num(m.macro.precision) : '–',
    m.macro ? num(m.macro.recall) : '–',
    m.macro ? num(m.macro.f1) : '–',
    numOrDash(m.mcc),
    numOrDash(m.auc),
    '–',
  ]);
  const perClass: Block = {
    kind: 'table',
    name: 'per-class',
    caption: `Per class on the test rows: precision, recall and F1 of predicting the most probable class; MCC, AUC and average precision (AP) of the class against the rest. The last line: macro averages of precision, recall and F1, the multiclass MCC${K > 2 ? ' and the one-vs-rest macro AUC' : ' and the AUC'}.`,
    header: ['class', 'rows', 'precision', 'recall', 'F1', 'MCC', 'AUC', 'AP'],
    rows,
    numeric: [false, true, true, true, true, true, true, true],
  };
  blocks.push({ kind: 'row', blocks: [chart, perClass] });
  const views = thresholdViews(r);
  if (views.length > 0) {
    const chosen = views[0]!.chosenOn;
    blocks.push({
      kind: 'table',
      name: 'thresholds',
      caption: `Binary decision thresholds on the probability of '${views[0]!.positiveClass}': ${chosen === 'out-of-fold' ? 'chosen out of fold (never on the test rows) and carried in the pipeline file' : 'this run has no thresholds of its own (an older version): the best on the test rows, which flatters'}; the test rows predicted at each. The confusion counts: actual negative predicted negative (TN) and positive (FP), actual positive predicted negative (FN) and positive (TP).`,
      header: ['best by', 'threshold', 'precision', 'recall', 'F1', 'MCC', 'accuracy', 'TN', 'FP', 'FN', 'TP'],
      rows: views.map((v) => [
        v.objective === 'f1' ? 'F1' : 'MCC',
        num(v.threshold),
        num(v.precision),
        num(v.recall),
        num(v.f1),
        num(v.mcc),
        num(v.accuracy),
        num(v.confusion[0]![0]!),
        num(v.confusion[0]![1]!),
        num(v.confusion[1]![0]!),
        num(v.confusion[1]![1]!),
      ]),
      numeric: [false, true, true, true, true, true, true, true, true, true, true],
    });
  }
  return { id: 'classes', title: 'Test metrics by class', blocks };
}

function curvesSection(r: RunReport): Section {
  const arrays = testArrays(r);
  if (!arrays)
    return {
      id: 'curves',
      title: 'ROC and precision-recall',
      blocks: [
        {
          kind: 'missing',
          text: 'Not in this run: the curves need test-predictions.csv with every actual label among the classes.',
        },
      ],
    };
  const t = r.experiment?.thresholds;
  const curves = classificationCurves(arrays.y, arrays.proba, arrays.classes, t ? { f1: t.f1, mcc: t.mcc } : null);
  return {
    id: 'curves',
    title: 'ROC and precision-recall',
    blocks: [{ kind: 'charts', charts: [rocChart(curves), prChart(curves)] }],
  };
}

function regressionSection(r: RunReport): Section {
  const reg = r.testPredictions?.regression;
  const target = r.experiment?.settings?.target ?? r.testPredictions?.target ?? 'target';
  if (!reg || reg.actual.length === 0)
    return {
      id: 'regression',
      title: 'Predicted vs actual',
      blocks: [{ kind: 'missing', text: 'Not in this run: no test predictions (test-predictions.csv).' }],
    };
  const { points, rows } = regressionPoints(Float64Array.from(reg.actual), Float64Array.from(reg.predicted));
  const blocks: Block[] = [
    { kind: 'charts', charts: [predictedActualChart(points, rows, target), residualChart(points, rows, target)] },
  ];
  if (points.length > 0) {
    const mean = points.reduce((s, p) => s + p.residual, 0) / points.length;
    const worst = points.reduce((w, p) => (Math.abs(p.residual) > Math.abs(w.residual) ? p : w), points[0]!);
    blocks.push({
      kind: 'text',
      text: `Residuals on ${plural(points.length, 'test row')}: mean ${fmt(mean)} (0 is unbiased); the largest ${fmt(worst.residual)} (test row ${worst.row + 1}: actual ${fmt(worst.actual)}, predicted ${fmt(worst.predicted)}).`,
    });
  }
  return { id: 'regression', title: 'Predicted vs actual', blocks };
}

function iterationSection(r: RunReport): Section {
  const lb = r.leaderboard;
  const metric = scorerOf(r.experiment);
  const timed = lb.filter((e) => e.finishedSeconds !== null);
  if (lb.length === 0 || timed.length === 0)
    return {
      id: 'iteration',
      title: 'Iteration',
      blocks: [
        {
          kind: 'missing',
          text:
            lb.length === 0
              ? 'Not in this run: no leaderboard (leaderboard.csv).'
              : "Not in this run: leaderboard.csv has no candidates' times (an older version).",
        },
      ],
    };
  const chart = iterationChart(
    timed.map((e) => ({ id: e.id, family: e.family, status: e.status, score: e.score, finished: e.finishedSeconds! })),
    metric,
    greaterIsBetter(metric),
  );
  const best = r.experiment?.search?.best;
  const last = Math.max(...timed.map((e) => e.finishedSeconds!));
  return {
    id: 'iteration',
    title: 'Iteration',
    blocks: [
      { kind: 'charts', charts: [chart] },
      {
        kind: 'text',
        text: `${plural(lb.length, 'candidate')} in ${fmtSeconds(last)} of search${best?.id !== undefined && best.finished !== undefined ? `; the winner, #${best.id} ${best.family}, finished at ${fmtSeconds(best.finished)}` : ''}.`,
      },
    ],
  };
}

/** The leaderboard, best first (failed candidates last), the winner and the ensemble's members marked. */
function leaderboardSection(r: RunReport): Section {
  const lb = r.leaderboard;
  const metric = scorerOf(r.experiment);
  if (lb.length === 0)
    return {
      id: 'leaderboard',
      title: 'Leaderboard',
      blocks: [{ kind: 'missing', text: 'Not in this run: no leaderboard (leaderboard.csv).' }],
    };
  const up = greaterIsBetter(metric);
  const sorted = rankLeaderboard(lb, up);
  const winner = r.experiment?.search?.best?.id;
  const members = new Map((r.experiment?.ensemble?.kept ? r.experiment.ensemble.members : []).map((m) => [m.id, m]));
  const rows: Cell[][] = sorted.map((e, k) => {
    const notes = [
      e.id === winner ? 'winner' : '',
      members.has(e.id) ? `ensemble weight ${fmt(members.get(e.id)!.weight)}` : '',
      e.cutFolds > 0 ? deadlineCut({ ...e, folds: e.folds ?? e.cutFolds }) : '',
      e.error ?? '',
    ].filter((x) => x !== '');
    const strong = e.id === winner;
    return [
      String(k + 1),
      { text: String(e.id), strong },
      { text: e.family, strong },
      e.features,
      paramsText(e.params),
      e.status,
      e.folds !== null ? `${e.folds}/${e.plannedFolds}` : '–',
      numOrDash(e.score),
      e.fitSeconds !== null ? e.fitSeconds.toFixed(1) : '–',
      e.finishedSeconds !== null ? e.finishedSeconds.toFixed(1) : '–',
      notes.join('; '),
    ];
  });
  return {
    id: 'leaderboard',
    title: 'Leaderboard',
    blocks: [
      {
        kind: 'table',
        name: 'leaderboard',
        caption: `Every candidate, best first by validation ${metric} (${up ? 'higher' : 'lower'} is better): those scored on every fold, then those halved early by successive halving (scored on fewer folds, so not comparable with the first), failed ones last. Fit: seconds of fitting over its folds; done: when it finished, seconds into the search.`,
        header: [
          'rank',
          'id',
          'family',
          'features',
          'parameters',
          'status',
          'folds',
          metric,
          'fit s',
          'done s',
          'note',
        ],
        rows,
        numeric: [true, true, false, false, false, false, true, true, true, true, false],
      },
    ],
  };
}

function calibrationText(c: { kind: string; temperature?: number; floor?: number } | null): string {
  if (!c) return 'none';
  if (c.kind === 'temperature' && typeof c.temperature === 'number')
    return `temperature ${fmt(c.temperature)}${typeof c.floor === 'number' ? `, floor ${fmt(c.floor)}` : ''}`;
  return c.kind;
}

function ensembleSection(r: RunReport): Section {
  const e = r.experiment;
  const ens = e?.ensemble;
  const metric = scorerOf(e);
  if (!ens)
    return {
      id: 'ensemble',
      title: 'Ensemble',
      blocks: [
        { kind: 'missing', text: 'Not in this run: experiment.json has no ensemble selection (an older version).' },
      ],
    };
  const byId = new Map(r.leaderboard.map((x) => [x.id, x]));
  const text = ens.kept
    ? `The pipeline is an ensemble of ${plural(ens.members.length, 'candidate')} (each its fold models), weighted as below: validation ${metric} ${fmt(ens.score)} out of fold, against ${fmt(ens.singleScore)} for the best candidate alone.`
    : `No ensemble: the winner alone (validation ${metric} ${fmt(ens.singleScore)} out of fold, calibrated) beat the best ensemble of the leaderboard (${fmt(ens.score)}). The pipeline is the winner, weight 1.`;
  return {
    id: 'ensemble',
    title: 'Ensemble',
    blocks: [
      { kind: 'text', text },
      {
        kind: 'table',
        name: 'ensemble',
        header: ['id', 'family', 'weight', 'calibration', 'features', metric],
        rows: ens.members.map((m) => [
          String(m.id),
          m.family,
          num(m.weight),
          calibrationText(m.calibration),
          byId.get(m.id)?.features ?? '–',
          numOrDash(byId.get(m.id)?.score),
        ]),
        numeric: [true, false, true, false, false, true],
      },
    ],
  };
}

function checksSection(r: RunReport): Section {
  const e = r.experiment;
  const blocks: Block[] = [];
  const leak = e?.checks?.leakage;
  if (leak) {
    blocks.push({ kind: 'text', text: `Leakage: ${leak.summary.replace(/^leakage: /, '')}` });
    if (leak.messages.length > 0) blocks.push({ kind: 'list', items: leak.messages });
    const name = leak.metric === 'auc' ? 'AUC' : leak.metric === 'r2' ? 'R²' : leak.metric;
    blocks.push({
      kind: 'table',
      name: 'leakage',
      caption: `Each feature alone against the target (${name} of a tiny model out of sample), the strongest ${Math.min(CHECK_ROWS, leak.features.length)} of ${leak.features.length}; a feature near ${fmt(leak.threshold)} alone that the others together do not match is flagged.`,
      header: ['feature', 'type', `${name} alone`, `${name} of the others`, 'flagged', 'why'],
      rows: leak.features
        .slice(0, CHECK_ROWS)
        .map((f) => [
          code(f.feature),
          f.type,
          numOrDash(f.score),
          numOrDash(f.restScore),
          f.flagged ? { text: 'yes', strong: true } : 'no',
          f.reason ?? '',
        ]),
      numeric: [false, false, true, true, false, false],
    });
  } else blocks.push({ kind: 'missing', text: 'Leakage: not in this run (experiment.json has no checks).' });
  const shift = e?.checks?.shift;
  if (shift) {
    blocks.push({ kind: 'text', text: `Shift: ${shift.summary.replace(/^shift: /, '')}` });
    if (shift.messages.length > 0) blocks.push({ kind: 'list', items: shift.messages });
    blocks.push({
      kind: 'table',
      name: 'shift',
      caption: `Train against test, feature by feature (the ${Math.min(CHECK_ROWS, shift.features.length)} most different of ${shift.features.length}): AUC of telling them apart (0.5: alike), Kolmogorov–Smirnov statistic, share of the all-feature model.`,
      header: ['feature', 'type', 'AUC', 'KS', 'share', 'flagged', 'note'],
      rows: shift.features
        .slice(0, CHECK_ROWS)
        .map((f) => [
          code(f.feature),
          f.type,
          numOrDash(f.auc),
          numOrDash(f.ks),
          num(f.importance),
          f.flagged ? { text: 'yes', strong: true } : 'no',
          f.note,
        ]),
      numeric: [false, false, true, true, true, false, false],
    });
  } else if (e?.checks && e.checks.shift === null)
    blocks.push({ kind: 'text', text: 'Shift: not checked (there were no test rows).' });
  else if (!e?.checks)
    blocks.push({ kind: 'missing', text: 'Shift: not in this run (experiment.json has no checks).' });
  if (e?.dropped) {
    if (e.dropped.length === 0) blocks.push({ kind: 'text', text: 'Dropped columns: none.' });
    else
      blocks.push({
        kind: 'table',
        name: 'dropped',
        caption: 'Columns not used as features.',
        header: ['column', 'why'],
        rows: e.dropped.map((d) => [code(d.column), d.reason]),
        numeric: [false, false],
      });
  }
  const unseen = Object.entries(e?.testUnseenLevels ?? {});
  if (unseen.length > 0)
    blocks.push({
      kind: 'list',
      items: unseen.map(
        ([field, u]) =>
          `Test rows: '${field}' has ${plural(u.rows, 'row')} with levels never seen in training (${u.levels.slice(0, 5).join(', ')}${u.levels.length > 5 ? ', …' : ''}), scored as missing.`,
      ),
    });
  return { id: 'checks', title: 'Checks', blocks };
}

function pipelineSection(r: RunReport): Section {
  const e = r.experiment;
  const blocks: Block[] = [];
  const best = e?.search?.best;
  const ens = e?.ensemble;
  const byId = new Map(r.leaderboard.map((x) => [x.id, x]));
  const items: string[] = [];
  const final = e?.final;
  const rows = e?.rows?.train;
  if (final === 'ensemble' && ens)
    items.push(
      `Model: an ensemble of ${plural(ens.members.length, 'candidate')}, each the average of its fold models, weighted: ${ens.members.map((m) => `#${m.id} ${m.family} (${fmt(m.weight)})`).join(', ')}.`,
    );
  else if (best && final === 'fold-models')
    items.push(
      `Model: the winner, ${best.family} (${paramsText(best.params as Record<string, unknown> | undefined)}), as the average of its fold models (not refit on all rows).`,
    );
  else if (best)
    items.push(
      `Model: the winner, ${best.family} (${paramsText(best.params as Record<string, unknown> | undefined)}), ${final === 'refit' ? `refit on all ${rows ?? ''} training rows`.replace('  ', ' ') : 'as experiment.json names it'}.`,
    );
  if (final === 'ensemble' && ens) {
    for (const m of ens.members) {
      const row = byId.get(m.id);
      if (row) items.push(`Member #${m.id} feature steps: ${row.features}; parameters: ${paramsText(row.params)}.`);
    }
  } else if (best?.features) items.push(`Feature steps: ${best.features}.`);
  const used = e?.featuresUsed;
  if (used) {
    items.push(`Reads ${plural(used.original.length, 'column')}: ${used.original.join(', ')}.`);
    if (used.engineered.length > 0)
      items.push(`Makes ${plural(used.engineered.length, 'engineered column')}: ${used.engineered.join(', ')}.`);
  }
  const cal = ens?.members.map((m) => m.calibration).filter((c) => c !== null) ?? [];
  if (ens && e?.task !== 'regression')
    items.push(
      cal.length > 0
        ? `Calibration (fitted out of fold): ${ens.members.map((m) => `${ens.members.length > 1 ? `#${m.id} ` : ''}${calibrationText(m.calibration)}`).join('; ')}.`
        : 'Calibration: none.',
    );
  if (e?.classes) items.push(`Classes: ${e.classes.join(', ')}; it predicts a probability for each.`);
  if (e?.thresholds)
    items.push(
      `Decision thresholds on the probability of '${e.thresholds.positiveClass}': ${fmt(e.thresholds.f1)} (best F1) and ${fmt(e.thresholds.mcc)} (best MCC), chosen out of fold; without one, the prediction is the most probable class.`,
    );
  if (e?.pipelinePath)
    items.push(
      `File: ${e.pipelinePath}${e.pipelineBytes !== undefined ? ` (${fmtBytes(e.pipelineBytes)})` : ''}: one JSON file that automl score, automl serve and the Python runtime read.`,
    );
  if (items.length === 0)
    blocks.push({ kind: 'missing', text: 'Not in this run: experiment.json does not describe a pipeline.' });
  else blocks.push({ kind: 'list', items });
  return { id: 'pipeline', title: 'The pipeline', blocks };
}

function provenanceSection(r: RunReport): Section {
  const e = r.experiment;
  const facts: { label: string; value: Cell }[] = [];
  facts.push({
    label: 'made by',
    value: e?.toolVersion ? `${e.tool ?? 'automl'} ${e.toolVersion}` : 'not recorded',
  });
  if (e?.settings?.seed !== undefined) facts.push({ label: 'seed', value: String(e.settings.seed) });
  for (const part of ['train', 'test'] as const) {
    const f = e?.data?.[part];
    if (f) {
      facts.push({ label: `${part} data`, value: code(f.path) });
      facts.push({ label: `${part} sha256`, value: code(f.sha256) });
    }
  }
  if (e?.data && !e.data.train) facts.push({ label: 'data', value: 'not read from a file (no path or sha256)' });
  if (e?.data && e.data.train && !e.data.test)
    facts.push({ label: 'test data', value: 'split from the training file' });
  facts.push({ label: 'run folder', value: code(r.dir) });
  const blocks: Block[] = [{ kind: 'facts', rows: facts }];
  const settings = Object.entries(e?.settings ?? {}).filter(([, v]) => v !== undefined && v !== null);
  if (settings.length > 0)
    blocks.push({
      kind: 'table',
      name: 'settings',
      caption: 'The settings, as experiment.json records them.',
      header: ['setting', 'value'],
      rows: settings.map(([k, v]) => [k, code(typeof v === 'string' ? v : JSON.stringify(v))]),
      numeric: [false, false],
    });
  else blocks.push({ kind: 'missing', text: 'No settings: experiment.json is missing or has none.' });
  return { id: 'provenance', title: 'Provenance', blocks };
}

function logSection(r: RunReport): Section | null {
  if (!r.log || r.log.length === 0) return null;
  const tail = r.log.slice(-LOG_LINES);
  return {
    id: 'log',
    title: 'Log',
    blocks: [
      {
        kind: 'pre',
        caption:
          tail.length < r.log.length
            ? `The last ${tail.length} of ${r.log.length} lines of run.log.`
            : 'run.log, as the run wrote it.',
        text: tail.join('\n'),
      },
    ],
  };
}

/**
 * The report's content: what every document format shows, in order. A finished (or interrupted
 * but measured) run gets every section, each saying what it lacks; a run without results (failed,
 * running, damaged, interrupted early) gets its summary, what exists, its settings and its log.
 *
 * @example
 * const c = reportContent(await loadRun('experiments/runs/cool'));
 * c.sections.map((s) => s.id); // ['summary', 'importance', 'classes', 'curves', 'iteration', …]
 */
export function reportContent(r: RunReport): ReportContent {
  const e = r.experiment;
  const s = e?.settings;
  const name = s?.name ?? r.name;
  const task = e?.task ?? (r.testPredictions ? (r.testPredictions.classes ? 'classification' : 'regression') : null);
  const subtitle = [
    s?.target !== undefined ? `target ${s.target}` : null,
    task,
    STATUS_WORDS[r.status].split(' (')[0],
    fmtDate(r.date),
  ]
    .filter((x) => x !== null)
    .join(' · ');
  const results = e?.test !== undefined || e?.importance !== undefined || r.testPredictions !== undefined;
  const sections: Section[] = [summarySection(r)];
  if (results) {
    sections.push(importanceSection(r));
    if (task === 'regression') sections.push(regressionSection(r));
    else {
      sections.push(classesSection(r));
      sections.push(curvesSection(r));
    }
    sections.push(iterationSection(r), leaderboardSection(r), ensembleSection(r), checksSection(r), pipelineSection(r));
  } else if (r.leaderboard.length > 0) sections.push(iterationSection(r), leaderboardSection(r));
  sections.push(provenanceSection(r));
  if (r.status !== 'finished') {
    const log = logSection(r);
    if (log) sections.push(log);
  }
  return {
    title: `Experiment ${name}`,
    subtitle,
    banner: banner(r),
    sections,
    generator: `automl ${packageVersion()}`,
  };
}
