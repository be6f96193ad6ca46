/**
 * The report's charts as Vega-Lite 6.4 specs, and their SVG drawn in Node by vega's own renderer
 * (no browser, no canvas, no network: every spec holds its data inline, and the loader refuses
 * any URL). Each chart knows how many marks it draws, so a test can count them on the page.
 *
 *   importance        bars: permutation importance (relative) and the model's gain share per feature
 *   confusion         heat map: actual × predicted, shaded by the share of the actual class, counts
 *   roc, pr           one line per class (one-vs-rest), the binary thresholds' points marked
 *   predicted-actual  regression: one dot per test row, the diagonal
 *   residuals         regression: actual − predicted against predicted, the zero line
 *   iteration         every candidate a dot at the time it finished, the best-so-far a step line
 *
 * Sizes: about 480 px wide (ROC and PR 280 px square, to sit side by side); the SVG scales down
 * with its container (max-width 100%), so a phone shows the whole chart.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { thin, type ClassificationCurves, type RegressionPoint } from './curves.js';

export const CHART_IDS = [
  'importance',
  'confusion',
  'roc',
  'pr',
  'predicted-actual',
  'residuals',
  'iteration',
] as const;
export type ChartId = (typeof CHART_IDS)[number];

/** A chart: its spec and what it draws. */
export interface Chart {
  readonly id: ChartId;
  readonly title: string;
  /** One sentence saying what the chart shows (the figure's caption and the image's alt text). */
  readonly description: string;
  readonly spec: TopLevelSpec;
  /**
   * The marks it draws, by mark name (a class of the mark's SVG group): how many SVG elements
   * each makes (a line: one path per series).
   */
  readonly marks: Readonly<Record<string, number>>;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Local fonts only: a report makes no request, not even for a font. */
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';
const CONFIG = {
  font: FONT,
  background: 'white',
  view: { stroke: '#e2e2e2' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, labelLimit: 180, gridColor: '#eee' },
  legend: {
    orient: 'bottom',
    direction: 'horizontal',
    labelFontSize: 11,
    titleFontSize: 12,
    labelLimit: 320,
    titleLimit: 320,
  },
} as const;
const WIDTH = 480;
/** Points per curve at most (ROC and PR), rows per regression chart at most. */
export const MAX_CURVE_POINTS = 500;
export const MAX_SCATTER_POINTS = 2000;

function top(spec: Record<string, unknown>, description: string): TopLevelSpec {
  return { $schema: SCHEMA, description, config: CONFIG, ...spec } as TopLevelSpec;
}

/** One feature's importance, as experiment.json holds it. */
export interface ImportanceInput {
  readonly feature: string;
  /** Permutation importance relative to the largest (0–1); null when not measured. */
  readonly importance: number | null;
  /** The model's share of gain (0–1); null when the model has none. */
  readonly gain: number | null;
}

/**
 * Horizontal bars, most important first (the order given): per feature the permutation importance
 * (relative to the largest) and, beside it, the model's own gain share. At most `limit` features.
 *
 * @example
 * importanceChart([{ feature: 'x', importance: 1, gain: 0.6 }], 'logloss').marks; // { bars: 2 }
 */
export function importanceChart(entries: readonly ImportanceInput[], metric: string, limit = 20): Chart {
  const shown = entries.slice(0, limit);
  const PERM = `permutation (${metric} worsening, relative)`;
  const GAIN = 'gain share (the model)';
  const values = shown.flatMap((e, rank) => [
    ...(e.importance === null ? [] : [{ feature: e.feature, rank, measure: PERM, value: e.importance }]),
    ...(e.gain === null ? [] : [{ feature: e.feature, rank, measure: GAIN, value: e.gain }]),
  ]);
  const hasGain = shown.some((e) => e.gain !== null);
  const more = entries.length > shown.length ? ` (the top ${shown.length} of ${entries.length})` : '';
  const description = `Variable importance${more}: each feature's permutation importance relative to the largest${hasGain ? ", with the model's own gain share beside it" : ''}.`;
  const spec = top(
    {
      width: WIDTH - 140,
      height: { step: hasGain ? 26 : 18, for: 'position' },
      data: { values },
      layer: [
        {
          name: 'bars',
          mark: { type: 'bar', aria: false },
          encoding: {
            y: {
              field: 'feature',
              type: 'nominal',
              // Every feature shown has its line, also one with nothing measured (no bar).
              scale: { domain: shown.map((e) => e.feature) },
              title: null,
              axis: { labelLimit: 170 },
            },
            yOffset: { field: 'measure', type: 'nominal', sort: [PERM, GAIN] },
            x: {
              field: 'value',
              type: 'quantitative',
              title: 'importance (0–1)',
              scale: { domain: [0, 1] },
              axis: { tickCount: 5 },
            },
            color: {
              field: 'measure',
              type: 'nominal',
              title: null,
              scale: { domain: hasGain ? [PERM, GAIN] : [PERM], range: ['#4c78a8', '#f58518'] },
              legend: { orient: 'bottom', direction: 'vertical' },
            },
          },
        },
      ],
    },
    description,
  );
  return { id: 'importance', title: 'Variable importance', description, spec, marks: { bars: values.length } };
}

/**
 * The confusion matrix as a heat map: rows the actual class, columns the predicted one, each cell
 * shaded by its share of the actual class (so a small class is as visible as a large one) and
 * labelled with its count (when the cells are large enough to hold it).
 *
 * @example
 * confusionChart(['a', 'b'], [[5, 1], [0, 4]]).marks; // { cells: 4, counts: 4 }
 */
export function confusionChart(classes: readonly string[], matrix: readonly (readonly number[])[]): Chart {
  const K = classes.length;
  const values = classes.flatMap((actual, a) => {
    const row = matrix[a] ?? [];
    const total = row.reduce((s, v) => s + v, 0);
    return classes.map((predicted, p) => {
      const count = row[p] ?? 0;
      const share = total > 0 ? count / total : 0;
      return { actual, predicted, count, share, label: fmtCount(count), dark: share > 0.55 };
    });
  });
  const step = Math.max(14, Math.min(64, Math.floor(420 / K)));
  const withCounts = step >= 26;
  const fontSize = Math.min(13, Math.max(9, Math.floor(step / 4)));
  const description = `Confusion matrix of the test rows: actual class down, predicted class across; the shade is the share of the actual class${withCounts ? ', the number the count of rows' : ''}.`;
  const axis = (title: string): Record<string, unknown> => ({
    field: title,
    type: 'nominal',
    sort: [...classes],
    title,
    axis: { labelAngle: 0, labelLimit: 90, labelOverlap: true },
  });
  const layers: Record<string, unknown>[] = [
    {
      name: 'cells',
      mark: { type: 'rect', aria: false, stroke: 'white', strokeWidth: 1 },
      encoding: {
        color: {
          field: 'share',
          type: 'quantitative',
          title: 'share of the actual class',
          scale: { domain: [0, 1], range: ['#f4f8fd', '#08519c'] },
          legend: { orient: 'bottom', direction: 'horizontal', gradientLength: 160, format: '.0%' },
        },
      },
    },
  ];
  if (withCounts) {
    layers.push({
      name: 'counts',
      mark: { type: 'text', aria: false, fontSize, fontWeight: 600 },
      encoding: {
        text: { field: 'label', type: 'nominal' },
        color: { condition: { test: 'datum.dark', value: 'white' }, value: '#1a1a1a' },
      },
    });
  }
  const spec = top(
    {
      width: { step },
      height: { step },
      data: { values },
      encoding: {
        x: { ...axis('predicted'), axis: { orient: 'top', labelAngle: 0, labelLimit: 90 } },
        y: axis('actual'),
      },
      layer: layers,
    },
    description,
  );
  return {
    id: 'confusion',
    title: 'Confusion matrix',
    description,
    spec,
    marks: withCounts ? { cells: K * K, counts: K * K } : { cells: K * K },
  };
}

function fmtCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

const OBJECTIVE_LABEL = { f1: 'best F1', mcc: 'best MCC' } as const;

/** A curve chart (ROC or precision-recall): one line per class, the operating points marked. */
function curveChart(curves: ClassificationCurves, kind: 'roc' | 'pr'): Chart {
  const roc = kind === 'roc';
  const lines = curves.perClass.filter((c) => (roc ? c.roc : c.pr).length > 0);
  const area = (c: (typeof lines)[number]): string =>
    roc ? `AUC ${fmtArea(c.auc)}` : `AP ${fmtArea(c.averagePrecision)}`;
  const seriesName = (c: (typeof lines)[number]): string => `${c.label} (${area(c)})`;
  const values = lines.flatMap((c) => {
    const xy: [number, number][] = roc ? c.roc.map((p) => [p.fpr, p.tpr]) : c.pr.map((p) => [p.recall, p.precision]);
    return thin(xy, MAX_CURVE_POINTS).map(([x, y], i) => ({ series: seriesName(c), i, x, y }));
  });
  const source = curves.operatingPoints[0]?.source;
  const marked = curves.operatingPoints.map((o) => ({
    point: `${OBJECTIVE_LABEL[o.objective]} threshold ${fmtThreshold(o.threshold)}`,
    x: roc ? o.fpr : o.recall,
    y: roc ? o.recall : o.precision,
  }));
  const layers: Record<string, unknown>[] = [];
  if (roc) {
    layers.push({
      data: { values: [{ x: 0, y: 0, x2: 1, y2: 1 }] },
      name: 'chance',
      mark: { type: 'rule', strokeDash: [4, 4], color: '#999' },
      encoding: {
        x: { field: 'x', type: 'quantitative' },
        y: { field: 'y', type: 'quantitative' },
        x2: { field: 'x2' },
        y2: { field: 'y2' },
      },
    });
  }
  layers.push({
    data: { values },
    name: 'curves',
    mark: { type: 'line', aria: false, strokeWidth: 2, interpolate: roc ? 'linear' : 'step-after' },
    encoding: {
      x: { field: 'x', type: 'quantitative' },
      y: { field: 'y', type: 'quantitative' },
      order: { field: 'i', type: 'quantitative' },
      color: {
        field: 'series',
        type: 'nominal',
        sort: lines.map(seriesName),
        title: curves.positiveClass === null ? 'class (one-vs-rest)' : 'positive class',
        legend: { orient: 'bottom', direction: 'vertical', labelLimit: 240 },
      },
    },
  });
  if (marked.length > 0) {
    layers.push({
      data: { values: marked },
      name: 'thresholds',
      mark: { type: 'point', aria: false, color: '#111', strokeWidth: 2, opacity: 1 },
      encoding: {
        x: { field: 'x', type: 'quantitative' },
        y: { field: 'y', type: 'quantitative' },
        // F1 an open diamond around, MCC a small filled square: both show when they coincide.
        shape: {
          field: 'point',
          type: 'nominal',
          title: source === 'pipeline' ? 'thresholds, chosen out of fold' : 'thresholds, best on the test rows',
          scale: { domain: marked.map((m) => m.point), range: ['diamond', 'square'] },
          legend: { orient: 'bottom', direction: 'vertical', labelLimit: 240, titleLimit: 280 },
        },
        size: {
          field: 'point',
          type: 'ordinal',
          scale: { domain: marked.map((m) => m.point), range: [180, 50] },
          legend: null,
        },
        fill: {
          field: 'point',
          type: 'nominal',
          scale: { domain: marked.map((m) => m.point), range: ['transparent', '#111'] },
          legend: null,
        },
      },
    });
  }
  const who =
    curves.positiveClass === null ? 'one line per class, one-vs-rest' : `the positive class '${curves.positiveClass}'`;
  const thresholdsText =
    marked.length > 0
      ? source === 'pipeline'
        ? "; the pipeline's F1 and MCC thresholds (chosen out of fold) marked where they fall on the test rows"
        : '; the best F1 and MCC thresholds on the test rows marked'
      : '';
  const description = roc
    ? `ROC curve of the test rows (${who}): true-positive rate against false-positive rate${thresholdsText}.`
    : `Precision-recall curve of the test rows (${who})${thresholdsText}.`;
  const spec = top(
    {
      width: 280,
      height: 280,
      encoding: {
        x: {
          field: 'x',
          type: 'quantitative',
          title: roc ? 'false-positive rate' : 'recall',
          scale: { domain: [0, 1] },
        },
        y: {
          field: 'y',
          type: 'quantitative',
          title: roc ? 'true-positive rate' : 'precision',
          scale: { domain: [0, 1] },
        },
      },
      resolve: { scale: { color: 'independent', shape: 'independent' } },
      layer: layers,
    },
    description,
  );
  const marks: Record<string, number> = { curves: lines.length };
  if (roc) marks['chance'] = 1;
  if (marked.length > 0) marks['thresholds'] = marked.length;
  return {
    id: kind,
    title: roc ? 'ROC' : 'Precision-recall',
    description,
    spec,
    marks,
  };
}

function fmtArea(v: number | null): string {
  return v === null ? 'n/a' : v.toFixed(4);
}

function fmtThreshold(t: number): string {
  return Number.isFinite(t) ? String(Number(t.toPrecision(4))) : String(t);
}

/**
 * ROC curves of the test rows: one line per class (binary: the positive class), the chance
 * diagonal, and for a binary target the F1 and MCC thresholds' points.
 *
 * @example
 * rocChart(classificationCurves(y, proba, ['no', 'yes'], thresholds)).marks; // { curves: 1, chance: 1, thresholds: 2 }
 */
export function rocChart(curves: ClassificationCurves): Chart {
  return curveChart(curves, 'roc');
}

/** Precision-recall curves of the test rows, as {@link rocChart}. */
export function prChart(curves: ClassificationCurves): Chart {
  return curveChart(curves, 'pr');
}

function scatterNote(points: readonly RegressionPoint[], rows: number): string {
  return points.length < rows ? ` (${points.length} of the ${rows} test rows, evenly spaced)` : '';
}

/**
 * Regression: predicted against actual, one dot per test row (at most {@link MAX_SCATTER_POINTS},
 * evenly spaced), and the diagonal where they agree.
 *
 * @example
 * predictedActualChart(regressionPoints(y, pred).points, y.length, 'cool_pwr_pct');
 */
export function predictedActualChart(points: readonly RegressionPoint[], rows: number, target: string): Chart {
  const shown = thin(points, MAX_SCATTER_POINTS);
  const all = shown.flatMap((p) => [p.actual, p.predicted]);
  const lo = all.length ? Math.min(...all) : 0;
  const hi = all.length ? Math.max(...all) : 1;
  const description = `Predicted against actual ${target} on the test rows${scatterNote(shown, rows)}; on the dashed diagonal the prediction is exact.`;
  const spec = top(
    {
      width: WIDTH - 120,
      height: WIDTH - 120,
      layer: [
        {
          data: { values: [{ x: lo, y: lo, x2: hi, y2: hi }] },
          name: 'diagonal',
          mark: { type: 'rule', strokeDash: [4, 4], color: '#999' },
          encoding: {
            x: { field: 'x', type: 'quantitative' },
            y: { field: 'y', type: 'quantitative' },
            x2: { field: 'x2' },
            y2: { field: 'y2' },
          },
        },
        {
          data: { values: shown.map((p) => ({ actual: p.actual, predicted: p.predicted })) },
          name: 'points',
          mark: { type: 'circle', aria: false, size: 18, opacity: 0.55, color: '#4c78a8' },
          encoding: {
            x: { field: 'actual', type: 'quantitative', title: `actual ${target}`, scale: { zero: false } },
            y: { field: 'predicted', type: 'quantitative', title: `predicted ${target}`, scale: { zero: false } },
          },
        },
      ],
    },
    description,
  );
  return {
    id: 'predicted-actual',
    title: 'Predicted vs actual',
    description,
    spec,
    marks: { points: shown.length, diagonal: 1 },
  };
}

/**
 * Regression: the residuals (actual − predicted) against the prediction, one dot per test row (at
 * most {@link MAX_SCATTER_POINTS}), and the zero line.
 */
export function residualChart(points: readonly RegressionPoint[], rows: number, target: string): Chart {
  const shown = thin(points, MAX_SCATTER_POINTS);
  const description = `Residuals (actual − predicted ${target}) against the prediction on the test rows${scatterNote(shown, rows)}; a good model scatters them evenly around zero.`;
  const spec = top(
    {
      width: WIDTH - 60,
      height: 240,
      layer: [
        {
          data: { values: [{ y: 0 }] },
          name: 'zero',
          mark: { type: 'rule', strokeDash: [4, 4], color: '#999' },
          encoding: { y: { field: 'y', type: 'quantitative' } },
        },
        {
          data: { values: shown.map((p) => ({ predicted: p.predicted, residual: p.residual })) },
          name: 'points',
          mark: { type: 'circle', aria: false, size: 18, opacity: 0.55, color: '#4c78a8' },
          encoding: {
            x: { field: 'predicted', type: 'quantitative', title: `predicted ${target}`, scale: { zero: false } },
            y: { field: 'residual', type: 'quantitative', title: 'residual (actual − predicted)' },
          },
        },
      ],
    },
    description,
  );
  return { id: 'residuals', title: 'Residuals', description, spec, marks: { points: shown.length, zero: 1 } };
}

/** A leaderboard row, as leaderboard.csv holds it. */
export interface IterationInput {
  readonly id: number;
  readonly family: string;
  /** 'scored', 'halved' (stopped early by successive halving) or 'failed'. */
  readonly status: string;
  /** The validation score; NaN or null when there is none (a failed candidate). */
  readonly score: number | null;
  /** Seconds since the search began when the candidate finished. */
  readonly finished: number;
}

/**
 * The best validation score over elapsed time (the tutorial's iteration chart): every candidate
 * with a score a dot at the time it finished (colour: its family, shape: scored on every fold or
 * halved), and the best so far (of the candidates scored on every fold) a step line. A log scale
 * for an error metric whose scores span more than a factor of 20.
 *
 * @example
 * iterationChart(rows, 'logloss', false).marks; // { candidates: rows with a score, best: 1 }
 */
export function iterationChart(entries: readonly IterationInput[], metric: string, greaterIsBetter: boolean): Chart {
  const scored = entries
    .filter((e) => e.score !== null && Number.isFinite(e.score) && Number.isFinite(e.finished))
    .map((e) => ({ id: e.id, family: e.family, status: e.status, score: e.score as number, finished: e.finished }))
    .sort((a, b) => a.finished - b.finished || a.id - b.id);
  const best: { finished: number; best: number; id: number }[] = [];
  for (const e of scored) {
    if (e.status !== 'scored') continue;
    const prev = best.at(-1)?.best;
    const better = prev === undefined || (greaterIsBetter ? e.score > prev : e.score < prev);
    best.push({ finished: e.finished, best: better ? e.score : (prev as number), id: e.id });
  }
  const last = scored.at(-1);
  const lastBest = best.at(-1);
  if (last && lastBest && last.finished > lastBest.finished) best.push({ ...lastBest, finished: last.finished });
  const scores = scored.map((e) => e.score);
  const positive = scores.length > 0 && scores.every((s) => s > 0);
  const log = !greaterIsBetter && positive && Math.max(...scores) / Math.min(...scores) > 20;
  const failed = entries.length - scored.length;
  const description = `Validation ${metric} of every candidate at the time it finished (${scored.length} with a score${failed > 0 ? `, ${failed} without` : ''}) and the best so far (${greaterIsBetter ? 'higher' : 'lower'} is better)${log ? ', on a log scale' : ''}.`;
  const statusLabel = (s: string): string => (s === 'scored' ? 'every fold' : s === 'halved' ? 'halved early' : s);
  const spec = top(
    {
      width: WIDTH - 60,
      height: 260,
      encoding: {
        x: { field: 'finished', type: 'quantitative', title: 'elapsed seconds (search)' },
        y: {
          field: 'score',
          type: 'quantitative',
          title: `validation ${metric} (${greaterIsBetter ? 'higher' : 'lower'} is better)`,
          scale: log ? { type: 'log' } : { zero: false },
        },
      },
      resolve: { scale: { color: 'independent' } },
      layer: [
        {
          data: { values: best.map((b) => ({ finished: b.finished, score: b.best, line: 'best so far' })) },
          name: 'best',
          mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2, color: '#222' },
          encoding: { order: { field: 'finished', type: 'quantitative' } },
        },
        {
          data: { values: scored.map((e) => ({ ...e, fit: statusLabel(e.status) })) },
          name: 'candidates',
          mark: { type: 'point', aria: false, filled: true, size: 60, opacity: 0.85 },
          encoding: {
            color: { field: 'family', type: 'nominal', title: 'family', legend: { orient: 'bottom' } },
            shape: { field: 'fit', type: 'nominal', title: 'scored on', legend: { orient: 'bottom' } },
          },
        },
      ],
    },
    description,
  );
  return {
    id: 'iteration',
    title: 'Iteration',
    description,
    spec,
    marks: { candidates: scored.length, best: best.length > 0 ? 1 : 0 },
  };
}

