/** The feature transforms: fitted on training rows, applied by src/artifact/feature-scorer.ts. */
export { columnarInput } from './columnar-input.js';
export { fitDate } from './date.js';
export { fitFrequency } from './frequency.js';
export { fitInteraction, INTERACTION_OPS, type InteractionOp } from './interaction.js';
export { fitLog } from './log.js';
export { fitMissing, FILL_KINDS, type FillKind, type MissingOptions } from './missing.js';
export { fitOneHot, type OneHotOptions } from './one-hot.js';
export { fitFeaturePipeline, type FeatureSpec, type FittedFeaturePipeline } from './pipeline.js';
export { fitQuantileBin, type QuantileBinOptions } from './quantile-bin.js';
export { isTransformKind, TRANSFORM_KINDS, TRANSFORMS, transformByKind, type TransformKind } from './registry.js';
export { fitStandardize } from './standardize.js';
export { fitTargetEncoding, type FittedTargetEncoding, type TargetEncodingOptions } from './target-encoding.js';
export { fitText, TEXT_BUCKETS, TEXT_MAX_FEATURES, TEXT_SEED, type TextOptions } from './text.js';
export type * from './types.js';
export { fitYeoJohnson, yeoJohnsonLambda } from './yeo-johnson.js';
