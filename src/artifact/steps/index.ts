/**
 * The feature step kinds, kind → the function that checks and prepares a step of that kind, in the
 * order of the `FeatureStep` union (the Python runtime mirrors it: one function per file, in this
 * order). The compiler keeps the map complete.
 */
import type { FeatureStep } from '../format/features.js';
import type { PrepareStep } from './check.js';
import { prepareDate } from './date.js';
import { prepareFrequency } from './frequency.js';
import { prepareInteraction } from './interaction.js';
import { prepareLog } from './log.js';
import { prepareMissing } from './missing.js';
import { prepareOneHot } from './one-hot.js';
import { prepareQuantileBin } from './quantile-bin.js';
import { prepareStandardize } from './standardize.js';
import { prepareTargetEncoding } from './target-encoding.js';
import { prepareText } from './text.js';
import { prepareYeoJohnson } from './yeo-johnson.js';

export type { PreparedStep, PrepareStep, StepCheck } from './check.js';
export { describe, stepCheck } from './check.js';
export { yeoJohnson } from './yeo-johnson.js';
export { DATE_FORMATS, DATE_PARTS, instantParts, parseInstant } from './date.js';
export { gramBucket, textGrams, textTokens } from './text.js';

export const FEATURE_STEPS: { readonly [K in FeatureStep['kind']]: PrepareStep<Extract<FeatureStep, { kind: K }>> } = {
  standardize: prepareStandardize,
  log: prepareLog,
  yeo_johnson: prepareYeoJohnson,
  quantile_bin: prepareQuantileBin,
  missing: prepareMissing,
  interaction: prepareInteraction,
  one_hot: prepareOneHot,
  frequency: prepareFrequency,
  target_encoding: prepareTargetEncoding,
  date: prepareDate,
  text: prepareText,
};

/** The preparer of a step kind, or undefined when the kind is not one (only own keys count, never Object.prototype's). */
export function featureStepPreparer(kind: unknown): PrepareStep<FeatureStep> | undefined {
  return typeof kind === 'string' && Object.hasOwn(FEATURE_STEPS, kind)
    ? (FEATURE_STEPS[kind as FeatureStep['kind']] as PrepareStep<FeatureStep>)
    : undefined;
}
