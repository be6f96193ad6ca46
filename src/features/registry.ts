import type { FeatureStep } from '../artifact/format/features.js';
import { AutomlError } from '../util/errors.js';
import { dateTransform } from './date.js';
import { frequencyTransform } from './frequency.js';
import { interactionTransform } from './interaction.js';
import { logTransform } from './log.js';
import { missingTransform } from './missing.js';
import { oneHotTransform } from './one-hot.js';
import { quantileBinTransform } from './quantile-bin.js';
import { standardizeTransform } from './standardize.js';
import { targetEncodingTransform } from './target-encoding.js';
import { textTransform } from './text.js';
import type { Transform } from './types.js';
import { yeoJohnsonTransform } from './yeo-johnson.js';

/** Every feature transform, by kind. The one list the names come from. */
export const TRANSFORM_KINDS = [
  'standardize',
  'log',
  'yeo_johnson',
  'quantile_bin',
  'missing',
  'interaction',
  'one_hot',
  'frequency',
  'target_encoding',
  'date',
  'text',
] as const;
export type TransformKind = (typeof TRANSFORM_KINDS)[number];

// The kinds are exactly the step kinds of the artifact format (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameKinds: Same<TransformKind, FeatureStep['kind']> = true;
void _sameKinds;

/** Every transform by kind. */
export const TRANSFORMS: { readonly [K in TransformKind]: Transform<K> } = {
  standardize: standardizeTransform,
  log: logTransform,
  yeo_johnson: yeoJohnsonTransform,
  quantile_bin: quantileBinTransform,
  missing: missingTransform,
  interaction: interactionTransform,
  one_hot: oneHotTransform,
  frequency: frequencyTransform,
  target_encoding: targetEncodingTransform,
  date: dateTransform,
  text: textTransform,
};

/** Whether `kind` is one of {@link TRANSFORM_KINDS}. */
export function isTransformKind(kind: unknown): kind is TransformKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(TRANSFORMS, kind);
}

/**
 * The transform of that kind; an AutomlError (code UNKNOWN_TRANSFORM) naming it and listing the
 * kinds there are when there is none.
 *
 * @example
 * transformByKind('one_hot').description; // 'categorical: one 0/1 column per training level …'
 * transformByKind('onehot');              // throws: unknown transform 'onehot'; the transforms are: …
 */
export function transformByKind(kind: string): Transform {
  if (!isTransformKind(kind)) {
    throw new AutomlError(
      'UNKNOWN_TRANSFORM',
      `unknown transform '${String(kind)}'; the transforms are: ${TRANSFORM_KINDS.join(', ')}. Use one of these kinds.`,
    );
  }
  return TRANSFORMS[kind] as Transform;
}
