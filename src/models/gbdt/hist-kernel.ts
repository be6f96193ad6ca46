/**
 * The histogram kernel: sums gradients and hessians per (feature, bin) over a range of rows, for
 * a range of features. It is self-contained on purpose (no imports, no outer names): the helper
 * thread runs its source text, so both threads run the same code.
 *
 * Layout: `hist[histOffset + (f * 256 + bin) * 2]` is the gradient sum, `+ 1` the hessian sum.
 * Bins are row-major with the features padded to a multiple of four, and read four at a time
 * as one 32-bit word (`quads[r * nq + q]` holds features 4q … 4q + 3, lowest byte first): a
 * third faster than byte by byte. `qBegin`, `qEnd` select the quads (features 4·qBegin to 4·qEnd).
 */
export function buildHistRange(
  quads: Uint32Array,
  nq: number,
  rows: Int32Array,
  start: number,
  end: number,
  g: Float64Array,
  h: Float64Array,
  hist: Float64Array,
  histOffset: number,
  qBegin: number,
  qEnd: number,
): void {
  hist.fill(0, histOffset + qBegin * 2048, histOffset + qEnd * 2048);
  for (let i = start; i < end; i++) {
    const r = rows[i]!;
    const gr = g[r]!;
    const hr = h[r]!;
    const base = r * nq;
    for (let q = qBegin, off = histOffset + qBegin * 2048; q < qEnd; q++, off += 2048) {
      const w = quads[base + q]!;
      let o = off + ((w & 255) << 1);
      hist[o]! += gr;
      hist[o + 1]! += hr;
      o = off + 512 + (((w >>> 8) & 255) << 1);
      hist[o]! += gr;
      hist[o + 1]! += hr;
      o = off + 1024 + (((w >>> 16) & 255) << 1);
      hist[o]! += gr;
      hist[o + 1]! += hr;
      o = off + 1536 + ((w >>> 24) << 1);
      hist[o]! += gr;
      hist[o + 1]! += hr;
    }
  }
}
