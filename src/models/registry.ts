/**
 * The model families, named once. The search (and any caller that takes a family by name) looks
 * them up here; an unknown name is an error that lists the known ones.
 */
import { AutomlError } from '../util/errors.js';
import { extraTrees, randomForest } from './forest/forest.js';
import { gbdt } from './gbdt/gbdt.js';
import { glm } from './glm/glm.js';
import { mlp } from './mlp/mlp.js';
import type { ModelFamily } from './types.js';

export const FAMILY_NAMES = ['gbdt', 'random_forest', 'extra_trees', 'glm', 'mlp'] as const;
export type FamilyName = (typeof FAMILY_NAMES)[number];

export const FAMILIES: { readonly [K in FamilyName]: ModelFamily<never> } = {
  gbdt: gbdt as ModelFamily<never>,
  random_forest: randomForest as ModelFamily<never>,
  extra_trees: extraTrees as ModelFamily<never>,
  glm: glm as ModelFamily<never>,
  mlp: mlp as ModelFamily<never>,
};

export function isFamilyName(name: string): name is FamilyName {
  return (FAMILY_NAMES as readonly string[]).includes(name);
}

/**
 * The family of that name.
 *
 * @example
 * const model = await familyByName('gbdt').fit(train, { kind: 'binary', nClasses: 2, rng: new Rng(1) });
 */
export function familyByName(name: string): ModelFamily<never> {
  if (!isFamilyName(name)) throw new AutomlError('UNKNOWN_FAMILY', `unknown model family '${name}'; the families are: ${FAMILY_NAMES.join(', ')}`);
  return FAMILIES[name];
}
