import type { FitData, ProblemKind } from './types.js';

/**
 * Checks what a family is given to fit on. These are programming errors (the CLI and the search
 * validate user input earlier), so they are RangeErrors that say exactly what is wrong.
 */
export function checkFitData(d: FitData, kind: ProblemKind, nClasses: number, what: string, nFeatures?: number): void {
  const n = d.x.nRows;
  if (n < 1) throw new RangeError(`${what} data has no rows`);
  if (nFeatures !== undefined && d.x.columns.length !== nFeatures) {
    throw new RangeError(`${what} data has ${d.x.columns.length} features, the training data ${nFeatures}`);
  }
  d.x.columns.forEach((c, j) => {
    if (c.length < n) throw new RangeError(`${what} feature ${j} has ${c.length} rows, expected ${n}`);
  });
  if (d.y.length !== n) throw new RangeError(`${what} labels have ${d.y.length} rows, the features ${n}`);
  for (let i = 0; i < n; i++) {
    const v = d.y[i]!;
    if (kind === 'regression' ? !Number.isFinite(v) : !(Number.isInteger(v) && v >= 0 && v < nClasses)) {
      throw new RangeError(
        `${what} label of row ${i} is ${v}: expected ${kind === 'regression' ? 'a finite number' : `a class index in [0, ${nClasses})`}`,
      );
    }
  }
  if (d.weights) {
    if (d.weights.length !== n)
      throw new RangeError(`${what} weights have ${d.weights.length} rows, the features ${n}`);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const wi = d.weights[i]!;
      if (!(wi >= 0 && Number.isFinite(wi)))
        throw new RangeError(`${what} weight of row ${i} is ${wi}: weights must be finite and >= 0`);
      total += wi;
    }
    if (total <= 0) throw new RangeError(`${what} weights sum to 0`);
  }
}