/** A vega loader that refuses everything: a report's charts hold their data, and nothing is fetched. */
const NO_LOADER: vega.Loader = {
  load: (uri: string) => Promise.reject(new Error(`charts load nothing (asked for ${uri})`)),
  sanitize: (uri: string) => Promise.reject(new Error(`charts load nothing (asked for ${uri})`)),
  http: (uri: string) => Promise.reject(new Error(`charts load nothing (asked for ${uri})`)),
  file: (uri: string) => Promise.reject(new Error(`charts load nothing (asked for ${uri})`)),
};

/**
 * Helvetica's advance widths (per 1000 em) of the printable ASCII characters, from space to '~':
 * vega measures text with a canvas, which Node lacks, and otherwise guesses 0.8 em a character,
 * twice the real width, so labels were cut short and legends laid out too wide.
 */
const ASCII_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
  722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
  556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
  260, 334, 584,
];
/** The browser's sans-serif may be wider than Helvetica (DejaVu Sans is): err on the wide side. */
const WIDTH_MARGIN = 1.15;

/**
 * The width of a text mark's text in pixels, as vega's `textMetrics.width` is asked it: the text as
 * drawn, so at most the item's `limit` (vega cuts longer text and adds an ellipsis).
 */
function textWidth(item: { fontSize?: number; fontWeight?: string | number; limit?: number }, text: unknown): number {
  const t = text === null || text === undefined ? '' : String(text).trim();
  const size = item.fontSize ?? 11;
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600 ? 1.1 : 1;
  let units = 0;
  for (const ch of t) {
    const code = ch.codePointAt(0)!;
    units += code >= 32 && code <= 126 ? ASCII_WIDTHS[code - 32]! : 600;
  }
  const width = (units / 1000) * size * bold * WIDTH_MARGIN;
  return item.limit && item.limit > 0 ? Math.min(width, item.limit) : width;
}

