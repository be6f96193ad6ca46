/**
 * The curves of a report, from the test predictions: ROC and precision-recall curves per class
 * (one-vs-rest), their areas, the operating points of a binary target's decision thresholds, and
 * for regression the predicted-vs-actual and residual points. Deterministic: the same predictions
 * give the same points, in the same order. The definitions are scikit-learn's (`roc_curve` with
 * `drop_intermediate=True`, `precision_recall_curve`, `average_precision_score`), so the areas
 * equal the metrics in experiment.json (src/metrics).
 */
import { bestThreshold, type ClassTargets } from '../metrics/index.js';
import { atThreshold } from './load.js';

/** A point of a ROC curve: the rates when a row is predicted positive if its score is >= `threshold`. */
export interface RocPoint {
  /** Infinity for the curve's first point (nothing predicted positive). */
  readonly threshold: number;
  readonly fpr: number;
  readonly tpr: number;
}

/** A point of a precision-recall curve (`threshold` Infinity for the last point: recall 0, precision 1). */
export interface PrPoint {
  readonly threshold: number;
  readonly recall: number;
  readonly precision: number;
}

/** One class against the rest. */
export interface ClassCurves {
  readonly label: string;
  /** Test rows of the class and of the other classes. */
  readonly positives: number;
  readonly negatives: number;
  /** From (0, 0) to (1, 1), thresholds descending; collinear points dropped. Empty when `auc` is null. */
  readonly roc: readonly RocPoint[];
  /** Area under the ROC curve; null when the class or the rest is absent from the rows. */
  readonly auc: number | null;
  /** As scikit-learn: thresholds ascending from the first that reaches full recall (recall descending), then (0, 1). */
  readonly pr: readonly PrPoint[];
  /** Σ (Rₙ − Rₙ₋₁) Pₙ; null when the class is absent. */
  readonly averagePrecision: number | null;
}

/** Where a decision threshold puts a binary classifier on the test rows. */
export interface OperatingPoint {
  /** What the threshold maximises. */
  readonly objective: 'f1' | 'mcc';
  /** 'pipeline': the pipeline file's threshold (chosen out of fold); 'test': the best on these rows. */
  readonly source: 'pipeline' | 'test';
  readonly threshold: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly mcc: number;
  readonly accuracy: number;
  /** False-positive rate (the ROC curve's x); the true-positive rate is `recall`. */
  readonly fpr: number;
}

export interface ClassificationCurves {
  /** Binary: the positive class (the second) alone, its curves are the target's; else one per class. */
  readonly perClass: readonly ClassCurves[];
  /** Binary: the positive class; null for multiclass. */
  readonly positiveClass: string | null;
  /** Binary: the F1 and MCC operating points; empty for multiclass. */
  readonly operatingPoints: readonly OperatingPoint[];
}

/** Scores in descending order, with the cumulative positive and negative counts at each distinct score. */
interface Sweep {
  /** Distinct scores, descending. */
  thresholds: number[];
  tps: number[];
  fps: number[];
  positives: number;
  negatives: number;
}

function sweep(y: ClassTargets, positive: number, scores: Float64Array, stride: number, offset: number): Sweep {
  const n = y.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b * stride + offset]! - scores[a * stride + offset]!);
  const out: Sweep = { thresholds: [], tps: [], fps: [], positives: 0, negatives: 0 };
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < n; j++) {
    const i = order[j]!;
    if (y[i] === positive) tp++;
    else fp++;
    const s = scores[i * stride + offset]!;
    if (j === n - 1 || scores[order[j + 1]! * stride + offset] !== s) {
      out.thresholds.push(s);
      out.tps.push(tp);
      out.fps.push(fp);
    }
  }
  out.positives = tp;
  out.negatives = fp;
  return out;
}

function checkScores(fn: string, n: number, scores: Float64Array, stride: number): void {
  if (scores.length !== n * stride) {
    throw new RangeError(`${fn}: ${scores.length} scores for ${n} rows × ${stride} columns`);
  }
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError(`${fn}: score ${i} is NaN`);
  }
}

/**
 * The ROC curve of one score column (`scores[i * stride + offset]`) for "y[i] === positive", as
 * scikit-learn's `roc_curve(drop_intermediate=True)`: one point per distinct score, points on a
 * straight segment dropped, (0, 0) first; and its area (trapezoids over every distinct score, as
 * `roc_auc_score`). Null area and no points when the positive or the negative rows are absent.
 *
 * @example
 * rocCurve(Int32Array.of(0, 0, 1, 1), Float64Array.of(0.1, 0.4, 0.35, 0.8), 1).auc; // 0.75
 */
