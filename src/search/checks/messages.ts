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

const RELATION_TEXT: Record<Exclude<TargetRelation, `near-${string}`>, (target: string) => string> = {
  copy: (t) => `deterministic: an exact copy of the target ${t}`,
  'one-to-one': (t) =>
    `deterministic: a 1:1 relabelling of the target ${t} (each target value has one value of it, and each of its values one target value)`,
  monotone: (t) =>
    `deterministic: it rises or falls exactly with the target ${t} (a rescaled or transformed copy of it)`,
  'function-of-target': (t) =>
    `deterministic: a function of the target ${t} (each target value has a single value of it)`,
  'determines-target': (t) => `deterministic: each of its values occurs with a single value of the target ${t}`,
};

/** A share of rows as the reports print it: "98.0%". */
export function shareText(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}

/**
 * Why a feature was flagged on its score (see leakage.ts):
 * - `beats-rest`: its error (1 − score) is below a fraction of the other features' together;
 * - `near-perfect`: it reaches the threshold alone while the other features together do not;
 * - `alone`: it reaches the threshold and there are no other features to compare it with;
 * - `uncompared`: it reaches the threshold and no time was left to compare it with the others.
 */
export type ScoreGround = 'beats-rest' | 'near-perfect' | 'alone' | 'uncompared';

/** What the leakage check found about one flagged feature, for {@link leakReason}. */
export interface LeakEvidence {
  readonly target: string;
  readonly metric: ProbeMetric;
  /** The feature's score alone, and the other features' together (null when not computed). */
  readonly score: number | null;
  readonly restScore: number | null;
  /** How many other features the rest score is of. */
  readonly restCount: number;
  readonly threshold: number;
  /** The error ratio (own error / the rest's error) below which `beats-rest` flags. */
  readonly restErrorRatio: number;
  /** An exact or near relation to the target; it takes precedence over the score. */
  readonly relation: TargetRelation | null;
  /** For a near relation: the share of rows it holds in, and the feature's distinct values. */
  readonly relationShare: number | null;
  readonly relationValues: number | null;
  /** Why it was flagged on its score, when it was not flagged for a relation. */
  readonly ground: ScoreGround | null;
}

function errorText(metric: ProbeMetric): string {
  return `1 − ${METRIC_LABEL[metric]}`;
}

/** Why a feature was flagged as a likely leak: one sentence naming the evidence (both scores, or the share of rows). */
export function leakReason(e: LeakEvidence): string {
  const t = e.target;
  if (e.relation === 'near-copy') {
    return `nearly deterministic: equal to the target ${t} in ${shareText(e.relationShare ?? 1)} of the rows where both are present (a copy of it with a few values changed)`;
  }
  if (e.relation === 'near-relabelling') {
    const n = e.relationValues ?? 0;
    return `nearly deterministic: each of its ${n} values goes with a single value of the target ${t} in ${shareText(e.relationShare ?? 1)} of the rows where both are present (a relabelling of it with a few values changed)`;
  }
  if (e.relation) return RELATION_TEXT[e.relation](t);
  const own = `on its own it predicts ${t} with ${scoreText(e.metric, e.score)} on held-out rows`;
  const others = `the ${e.restCount} other feature${e.restCount === 1 ? '' : 's'} together`;
  switch (e.ground) {
    case 'beats-rest': {
      const ratio = (1 - e.score!) / (1 - e.restScore!);
      return `${own}, far better than ${others} (${scoreText(e.metric, e.restScore)}): its error (${errorText(e.metric)}) is ${ratio.toFixed(2)}× theirs (flag below ${e.restErrorRatio}×)`;
    }
    case 'near-perfect':
      return `${own}, near perfect (flag at ${e.threshold}), while ${others} do not reach that (${scoreText(e.metric, e.restScore)})`;
    case 'uncompared':
      return `${own} (flag at ${e.threshold}; no time was left to compare it with ${others})`;
    default:
      return `${own} (flag at ${e.threshold}; there are no other features to compare it with)`;
  }
}

/**
 * When this many features or more reach the threshold alone without being flagged (none does
 * better than the others together), the summary says so: the target is easy, not leaked.
 */
export const MANY_STRONG_FEATURES = 3;

