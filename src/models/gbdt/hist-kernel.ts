/**
 * The histogram kernel: sums gradients and hessians per (feature, bin) over a range of rows, for
 * a range of features. It is self-contained on purpose (no imports, no outer names): the helper
 * thread runs its source text, so both threads run the same code.
 *
 * Layout: `hist[histOffset + (f * 256 + bin) * 2]` is the gradient sum, `+ 1` the hessian sum.
 * Row-major bins: `rowBins[r * nf + f]`.
 */
export function buildHistRange(
  rowBins: Uint8Array,
  nf: number,
  rows: Int32Array,
  start: number,
  end: number,
  g: Float64Array,
  h: Float64Array,
  hist: Float64Array,
  histOffset: number,
  fBegin: number,
  fEnd: number,
): void {
  hist.fill(0, histOffset + fBegin * 512, histOffset + fEnd * 512);
  for (let i = start; i < end; i++) {
    const r = rows[i]!;
    const gr = g[r]!;
    const hr = h[r]!;
    const base = r * nf;
    for (let f = fBegin, off = histOffset + fBegin * 512; f < fEnd; f++, off += 512) {
      const o = off + rowBins[base + f]! * 2;
      hist[o]! += gr;
      hist[o + 1]! += hr;
    }
  }
}