export function rocCurve(
  y: ClassTargets,
  scores: Float64Array,
  positive: number,
  stride = 1,
  offset = 0,
): { points: RocPoint[]; auc: number | null; positives: number; negatives: number } {
  checkScores('rocCurve', y.length, scores, stride);
  const s = sweep(y, positive, scores, stride, offset);
  if (s.positives === 0 || s.negatives === 0) {
    return { points: [], auc: null, positives: s.positives, negatives: s.negatives };
  }
  let auc = 0;
  let tprPrev = 0;
  let fprPrev = 0;
  for (let j = 0; j < s.thresholds.length; j++) {
    const tpr = s.tps[j]! / s.positives;
    const fpr = s.fps[j]! / s.negatives;
    auc += ((fpr - fprPrev) * (tpr + tprPrev)) / 2;
    tprPrev = tpr;
    fprPrev = fpr;
  }
  // scikit-learn keeps the first and the last point and every one where the slope changes.
  const m = s.thresholds.length;
  const points: RocPoint[] = [{ threshold: Infinity, fpr: 0, tpr: 0 }];
  for (let j = 0; j < m; j++) {
    const corner =
      j === 0 ||
      j === m - 1 ||
      s.fps[j - 1]! - 2 * s.fps[j]! + s.fps[j + 1]! !== 0 ||
      s.tps[j - 1]! - 2 * s.tps[j]! + s.tps[j + 1]! !== 0;
    if (corner) {
      points.push({ threshold: s.thresholds[j]!, fpr: s.fps[j]! / s.negatives, tpr: s.tps[j]! / s.positives });
    }
  }
  return { points, auc, positives: s.positives, negatives: s.negatives };
}

/**
 * The precision-recall curve of one score column, as scikit-learn's `precision_recall_curve`: one
 * point per distinct score down to the first that reaches full recall, in order of increasing
 * threshold (decreasing recall), then (recall 0, precision 1); and the average precision
 * Σ (Rₙ − Rₙ₋₁) Pₙ, as `average_precision_score`. No points and null when the positives are absent.
 *
 * @example
 * prCurve(Int32Array.of(0, 0, 1, 1), Float64Array.of(0.1, 0.4, 0.35, 0.8), 1).averagePrecision; // 0.8333…
 */
export function prCurve(
  y: ClassTargets,
  scores: Float64Array,
  positive: number,
  stride = 1,
  offset = 0,
): { points: PrPoint[]; averagePrecision: number | null } {
  checkScores('prCurve', y.length, scores, stride);
  const s = sweep(y, positive, scores, stride, offset);
  if (s.positives === 0) return { points: [], averagePrecision: null };
  const last = s.tps.indexOf(s.positives);
  const descending: PrPoint[] = [];
  let ap = 0;
  let recallPrev = 0;
  for (let j = 0; j <= last; j++) {
    const tp = s.tps[j]!;
    const precision = tp / (tp + s.fps[j]!);
    const recall = tp / s.positives;
    ap += (recall - recallPrev) * precision;
    recallPrev = recall;
    descending.push({ threshold: s.thresholds[j]!, recall, precision });
  }
  return { points: [...descending.reverse(), { threshold: Infinity, recall: 0, precision: 1 }], averagePrecision: ap };
}

/**
 * Precision, recall, F1, MCC, accuracy and false-positive rate of predicting "positive when
 * pPositive >= threshold" (y: 0 negative, 1 positive); precision 0 when nothing is predicted
 * positive, as scikit-learn with zero_division=0.
 *
 * @example
 * operatingPoint(Int32Array.of(0, 0, 1, 1), Float64Array.of(0.1, 0.4, 0.35, 0.8), 0.35, 'f1', 'test');
 * // { threshold: 0.35, precision: 2/3, recall: 1, f1: 0.8, fpr: 0.5, … }
 */
export function operatingPoint(
  y: ClassTargets,
  pPositive: Float64Array,
  threshold: number,
  objective: 'f1' | 'mcc',
  source: 'pipeline' | 'test',
): OperatingPoint {
  checkScores('operatingPoint', y.length, pPositive, 1);
  const { precision, recall, f1, mcc, accuracy, confusion } = atThreshold(y, pPositive, threshold);
  const [[tn, fp]] = confusion as [[number, number], [number, number]];
  return {
    objective,
    source,
    threshold,
    precision,
    recall,
    f1,
    mcc,
    accuracy,
    fpr: tn + fp === 0 ? 0 : fp / (tn + fp),
  };
}

