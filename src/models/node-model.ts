/**
 * A fitted model that predicts through the standalone scorer of its exported node, as the model
 * contract asks: the node goes through a JSON round trip once and is scored by the same code a
 * deployed pipeline runs. Each family gives its node and the scorer that reads it.
 */
import type { ModelNode } from '../artifact/format/pipeline.js';
import type { FeatureImportance, FittedModel, Matrix, ProblemKind } from './types.js';

export interface NodeScorer {
  predict(columns: readonly Float64Array[], nRows: number): Float64Array;
}

export class NodeModel<N extends ModelNode> implements FittedModel<N> {
  private scorer: NodeScorer | undefined;

  constructor(
    readonly family: string,
    readonly kind: ProblemKind,
    readonly nClasses: number,
    protected readonly node: N,
    private readonly makeScorer: (node: N) => NodeScorer,
    private readonly imp: FeatureImportance,
    readonly info: Readonly<Record<string, unknown>>,
  ) {}

  exportNode(): N {
    return structuredClone(this.node);
  }

  predict(x: Matrix): Float64Array {
    this.scorer ??= this.makeScorer(JSON.parse(JSON.stringify(this.node)) as N);
    return this.scorer.predict(x.columns, x.nRows);
  }

  importance(): FeatureImportance {
    return { gain: this.imp.gain.slice(), splits: this.imp.splits.slice() };
  }
}
