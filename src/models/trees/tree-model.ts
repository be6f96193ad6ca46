/**
 * A fitted tree model (gradient boosting or forest) that predicts through the standalone tree
 * scorer of its exported node.
 */
import type { TreeEnsembleNode } from '../../artifact/format/tree-ensemble.js';
import { TreeScorer } from '../../artifact/tree-scorer.js';
import { NodeModel } from '../node-model.js';
import type { FeatureImportance, ProblemKind } from '../types.js';

export class TreeModel extends NodeModel<TreeEnsembleNode> {
  constructor(
    family: string,
    kind: ProblemKind,
    nClasses: number,
    node: TreeEnsembleNode,
    imp: FeatureImportance,
    info: Readonly<Record<string, unknown>>,
  ) {
    super(family, kind, nClasses, node, (n) => new TreeScorer(n), imp, info);
  }
}
