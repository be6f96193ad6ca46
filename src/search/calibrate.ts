/**
 * Calibration of a classifier's probabilities on its out-of-fold predictions (the format's
 * `Calibration`: a temperature, then a floor), so that no model is more certain than its
 * out-of-fold record supports.
 *
 * - The temperature T minimises the out-of-fold logloss (summed over the rows) of q ∝ p^(1/T)
 *   over 1/T in [1/8, 4], plus a weak prior that the model's own probabilities are right:
 *   (ln T)² / (2 · 0.5²). Without it a model right on every out-of-fold row (a nearly separable
 *   target) would be sharpened as far as the range allows, on no evidence: with no mistakes to
 *   learn from, the record cannot say how sure to be. With many rows or many mistakes the data
 *   outweighs the prior.
 * - The floor: each class keeps at least ε. A model right on all of its n out-of-fold rows has
 *   earned a chance of 1/(n + 2) of being wrong on the next one (Laplace's rule of succession),
 *   which is spread over the K classes: ε ≥ 1/(K·(n + 2)). Above that bound ε also minimises the
 *   out-of-fold logloss, so a model whose record shows more surprises gets a larger floor.
 */
import { calibrateInPlace } from '../artifact/calibration.js';
import type { Calibration } from '../artifact/format/pipeline.js';
import { logloss } from '../metrics/logloss.js';
import { goldenSectionMin } from '../util/golden.js';

/** The range of 1/T searched. */
const INVERSE_TEMPERATURE = [1 / 8, 4] as const;
/** The prior's standard deviation of ln T. */
export const LOG_TEMPERATURE_PRIOR_SD = 0.5;

/**
 * Fits a calibration to out-of-fold probabilities `p` (row-major n × K) of rows with classes `y`
 * (and optional sample weights).
 *
 * @example
 * const c = fitCalibration(oof, y, 3); // fitCalibration(oof, y, 3, weights) with sample weights
 * c; // { kind: 'temperature', temperature: 1.42, floor: 0.0002 }
 */
export function fitCalibration(p: Float64Array, y: Float64Array, K: number, weights?: Float64Array): Calibration {
  const rows = y.length;
  // With sample weights (`--weight`) the record is the weighted one: a row of weight k counts as
  // k rows, in the loss and in the number of rows the prior and the floor weigh against.
  const n = weights ? weights.reduce((a, b) => a + b, 0) : rows;
  const scratch = new Float64Array(p.length);
  const lossAt = (temperature: number, floor: number): number => {
    scratch.set(p);
    calibrateInPlace(scratch, rows, K, { kind: 'temperature', temperature, floor });
    return logloss(y, scratch, weights);
  };
  // Over u = ln(1/T): the summed loss and the prior on ln T = −u.
  const u = goldenSectionMin(
    (x) => n * lossAt(Math.exp(-x), 0) + (x * x) / (2 * LOG_TEMPERATURE_PRIOR_SD ** 2),
    Math.log(INVERSE_TEMPERATURE[0]),
    Math.log(INVERSE_TEMPERATURE[1]),
    1e-7,
  );
  const temperature = Math.exp(-u);
  const least = 1 / (K * (n + 2));
  // Above the bound, the floor that fits the record best (at most a tenth of a uniform guess).
  const floor = goldenSectionMin((e) => lossAt(temperature, e), least, Math.max(least, 0.1 / K), 1e-9);
  // The search ends inside its last bracket: when the loss only grows with the floor, the bound itself.
  return {
    kind: 'temperature',
    temperature,
    floor: lossAt(temperature, least) <= lossAt(temperature, floor) ? least : floor,
  };
}

/** Calibrated copies of probabilities (row-major n × K). */
export function calibrated(p: Float64Array, nRows: number, K: number, c: Calibration): Float64Array {
  const out = Float64Array.from(p);
  calibrateInPlace(out, nRows, K, c);
  return out;
}
