/**
 * Generalised linear models: L2-penalised logistic regression (binary), multinomial logistic
 * regression (softmax, K ≥ 3 classes) and ridge regression, in float64, on standardised inputs.
 *
 *   raw features ──buildDesign──► imputed (training mean) + missing indicators, standardised
 *                                        │
 *        Newton (few parameters), L-BFGS (many), or for ridge the normal equations,
 *                         on the penalised objective below
 *                                        │
 *   exportNode(): coefficients in raw feature units ──► LinearScorer (src/artifact) ──► predict
 *
 * The objective, on the standardised design z, with row weights w (1 when absent):
 *
 *   Σ_i w_i · loss_i  +  λ/2 · Σ_k ||β_k||²        (the intercepts b_k are not penalised)
 *
 * where loss_i is the log loss (binary: one coefficient vector and the sigmoid; multiclass: one
 * vector per class and the softmax, as scikit-learn's multinomial) or, for regression, half the
 * squared error. That is scikit-learn's `StandardScaler` then `LogisticRegression(C = 1/λ)`, and
 * `Ridge(alpha = λ)`, exactly (the tests check the coefficients against it). Because the inputs
 * are standardised, λ means the same whatever the units of the features.
 *
 * The GLM draws no random numbers (the seed does not matter) and does not early-stop (a
 * validation set is ignored).
 */
import { predictionWidth } from '../../artifact/tasks.js';
import { NodeModel } from '../node-model.js';
import { LinearScorer } from '../../artifact/linear-scorer.js';
import type { LinearNode } from '../../artifact/format/linear.js';
import type { FeatureImportance, FitData, FitOptions, FittedModel, ModelFamily, ProblemKind } from '../types.js';
import type { Rng } from '../../util/random.js';
import { checkFitData } from '../validate.js';
import { buildDesign } from './design.js';
import { lbfgs, type MinimizeResult } from './lbfgs.js';
import { newton } from './newton.js';
import { glmObjective } from './objective.js';
import { ridgeSolve } from './ridge.js';

export interface GlmParams {
  /** L2 penalty strength λ > 0 on the standardised coefficients (scikit-learn's 1/C, or Ridge's alpha). */
  lambda: number;
  /** Most iterations of the solver (Newton converges in tens, L-BFGS can take thousands). */
  maxIter: number;
  /**
   * Convergence: the largest absolute entry of the gradient of the objective divided by the
   * total row weight (so independent of the row count; in standardised target units for regression).
   */
  tol: number;
  /**
   * `newton` forms and factors the Hessian (for classification; for regression it is the closed
   * form), `lbfgs` needs only gradients; `auto` takes `newton` up to
   * NEWTON_MAX_PARAMS parameters (classification) or RIDGE_CLOSED_FORM_MAX_COLUMNS design columns (regression).
   */
  solver: GlmSolver;
}

export const GLM_SOLVERS = ['auto', 'newton', 'lbfgs'] as const;
export type GlmSolver = (typeof GLM_SOLVERS)[number];

/**
 * λ = 1 as scikit-learn's C = 1: since the loss is summed over rows, it is light on a few thousand
 * rows and firmer on a few dozen, where a much weaker penalty overfits badly. It is worth tuning on
 * a log scale (about 1e-4 … 10): on the hydraulic data, whose sensors are strongly correlated,
 * λ = 0.001 beats λ = 1 on four of the five targets (valve condition: test log loss 0.09 against 0.77).
 */
export const GLM_DEFAULTS: Readonly<GlmParams> = {
  lambda: 1,
  maxIter: 1000,
  tol: 1e-6,
  solver: 'auto',
};

/** Parameters (outputs × (design columns + 1)) up to which classification uses Newton's method. */
export const NEWTON_MAX_PARAMS = 250;

/** Design columns up to which ridge regression is solved in closed form rather than by L-BFGS. */
export const RIDGE_CLOSED_FORM_MAX_COLUMNS = 200;

export interface GlmInfo {
  solver: 'newton' | 'lbfgs' | 'cholesky';
  /** Solver iterations (0 for the closed form). */
  iterations: number;
  /** Whether the solver met `tol` (always true for the closed form). */
  converged: boolean;
  /** Largest absolute gradient entry at the solution, as compared with `tol` (0 for the closed form). */
  gradNorm: number;
  /** Features given a missing indicator. */
  indicators: number;
  /** Weighted mean training log loss (classification) or training RMSE (regression), through the scorer. */
  trainLoss: number;
}

/**
 * The GLM family, for the model registry.
 *
 * @example
 * const model = await glm.fit({ x, y }, { kind: 'binary', nClasses: 2, rng: new Rng(42) });
 */
