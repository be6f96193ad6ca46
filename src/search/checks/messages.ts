/**
 * The words of the leakage and shift checks, in one place so that tests can assert on them and
 * the dashboard, experiment.json and the log all say the same thing.
 */
import type { TargetRelation } from './target-relation.js';

export type ProbeMetric = 'auc' | 'r2';

const METRIC_LABEL: Record<ProbeMetric, string> = { auc: 'AUC', r2: 'R²' };

/** A score as the reports print it: "AUC 0.998", or "no score" when it could not be computed. */
export function scoreText(metric: ProbeMetric, score: number | null): string {
  return score === null ? 'no score' : `${METRIC_LABEL[metric]} ${score.toFixed(3)}`;
}

const RELATION_TEXT: Record<TargetRelation, (target: string) => string> = {
  copy: (t) => `deterministic: an exact copy of the target ${t}`,
  'one-to-one': (t) => `deterministic: a 1:1 relabelling of the target ${t} (each target value has one value of it, and each of its values one target value)`,
  monotone: (t) => `deterministic: it rises or falls exactly with the target ${t} (a rescaled or transformed copy of it)`,
  'function-of-target': (t) => `deterministic: a function of the target ${t} (each target value has a single value of it)`,
  'determines-target': (t) => `deterministic: each of its values occurs with a single value of the target ${t}`,
};

/** Why a feature was flagged as a likely leak. */
export function leakReason(target: string, metric: ProbeMetric, score: number | null, threshold: number, relation: TargetRelation | null): string {
  if (relation) return RELATION_TEXT[relation](target);
  return `on its own it predicts ${target} with ${scoreText(metric, score)} on held-out rows (flag at ${threshold})`;
}

/**
 * Score flags on this many features or more mean the target is easy to predict from many
 * features (a strong signal), which the wording then says: a leak usually stands alone.
 */
export const MANY_STRONG_FEATURES = 3;

/**
 * The one line a user reads about a flagged feature: what was found and what to do.
 * `alsoStrong` counts the other features flagged on their score alone.
 */
export function leakMessage(feature: string, reason: string, relation: TargetRelation | null, alsoStrong: number): string {
  if (relation === 'copy' || relation === 'one-to-one' || relation === 'monotone') {
    return `possible leak: ${feature}: ${reason}. This is almost certainly the target under another name: drop it with --drop ${feature}.`;
  }
  const context =
    relation === null && alsoStrong > 0
      ? ` ${alsoStrong} other feature${alsoStrong === 1 ? ' scores as high on its own' : 's score as high on their own'}, which points to a strong signal rather than a leak.`
      : '';
  return (
    `possible leak: ${feature}: ${reason}.${context} A flag is a warning to look, not a verdict: if ${feature} is known only after the outcome ` +
    `(or is derived from it), drop it with --drop ${feature}; if it is measured before the outcome and available when you score, keep it.`
  );
}

interface ScoredFeature {
  readonly feature: string;
  readonly metric: ProbeMetric;
  readonly score: number | null;
  readonly relation: TargetRelation | null;
}

/** The leakage check's line for the dashboard. */
export function leakSummary(target: string, nFeatures: number, flagged: readonly ScoredFeature[], best?: ScoredFeature): string {
  if (flagged.length === 0) {
    const top = best ? ` (strongest alone: ${best.feature}, ${scoreText(best.metric, best.score)})` : '';
    return `leakage: no feature of ${nFeatures} predicts ${target} suspiciously well on its own${top}`;
  }
  // The strongest few by name; the report's per-feature list has them all.
  const shown = flagged.slice(0, 4).map((f) => `${f.feature} (${f.relation ? 'deterministic' : scoreText(f.metric, f.score)})`);
  const list = flagged.length > 4 ? `${shown.join(', ')} and ${flagged.length - 4} more` : shown.join(', ');
  const byScore = flagged.filter((f) => f.relation === null).length;
  const many =
    byScore >= MANY_STRONG_FEATURES
      ? `; ${byScore} features each reach the threshold alone, so ${target} is strongly predictable from many features: more likely a strong signal than a leak, but check that none is recorded after the outcome`
      : '';
  return `leakage: ${flagged.length} of ${nFeatures} features flagged for ${target}: ${list}${many}; a flag is a warning to look, not a verdict`;
}

/** Why a feature was flagged as shifted, with what to do. */
export function shiftMessage(feature: string, auc: number | null, ks: number | null): string {
  const ksText = ks === null ? '' : `, KS ${ks.toFixed(3)}`;
  return (
    `shift: ${feature} differs between train and test (alone it tells them apart with ${scoreText('auc', auc)}${ksText}). ` +
    `Check how the two sets were collected; if scoring data will look like the test set, a model that leans on ${feature} may do worse than validation says. Consider --drop ${feature}.`
  );
}

/** The shift check's line for the dashboard. */
export function shiftSummary(auc: number | null, threshold: number, nFeatures: number, flagged: readonly string[]): string {
  const verdict = auc === null ? 'could not be scored' : auc >= threshold ? 'train and test differ' : 'no shift detected';
  const list = flagged.length > 0 ? `; ${flagged.length} of ${nFeatures} features shifted: ${flagged.join(', ')}` : `; no feature of ${nFeatures} shifted`;
  return `shift: a model telling train from test reaches ${scoreText('auc', auc)} (0.5 = indistinguishable): ${verdict}${list}`;
}

export function missingTestColumn(feature: string): string {
  return `the test table has no column '${feature}', which the training table has; the test table needs every feature column of the training table, with the same names`;
}

export function testColumnType(feature: string, trainType: string, testType: string): string {
  return `column '${feature}' is ${trainType} in the training table but ${testType} in the test table; the types must match (check the test file's values in that column)`;
}