/**
 * A Vega-Lite spec drawn as SVG by vega's own renderer, in Node. The SVG scales with its container
 * (max-width 100%, its aspect kept by the viewBox); `idPrefix` makes its internal ids (gradients,
 * clip paths) unique when several SVGs share one page.
 *
 * @example
 * const svg = await renderSvg(importanceChart(report.importance, 'logloss').spec, { idPrefix: 'importance' });
 */
export async function renderSvg(spec: TopLevelSpec, opts: { idPrefix?: string } = {}): Promise<string> {
  const urls = urlKeys(spec);
  if (urls.length > 0)
    throw new RangeError(`renderSvg: a chart holds its data inline; this spec names a URL at ${urls.join(', ')}`);
  (vega as unknown as { textMetrics: { width: typeof textWidth } }).textMetrics.width = textWidth;
  // Gradient and clip ids count up across renders: from 0 each time, the same spec gives the same SVG.
  vega.resetSVGDefIds();
  const errors: string[] = [];
  const logger = {
    level: (): number => vega.Error,
    error: (...args: unknown[]) => (errors.push(args.map(String).join(' ')), logger),
    warn: () => logger,
    info: () => logger,
    debug: () => logger,
  };
  // Vega-Lite's warnings (a spec it would draw differently than asked) are for the charts' tests
  // (chartWarnings), not the user's terminal.
  const compiled = compile(spec, {
    logger: logger as unknown as NonNullable<Parameters<typeof compile>[1]>['logger'],
  }).spec;
  const view = new vega.View(vega.parse(compiled), {
    renderer: 'none',
    loader: NO_LOADER,
    logger: logger as unknown as vega.ViewOptions['logger'],
  });
  try {
    let svg = await view.toSVG();
    if (errors.length > 0) throw new Error(`renderSvg: vega could not draw the chart: ${errors.join('; ')}`);
    svg = roundCoordinates(svg).replace(/^<svg /, '<svg style="max-width:100%;height:auto" ');
    if (opts.idPrefix) svg = prefixIds(svg, opts.idPrefix);
    return svg;
  } finally {
    view.finalize();
  }
}

