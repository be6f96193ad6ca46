/**
 * Applying a member's calibration (format/pipeline.ts `Calibration`) to its class probabilities,
 * in place: the same code on the training side (out-of-fold predictions, the test rows) and in
 * every deployment.
 */
import { ScoringError } from './errors.js';
import type { Calibration } from './format/pipeline.js';

/** Throws a PIPELINE_FORMAT error when the calibration's numbers are out of range for `width` classes. */
export function checkCalibration(c: Calibration, width: number, where: string): void {
  if (!(Number.isFinite(c.temperature) && c.temperature > 0))
    throw new ScoringError(
      'PIPELINE_FORMAT',
      `${where}: calibration temperature must be a number > 0, got ${c.temperature}`,
    );
  if (!(Number.isFinite(c.floor) && c.floor >= 0 && c.floor * width < 1)) {
    throw new ScoringError(
      'PIPELINE_FORMAT',
      `${where}: calibration floor must be >= 0 and below 1/${width} (the classes' count), got ${c.floor}`,
    );
  }
}

/**
 * Calibrates row-major n × width probabilities in place: q ∝ p^(1/T), then (1 − width·floor)·q + floor.
 *
 * @example
 * const p = Float64Array.of(0.9, 0.1);
 * calibrateInPlace(p, 1, 2, { kind: 'temperature', temperature: 2, floor: 0.01 });
 * // p ≈ [0.745, 0.255]: softened to [0.75, 0.25], then floored
 */
export function calibrateInPlace(p: Float64Array, nRows: number, width: number, c: Calibration): void {
  const inv = 1 / c.temperature;
  const keep = 1 - width * c.floor;
  for (let i = 0; i < nRows; i++) {
    const o = i * width;
    let max = -Infinity;
    for (let k = 0; k < width; k++) {
      const z = Math.log(p[o + k]!) * inv;
      p[o + k] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let k = 0; k < width; k++) {
      const e = Math.exp(p[o + k]! - max);
      p[o + k] = e;
      sum += e;
    }
    for (let k = 0; k < width; k++) p[o + k] = keep * (p[o + k]! / sum) + c.floor;
  }
}
