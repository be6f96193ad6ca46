/**
 * The minimum of a unimodal function on an interval, by golden-section search: the bracket
 * shrinks by 0.618 each step until it is narrower than `tolerance`; its midpoint is returned.
 *
 * @example
 * goldenSectionMin((x) => (x - 2) ** 2, 0, 5, 1e-9); // ≈ 2
 */
export function goldenSectionMin(f: (x: number) => number, lo: number, hi: number, tolerance: number): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tolerance) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}
