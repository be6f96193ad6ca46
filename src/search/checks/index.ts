/**
 * The checks a run makes before it searches: target leakage and train/test shift.
 *
 * @example
 * import { checkLeakage, checkShift } from './search/checks/index.js';
 * const leakage = checkLeakage(train, target, features, { rng: rng.fork(10) });
 * const shift = checkShift(train, test, features, { rng: rng.fork(11) });
 * console.log(leakage.summary, shift.summary);
 */
export { checkLeakage, DEFAULT_LEAK_THRESHOLD } from './leakage.js';
export type { LeakageFeature, LeakageOptions, LeakageReport } from './leakage.js';
export { checkShift, DEFAULT_SHIFT_THRESHOLD } from './shift.js';
export type { ShiftFeature, ShiftOptions, ShiftReport } from './shift.js';
export { ksStatistic } from './ks.js';
export { targetRelation, TARGET_RELATIONS } from './target-relation.js';
export type { TargetRelation } from './target-relation.js';
export { DEFAULT_CHECK_ROWS } from './probe.js';
export type { ProbeMetric } from './messages.js';