/**
 * Vega-Lite's warnings about a spec (a channel it ignores, a scale it changes): none for the
 * report's charts.
 */
export function chartWarnings(spec: TopLevelSpec): string[] {
  const warnings: string[] = [];
  const logger = {
    level: (): number => vega.Warn,
    error: () => logger,
    warn: (...args: unknown[]) => (warnings.push(args.map(String).join(' ')), logger),
    info: () => logger,
    debug: () => logger,
  };
  compile(spec, { logger: logger as unknown as NonNullable<Parameters<typeof compile>[1]>['logger'] });
  return warnings;
}

/** The paths of every `url` member in a spec (data or image URLs). */
function urlKeys(v: unknown, path = 'spec'): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => urlKeys(x, `${path}[${i}]`));
  if (v !== null && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => [
      ...(k === 'url' ? [`${path}.${k}`] : []),
      ...urlKeys(x, `${path}.${k}`),
    ]);
  return [];
}

/** Coordinates to 0.01 px (vega writes 15 digits): a scatter of 2,000 points is a third the size. */
function roundCoordinates(svg: string): string {
  return svg.replace(
    / (transform|d|x|y|x1|x2|y1|y2)="([^"]*)"/g,
    (_, attr: string, value: string) =>
      ` ${attr}="${value.replace(/-?\d+\.\d{3,}/g, (n) => String(Math.round(Number(n) * 100) / 100))}"`,
  );
}

function prefixIds(svg: string, prefix: string): string {
  const safe = prefix.replace(/[^A-Za-z0-9_-]/g, '_');
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${safe}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${safe}-${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${safe}-${id}"`);
}
