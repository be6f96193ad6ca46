/**
 * The one clock every deadline is on: milliseconds since the epoch, with sub-millisecond
 * precision, comparable across worker threads (each thread's `performance.now()` counts from
 * its own start; `performance.timeOrigin` puts them on one time line).
 */

/** Now, on the deadline clock. */
export function clockNow(): number {
  return performance.timeOrigin + performance.now();
}

/** When this process started, on the deadline clock. */
export function processStart(): number {
  return performance.timeOrigin;
}

/** Whether a deadline (on the deadline clock; undefined: none) has passed. */
export function isPast(deadline: number | undefined): boolean {
  return deadline !== undefined && clockNow() > deadline;
}