/** Relations that make a feature almost certainly the target under another name. */
const FIRM: ReadonlySet<TargetRelation | null> = new Set<TargetRelation>([
  'copy',
  'one-to-one',
  'monotone',
  'near-copy',
]);

/** The one line a user reads about a flagged feature: what was found and what to do. */
export function leakMessage(feature: string, reason: string, relation: TargetRelation | null): string {
  if (FIRM.has(relation)) {
    const few = relation === 'near-copy' ? ' (with a few values changed)' : '';
    return `possible leak: ${feature}: ${reason}. This is almost certainly the target under another name${few}: drop it with --drop ${feature}.`;
  }
  return (
    `possible leak: ${feature}: ${reason}. A flag is a warning to look, not a verdict: if ${feature} is known only after the outcome ` +
    `(or is derived from it), drop it with --drop ${feature}; if it is measured before the outcome and available when you score, keep it.`
  );
}

interface ScoredFeature {
  readonly feature: string;
  readonly metric: ProbeMetric;
  readonly score: number | null;
  readonly restScore: number | null;
  readonly relation: TargetRelation | null;
  readonly relationShare: number | null;
}

function flagText(f: ScoredFeature): string {
  if (f.relation === 'near-copy' || f.relation === 'near-relabelling')
    return `${f.relation}, ${shareText(f.relationShare ?? 1)} of rows`;
  if (f.relation) return 'deterministic';
  const alone = `${scoreText(f.metric, f.score)} alone`;
  return f.restScore === null ? alone : `${alone}, ${f.restScore.toFixed(3)} the others together`;
}

/**
 * The leakage check's line for the dashboard. `strongUnflagged` counts the features that reach
 * `threshold` alone but were not flagged, as none does better than the other features together.
 */
export function leakSummary(
  target: string,
  nFeatures: number,
  flagged: readonly ScoredFeature[],
  best: ScoredFeature | undefined,
  strongUnflagged: number,
  threshold: number,
): string {
  const metric = best?.metric ?? flagged[0]?.metric ?? 'auc';
  const strong =
    strongUnflagged >= MANY_STRONG_FEATURES
      ? `; ${strongUnflagged} ${flagged.length ? 'other ' : ''}features reach ${METRIC_LABEL[metric]} ${threshold} alone but none does much better than the others together: ${target} is easy to predict, which is a strong signal rather than a leak`
      : '';
  if (flagged.length === 0) {
    const rest = best?.restScore != null ? `; the others together: ${scoreText(best.metric, best.restScore)}` : '';
    const top = best ? ` (strongest alone: ${best.feature}, ${scoreText(best.metric, best.score)}${rest})` : '';
    return `leakage: no feature of ${nFeatures} predicts ${target} suspiciously well on its own${top}${strong}`;
  }
  // The strongest few by name; the report's per-feature list has them all.
  const shown = flagged.slice(0, 4).map((f) => `${f.feature} (${flagText(f)})`);
  const list = flagged.length > 4 ? `${shown.join(', ')} and ${flagged.length - 4} more` : shown.join(', ');
  return `leakage: ${flagged.length} of ${nFeatures} features flagged for ${target}: ${list}${strong}; a flag is a warning to look, not a verdict`;
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
export function shiftSummary(
  auc: number | null,
  threshold: number,
  nFeatures: number,
  flagged: readonly string[],
): string {
  const verdict =
    auc === null ? 'could not be scored' : auc >= threshold ? 'train and test differ' : 'no shift detected';
  const list =
    flagged.length > 0
      ? `; ${flagged.length} of ${nFeatures} features shifted: ${flagged.join(', ')}`
      : `; no feature of ${nFeatures} shifted`;
  return `shift: a model telling train from test reaches ${scoreText('auc', auc)} (0.5 = indistinguishable): ${verdict}${list}`;
}

export function missingTestColumn(feature: string): string {
  return `the test table has no column '${feature}', which the training table has; the test table needs every feature column of the training table, with the same names`;
}

export function testColumnType(feature: string, trainType: string, testType: string): string {
  return `column '${feature}' is ${trainType} in the training table but ${testType} in the test table; the types must match (check the test file's values in that column)`;
}