export const glm: ModelFamily<GlmParams> = {
  name: 'glm',
  defaults: GLM_DEFAULTS,
  search: {
    // Three penalties to start from: the right one depends on the table (see GLM_DEFAULTS).
    first: () => [{ lambda: 1 }, { lambda: 0.01 }, { lambda: 0.0001 }],
    space: {},
    vary: varyLambda,
    shapeSensitive: true,
    interpretable: true,
  },
  fit: fitGlm,
};

/** The GLM's penalty stays within [1e-5, 10] (as powers of ten). */
const GLM_LOG_LAMBDA = [-5, 1] as const;

/** A variation of the penalty: up to a factor of 10 either way, on a log scale. */
function varyLambda(params: Partial<GlmParams>, rng: Rng): Partial<GlmParams> {
  const current = typeof params.lambda === 'number' && params.lambda > 0 ? Math.log10(params.lambda) : 0;
  return {
    ...params,
    lambda: 10 ** Math.min(GLM_LOG_LAMBDA[1], Math.max(GLM_LOG_LAMBDA[0], current + (2 * rng.next() - 1))),
  };
}

/**
 * Fits a GLM: logistic (binary), multinomial logistic (multiclass) or ridge (regression).
 *
 * Missing values (NaN) are imputed with the feature's weighted training mean, and each feature
 * with missing values in training also gets a missing-indicator input, so that missingness
 * itself can carry signal. `opts.rng` and `opts.valid` are not used.
 *
 * @example
 * const model = fitGlm({ x, y }, { kind: 'multiclass', nClasses: 3, rng: new Rng(42), params: { lambda: 1 } });
 * const proba = model.predict(xTest);  // row-major n × 3
 * model.exportNode().weights;          // 3 × (features + indicators), raw feature units
 */
export function fitGlm(train: FitData, opts: FitOptions<GlmParams>): FittedModel<LinearNode> {
  const p: GlmParams = { ...GLM_DEFAULTS, ...opts.params };
  checkParams(p);
  const { x, y, weights } = train;
  const K = predictionWidth(opts.kind, opts.nClasses);
  if (opts.kind === 'binary' && K !== 2) throw new RangeError(`a binary GLM needs nClasses = 2, got ${K}`);
  if (opts.kind === 'multiclass' && K < 2) throw new RangeError(`a multiclass GLM needs nClasses >= 2, got ${K}`);
  checkFitData(train, opts.kind, K, 'training');

  const nFeatures = x.columns.length;
  const design = buildDesign(x, weights);
  const width = design.columns.length;
  const stride = width + 1;
  const nOutputs = opts.kind === 'multiclass' ? K : 1;
  const n = x.nRows;

  // Regression works on the standardised target (the same minimiser, scaled), so that `tol` is unit-free.
  let yMean = 0;
  let yScale = 1;
  let target = y;
  if (opts.kind === 'regression') {
    let sw = 0;
    let swy = 0;
    for (let i = 0; i < n; i++) {
      const wi = weights ? weights[i]! : 1;
      sw += wi;
      swy += wi * y[i]!;
    }
    yMean = swy / sw;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (weights ? weights[i]! : 1) * (y[i]! - yMean) ** 2;
    const sd = Math.sqrt(ss / sw);
    yScale = sd > 0 ? sd : 1;
    target = Float64Array.from(y, (v) => (v - yMean) / yScale);
  }

  let theta: Float64Array;
  let info: Omit<GlmInfo, 'trainLoss'>;
  const nParams = nOutputs * stride;
  const indicators = design.indicators.length;
  if (
    opts.kind === 'regression' &&
    (p.solver === 'newton' || (p.solver === 'auto' && width <= RIDGE_CLOSED_FORM_MAX_COLUMNS))
  ) {
    theta = ridgeSolve(design.columns, n, target, p.lambda, weights);
    info = { solver: 'cholesky', iterations: 0, converged: true, gradNorm: 0, indicators };
  } else {
    const loss = opts.kind === 'regression' ? 'squared' : opts.kind === 'binary' ? 'sigmoid' : 'softmax';
    const obj = glmObjective({
      loss,
      nOutputs,
      columns: design.columns,
      nRows: n,
      y: target,
      lambda: p.lambda,
      ...(weights ? { weights } : {}),
    });
    const useNewton = p.solver === 'newton' || (p.solver === 'auto' && nParams <= NEWTON_MAX_PARAMS);
    const x0 = new Float64Array(nParams);
    let r: MinimizeResult;
    if (useNewton) {
      // The softmax is flat along a common shift of the intercepts: hold the last one at 0.
      const fixed = loss === 'softmax' ? [(nOutputs - 1) * stride] : [];
      r = newton(obj.valueAndGradient, (t, h) => obj.hessian(t, h), x0, { tol: p.tol, maxIter: p.maxIter, fixed });
    } else r = lbfgs(obj.valueAndGradient, x0, { tol: p.tol, maxIter: p.maxIter });
    theta = r.x;
    info = {
      solver: useNewton ? 'newton' : 'lbfgs',
      iterations: r.iterations,
      converged: r.converged,
      gradNorm: r.gradNorm,
      indicators,
    };
  }

  // Back to raw units: β_raw = β / scale, and an indicator's mean share moves into the intercept.
  const nodeWeights: number[] = [];
  const intercept: number[] = [];
  const gain = new Float64Array(nFeatures);
  const splits = new Float64Array(nFeatures);
  for (let k = 0; k < nOutputs; k++) {
    let b = theta[k * stride]!;
    for (let c = 0; c < width; c++) {
      const beta = theta[k * stride + 1 + c]!;
      const feature = c < nFeatures ? c : design.indicators[c - nFeatures]!;
      if (c >= nFeatures) b -= (beta * design.missingShare[c - nFeatures]!) / design.scale[c]!;
      nodeWeights.push((beta / design.scale[c]!) * yScale);
      gain[feature]! += Math.abs(beta) * yScale;
      if (beta !== 0) splits[feature] = 1;
    }
    intercept.push(b * yScale + yMean);
  }
  if (nOutputs > 1) {
    // The softmax is unchanged by a shift of all intercepts: keep them summing to 0.
    const mean = intercept.reduce((s, v) => s + v, 0) / nOutputs;
    for (let k = 0; k < nOutputs; k++) intercept[k]! -= mean;
  }
  const node: LinearNode = {
    kind: 'linear',
    link: opts.kind === 'regression' ? 'identity' : opts.kind === 'binary' ? 'sigmoid' : 'softmax',
    nFeatures,
    nOutputs,
    center: Array.from(design.center),
    indicators: [...design.indicators],
    weights: nodeWeights,
    intercept,
  };
  const fullInfo: GlmInfo = { ...info, trainLoss: NaN };
  const model = new LinearModel(
    'glm',
    opts.kind,
    K,
    node,
    { gain, splits },
    fullInfo as unknown as Record<string, unknown>,
  );
  fullInfo.trainLoss = meanTrainLoss(opts.kind, K, y, weights, model.predict(x));
  return model;
}

