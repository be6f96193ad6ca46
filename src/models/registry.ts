/**
 * The model families, named once, in the order the search tries them: strong and cheap first (a
 * short budget still gets them), the neural net before the forests so that, on two cores, its
 * long fold jobs run beside the forests' rather than alone at the end. The search (and any caller
 * that takes a family by name) looks them up here; an unknown name is an error that lists the
 * known ones. A new family: its folder under src/models, and one line here.
 */
import { AutomlError } from '../util/errors.js';
import { extraTrees, randomForest } from './forest/forest.js';
import { gbdt } from './gbdt/gbdt.js';
import { glm } from './glm/glm.js';
import { mlp } from './mlp/mlp.js';
import type { ModelFamily } from './types.js';

/**
 * A family with its parameters' types erased: what the search holds (a candidate's parameters are
 * a plain record, checked by the family's fit).
 */
export type AnyFamily = ModelFamily<Record<string, unknown>>;

export const FAMILIES = {
  gbdt: gbdt as AnyFamily,
  glm: glm as AnyFamily,
  mlp: mlp as AnyFamily,
  random_forest: randomForest as AnyFamily,
  extra_trees: extraTrees as AnyFamily,
} as const;

export type FamilyName = keyof typeof FAMILIES;
export const FAMILY_NAMES = Object.keys(FAMILIES) as readonly FamilyName[];

export function isFamilyName(name: string): name is FamilyName {
  return Object.hasOwn(FAMILIES, name);
}

/**
 * The family of that name.
 *
 * @example
 * const model = await familyByName('gbdt').fit(train, { kind: 'binary', nClasses: 2, rng: new Rng(1) });
 */
export function familyByName(name: string): AnyFamily {
  if (!isFamilyName(name))
    throw new AutomlError(
      'UNKNOWN_FAMILY',
      `unknown model family '${name}'; the families are: ${FAMILY_NAMES.join(', ')}`,
    );
  return FAMILIES[name];
}