/**
 * The report's classification curves from the test rows: for a binary target the positive class's
 * ROC and precision-recall curves with the operating points of the F1 and MCC thresholds (the
 * pipeline's, chosen out of fold, when given; else the best on these rows); for K ≥ 3 one curve
 * per class, one-vs-rest, and no operating points.
 *
 * @param y class indices 0..K−1 of the test rows
 * @param proba row-major n × K probabilities
 * @param classes the K labels
 * @param thresholds the pipeline's binary thresholds on the positive class's probability
 * @example
 * const c = classificationCurves(y, proba, ['no', 'yes'], { f1: 0.41, mcc: 0.47 });
 * c.perClass[0].auc; // the test AUC
 */
export function classificationCurves(
  y: ClassTargets,
  proba: Float64Array,
  classes: readonly string[],
  thresholds?: { f1: number; mcc: number } | null,
): ClassificationCurves {
  const K = classes.length;
  if (K < 2) throw new RangeError(`classificationCurves: ${K} classes; expected at least 2`);
  checkScores('classificationCurves', y.length, proba, K);
  const of = (k: number): ClassCurves => {
    const roc = rocCurve(y, proba, k, K, k);
    const pr = prCurve(y, proba, k, K, k);
    return {
      label: classes[k]!,
      positives: roc.positives,
      negatives: roc.negatives,
      roc: roc.points,
      auc: roc.auc,
      pr: pr.points,
      averagePrecision: pr.averagePrecision,
    };
  };
  if (K > 2) {
    return { perClass: classes.map((_, k) => of(k)), positiveClass: null, operatingPoints: [] };
  }
  const positive = of(1);
  const operatingPoints: OperatingPoint[] = [];
  if (y.length > 0 && positive.auc !== null) {
    const p = Float64Array.from({ length: y.length }, (_, i) => proba[i * 2 + 1]!);
    for (const objective of ['f1', 'mcc'] as const) {
      const threshold = thresholds ? thresholds[objective] : bestThreshold(y, p, objective).threshold;
      operatingPoints.push(operatingPoint(y, p, threshold, objective, thresholds ? 'pipeline' : 'test'));
    }
  }
  return { perClass: [positive], positiveClass: classes[1]!, operatingPoints };
}

/** A test row of a regression target. */
export interface RegressionPoint {
  /** The row's index in the test predictions. */
  readonly row: number;
  readonly actual: number;
  readonly predicted: number;
  /** actual − predicted. */
  readonly residual: number;
}

/**
 * The test rows of a regression target as points, thinned to at most `max` (every k-th row, the
 * first and the last kept, so the choice depends on nothing but the row count). Rows whose actual
 * or predicted value is not finite are left out.
 *
 * @example
 * regressionPoints(Float64Array.of(1, 2, 3), Float64Array.of(1.5, 2, 2)).points[2]; // { row: 2, actual: 3, predicted: 2, residual: 1 }
 */
export function regressionPoints(
  actual: Float64Array,
  predicted: Float64Array,
  max = Infinity,
): { points: RegressionPoint[]; rows: number } {
  if (actual.length !== predicted.length) {
    throw new RangeError(`regressionPoints: ${actual.length} actual values, ${predicted.length} predictions`);
  }
  const rows: number[] = [];
  for (let i = 0; i < actual.length; i++) {
    if (Number.isFinite(actual[i]) && Number.isFinite(predicted[i])) rows.push(i);
  }
  const points = thin(rows, max).map((row) => {
    const a = actual[row]!;
    const p = predicted[row]!;
    return { row, actual: a, predicted: p, residual: a - p };
  });
  return { points, rows: rows.length };
}

/**
 * At most `max` items of `items`, evenly spaced by position, the first and the last kept; all of
 * them when there are no more than `max`.
 *
 * @example
 * thin([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4); // [0, 3, 6, 9]
 */
export function thin<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  if (max < 2) return items.slice(0, Math.max(0, max));
  const out: T[] = [];
  const step = (items.length - 1) / (max - 1);
  for (let j = 0; j < max; j++) out.push(items[Math.round(j * step)]!);
  return out;
}