/**
 * A fitted linear model that predicts through the standalone scorer of its exported node.
 *
 * `importance()`: `gain` is, per feature, Σ over outputs of |standardised coefficient| (the change
 * of the raw score per training standard deviation of the feature; in target units for
 * regression), its missing indicator's included; `splits` is 1 for a feature with a non-zero
 * coefficient (or indicator coefficient), else 0.
 *
 * @example
 * const model = fitGlm({ x, y }, { kind: 'binary', nClasses: 2, rng: new Rng(42) });
 * model.importance().gain;  // per feature, in raw-score units per standard deviation
 */
export class LinearModel extends NodeModel<LinearNode> {
  constructor(
    family: string,
    kind: ProblemKind,
    nClasses: number,
    node: LinearNode,
    imp: FeatureImportance,
    info: Readonly<Record<string, unknown>>,
  ) {
    super(family, kind, nClasses, node, (n) => new LinearScorer(n), imp, info);
  }
}

function meanTrainLoss(
  kind: ProblemKind,
  K: number,
  y: Float64Array,
  weights: Float64Array | undefined,
  pred: Float64Array,
): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = weights ? weights[i]! : 1;
    sw += wi;
    s += wi * (kind === 'regression' ? (pred[i]! - y[i]!) ** 2 : -Math.log(Math.max(pred[i * K + y[i]!]!, 1e-15)));
  }
  return kind === 'regression' ? Math.sqrt(s / sw) : s / sw;
}

function checkParams(p: GlmParams): void {
  if (!(p.lambda > 0 && Number.isFinite(p.lambda)))
    throw new RangeError(`glm: lambda must be a finite number > 0, got ${p.lambda}`);
  if (!(Number.isInteger(p.maxIter) && p.maxIter >= 1))
    throw new RangeError(`glm: maxIter must be an integer >= 1, got ${p.maxIter}`);
  if (!(p.tol > 0 && Number.isFinite(p.tol)))
    throw new RangeError(`glm: tol must be a finite number > 0, got ${p.tol}`);
  if (!GLM_SOLVERS.includes(p.solver))
    throw new RangeError(`glm: solver must be one of ${GLM_SOLVERS.join(', ')}, got ${String(p.solver)}`);
}
