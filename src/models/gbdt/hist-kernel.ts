/**
 * The GBDT's kernels: sum (gradient, hessian) pairs per (feature, bin) over a range of rows, add
 * or subtract whole histograms, find a leaf's best split, partition its rows. Two
 * implementations give the same bits: WebAssembly with SIMD (hist.wat, assembled at `npm run
 * build` into hist.wasm beside this module; the histogram sums three times faster) and plain
 * TypeScript, used when the assembled module is not there (as when
 * the tests run these sources), when the memory a fit needs is past WebAssembly's 4 GiB or the
 * process may not reserve the address space a WebAssembly memory takes (`ulimit -v`), or when
 * `AUTOML_GBDT_KERNEL=ts` asks for it.
 *
 * Everything they touch lives in one shared buffer (a WebAssembly.Memory's, or a plain
 * SharedArrayBuffer), addressed by byte offsets:
 * - bins row-major in quads: `u32` per (row, quad), `nq` per row; quad q holds the bins of
 *   features 4q … 4q + 3, lowest byte first (read four at a time: a third faster than bytes);
 * - row indices, `i32`;
 * - gradients: per row one (gradient, hessian) pair of `f64`, so that one load brings both;
 * - histograms: per (feature, bin) one (gradient sum, hessian sum) pair of `f64`, 256 bins per
 *   feature: feature f at `f * 4096` bytes, quad q at `q * 16384`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { partitionRows } from '../trees/tree.js';
import { binColumn } from '../trees/binning.js';
import { AutomlError } from '../../util/errors.js';
import { objectiveFor } from './objective.js';

/** Bytes of one quad's histogram: four features × 256 bins × two f64. */
export const QUAD_HIST_BYTES = 16384;

/** The objective codes of the `gradients` kernel. */
export const OBJECTIVE_KINDS = ['binary', 'multiclass', 'regression'] as const;

/** Bytes of a thread's scratch area for `hist` (hist.wat: 64 rows of bins and pairs). */
export function gatherBytes(nq: number): number {
  return 64 * (Math.ceil((nq * 4) / 16) * 16 + 16);
}

export type KernelKind = 'wasm' | 'ts';

export interface HistKernel {
  readonly kind: KernelKind;
  /**
   * Zeroes quads [qb, qe) of the histogram at byte `hist`, then adds the pair of each row in
   * rows[start, end) (the `i32` array at byte `rows`) to its bins there. `buf`: a scratch area
   * of {@link gatherBytes} bytes, the calling thread's own.
   */
  hist(
    quads: number,
    nq: number,
    rows: number,
    start: number,
    end: number,
    gh: number,
    hist: number,
    qb: number,
    qe: number,
    buf: number,
  ): void;
  /**
   * The best split of a leaf over its histogram at byte `hist`: per feature flagged in the `u8`
   * array at `mask` with two bins or more (`u16` array at `nBins`), a scan over its bins with
   * missing values tried on both sides. `G`, `H`: the leaf's sums; `cnt`: rows per unit of
   * hessian; `md`: minDataInLeaf − 0.5; `best`: the gain to beat. Writes feature, bin,
   * missingLeft (0 or 1), gain, and the left part's gradient and hessian sums as six `f64` at
   * `out`; returns 1 when it found a split, else 0.
   */
  bestSplit(
    hist: number,
    nf: number,
    nBins: number,
    mask: number,
    G: number,
    H: number,
    cnt: number,
    lambda: number,
    md: number,
    minHess: number,
    best: number,
    out: number,
  ): number;
  /**
   * Stable partition of rows[start, end) by a split of the feature whose bins (`u8` per row)
   * are at byte `col`: rows whose bin is <= `bin` (or the missing bin, when `missLeft` is 1)
   * first. `scratch`: room for the rows. Returns the end of the left part.
   */
  partition(
    rows: number,
    scratch: number,
    col: number,
    start: number,
    end: number,
    bin: number,
    missLeft: number,
  ): number;
  /**
   * The (gradient, hessian) pairs of rows [start, end) into `gh`, as objective.ts computes them
   * (the same doubles: the WebAssembly `exp` is V8's Math.exp, fdlibm's): `kind` 0 binary, 1
   * multiclass over `K` outputs, 2 regression; `raw` class-major K × n; `w` 0 for no weights; `e`
   * room for 2 K `f64` (the WebAssembly computes two rows at a time).
   */
  gradients(
    kind: number,
    raw: number,
    y: number,
    w: number,
    gh: number,
    start: number,
    end: number,
    K: number,
    n: number,
    e: number,
  ): void;
  /**
   * The sums of the (gradient, hessian) pairs at `gh` of rows[start, end) (the `i32` array at
   * byte `rows`), each in row order, as two `f64` at `out`.
   */
  sumPairs(rows: number, start: number, end: number, gh: number, out: number): void;
  /**
   * Adds each of `n` leaves' value to the `f64` at `col` (one per row) of its rows: leaf j is
   * three `f64` at `leaves + 24 j`, (start, end, value), its rows rows[start, end).
   */
  addLeaves(rows: number, leaves: number, n: number, col: number): void;
  /** e^x of the n `f64` at `at`, in place, as the gradients compute it (Math.exp's doubles). */
  exp(at: number, n: number): void;
  /** Sorts the n `f64` at `at` ascending (no NaN), as a Float64Array's sort(); `tmp`, `counts` scratch. */
  sort(at: number, n: number, tmp: number, counts: number): void;
  /**
   * The bins of a column of n `f64` at `vals` (the number of the 255 padded bounds at `bounds`
   * below each value; 255 for NaN), to the column-major bins at `col`.
   */
  binColumn(vals: number, n: number, bounds: number, col: number): void;
  /**
   * The row-major quads at `quads` (nq `u32` a row; little-endian: feature f's byte at
   * 4 × (f >> 2) + (f & 3)) of the nf bin columns at `cols`; padding bytes 0.
   */
  transpose(cols: number, n: number, nf: number, quads: number, nq: number): void;
  /** The `f64` at byte `dst` minus those at `src`, over `bytes` bytes. */
  sub(dst: number, src: number, bytes: number): void;
  /** The `f64` at byte `dst` plus those at `src`, over `bytes` bytes. */
  add(dst: number, src: number, bytes: number): void;
}

/** The kernels in TypeScript, over `buffer`. */
export function tsKernel(buffer: SharedArrayBuffer): HistKernel {
  const f64 = new Float64Array(buffer, 0, Math.floor(buffer.byteLength / 8));
  const u32 = new Uint32Array(buffer, 0, Math.floor(buffer.byteLength / 4));
  const i32 = new Int32Array(buffer, 0, Math.floor(buffer.byteLength / 4));
  const u16 = new Uint16Array(buffer, 0, Math.floor(buffer.byteLength / 2));
  const u8 = new Uint8Array(buffer);
  const side = new Uint8Array(256);
  return {
    kind: 'ts',
    bestSplit(hist, nf, nBins, mask, G, H, cnt, lambda, md, minHess, best, out) {
      const parent = (G * G) / (H + lambda);
      const o8 = out / 8;
      let found = 0;
      const keep = (f: number, b: number, missingLeft: number, gain: number, lg: number, lh: number): void => {
        best = gain;
        found = 1;
        f64.set([f, b, missingLeft, gain, lg, lh], o8);
      };
      for (let f = 0; f < nf; f++) {
        const nb = u16[nBins / 2 + f]!;
        if (u8[mask + f] === 0 || nb < 2) continue;
        const off = hist / 8 + f * 512;
        const mg = f64[off + 510]!;
        const mh = f64[off + 511]!;
        const miss = mh > 0;
        let lg = 0;
        let lh = 0;
        // Split after bin b (b = nb − 1 only makes sense with missing values on the right).
        const last = miss ? nb - 1 : nb - 2;
        for (let b = 0; b <= last; b++) {
          lg += f64[off + 2 * b]!;
          lh += f64[off + 2 * b + 1]!;
          // Missing values to the right.
          let rg = G - lg;
          let rh = H - lh;
          if (lh >= minHess && rh >= minHess && lh * cnt >= md && rh * cnt >= md) {
            const gain = (lg * lg) / (lh + lambda) + (rg * rg) / (rh + lambda) - parent;
            if (gain > best) keep(f, b, !miss && lh >= rh ? 1 : 0, gain, lg, lh);
          }
          if (miss && b < nb - 1) {
            // Missing values to the left.
            const xg = lg + mg;
            const xh = lh + mh;
            rg = G - xg;
            rh = H - xh;
            if (xh >= minHess && rh >= minHess && xh * cnt >= md && rh * cnt >= md) {
              const gain = (xg * xg) / (xh + lambda) + (rg * rg) / (rh + lambda) - parent;
              if (gain > best) keep(f, b, 1, gain, xg, xh);
            }
          }
        }
      }
      return found;
    },
    gradients(kind, raw, y, w, gh, start, end, K, n) {
      const view = (at: number, len: number): Float64Array => new Float64Array(buffer, at, len);
      objectiveFor(OBJECTIVE_KINDS[kind]!, K).gradients(
        view(raw, n * K),
        view(y, n),
        w === 0 ? undefined : view(w, n),
        view(gh, 2 * n * K),
        start,
        end,
      );
    },
    sumPairs(rows, start, end, gh, out) {
      const r0 = rows / 4;
      const g0 = gh / 8;
      let g = 0;
      let h = 0;
      for (let i = start; i < end; i++) {
        const r = i32[r0 + i]!;
        g += f64[g0 + 2 * r]!;
        h += f64[g0 + 2 * r + 1]!;
      }
      f64[out / 8] = g;
      f64[out / 8 + 1] = h;
    },
    addLeaves(rows, leaves, n, col) {
      const r0 = rows / 4;
      const c0 = col / 8;
      for (let l = leaves / 8, e = l + 3 * n; l < e; l += 3) {
        const v = f64[l + 2]!;
        for (let j = f64[l]!, end = f64[l + 1]!; j < end; j++) f64[c0 + i32[r0 + j]!]! += v;
      }
    },
    exp(at, n) {
      const a = new Float64Array(buffer, at, n);
      for (let i = 0; i < n; i++) a[i] = Math.exp(a[i]!);
    },
    sort(at, n) {
      new Float64Array(buffer, at, n).sort();
    },
    binColumn(vals, n, bounds, col) {
      binColumn(new Float64Array(buffer, vals, n), new Float64Array(buffer, bounds, 255), n, u8.subarray(col, col + n));
    },
    transpose(cols, n, nf, quads, nq) {
      u8.fill(0, quads, quads + n * nq * 4);
      for (let f = 0; f < nf; f++)
        for (let r = 0, s = cols + f * n, o = quads + f; r < n; r++, s++, o += nq * 4) u8[o] = u8[s]!;
    },
    partition(rows, scratch, col, start, end, bin, missLeft) {
      return partitionRows(
        new Int32Array(buffer, rows, end),
        new Int32Array(buffer, scratch, end - start),
        side,
        new Uint8Array(buffer, col),
        start,
        end,
        bin,
        missLeft === 1,
      );
    },
    hist(quads, nq, rows, start, end, gh, hist, qb, qe) {
      // Byte offsets are multiples of 16; divided, not shifted, past 4 GiB too.
      const q0 = quads / 4;
      const r0 = rows / 4;
      const g0 = gh / 8;
      const h0 = hist / 8 + qb * 2048;
      f64.fill(0, h0, h0 + (qe - qb) * 2048);
      for (let i = start; i < end; i++) {
        const r = i32[r0 + i]!;
        const gr = f64[g0 + 2 * r]!;
        const hr = f64[g0 + 2 * r + 1]!;
        const base = q0 + r * nq;
        for (let q = qb, off = h0; q < qe; q++, off += 2048) {
          const w = u32[base + q]!;
          let o = off + ((w & 255) << 1);
          f64[o]! += gr;
          f64[o + 1]! += hr;
          o = off + 512 + (((w >>> 8) & 255) << 1);
          f64[o]! += gr;
          f64[o + 1]! += hr;
          o = off + 1024 + (((w >>> 16) & 255) << 1);
          f64[o]! += gr;
          f64[o + 1]! += hr;
          o = off + 1536 + ((w >>> 24) << 1);
          f64[o]! += gr;
          f64[o + 1]! += hr;
        }
      }
    },
    sub(dst, src, bytes) {
      const d = dst / 8;
      const s = src / 8;
      for (let j = 0, m = bytes / 8; j < m; j++) f64[d + j]! -= f64[s + j]!;
    },
    add(dst, src, bytes) {
      const d = dst / 8;
      const s = src / 8;
      for (let j = 0, m = bytes / 8; j < m; j++) f64[d + j]! += f64[s + j]!;
    },
  };
}

/** The most bytes a WebAssembly memory holds (65,536 pages of 64 KiB). */
const WASM_MAX_BYTES = 65536 * 65536;

let compiled: WebAssembly.Module | null | undefined;

/** The assembled kernels, compiled once per thread; null when there are none to be had. */
function wasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const path = fileURLToPath(new URL('./hist.wasm', import.meta.url));
    const bytes = existsSync(path) ? readFileSync(path) : undefined;
    // SIMD and shared memory: Node 20 has both; a runtime without them gets the TypeScript.
    compiled = bytes && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

/**
 * Which kernels a fit uses: the environment's `AUTOML_GBDT_KERNEL` (wasm or ts), else wasm.
 * `automl run` checks it before it starts (a user's mistake: exit 2).
 */
export function preferredKernel(env: NodeJS.ProcessEnv = process.env): KernelKind {
  const v = env.AUTOML_GBDT_KERNEL;
  if (v === undefined || v === '' || v === 'wasm') return 'wasm';
  if (v === 'ts') return 'ts';
  throw new AutomlError('BAD_OPTION', `AUTOML_GBDT_KERNEL must be 'wasm' or 'ts', got '${v}'`);
}

/**
 * A shared buffer of `bytes` bytes for kernels of `kind`: a WebAssembly memory when the wasm
 * kernels can be had and the buffer fits in one, else a SharedArrayBuffer for the TypeScript
 * kernels. The result is posted to a helper thread as it is.
 */
export function kernelMemory(bytes: number, kind: KernelKind): WebAssembly.Memory | SharedArrayBuffer {
  if (kind === 'wasm' && bytes <= WASM_MAX_BYTES && wasmModule()) {
    const pages = Math.max(1, Math.ceil(bytes / 65536));
    try {
      return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    } catch (e) {
      // V8 reserves several GiB of address space per WebAssembly memory; under a limit such as
      // `ulimit -v 6000000` it cannot, and the TypeScript kernels serve (the same bits).
      if (!(e instanceof RangeError)) throw e;
    }
  }
  return new SharedArrayBuffer(Math.max(16, bytes));
}

/** The kernels over a buffer made by {@link kernelMemory}, in this thread. */
export function kernelOver(memory: WebAssembly.Memory | SharedArrayBuffer): {
  kernel: HistKernel;
  buffer: SharedArrayBuffer;
} {
  if (memory instanceof WebAssembly.Memory) {
    const module = wasmModule();
    if (!module) throw new Error('gbdt: the WebAssembly kernels are missing in this thread');
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Omit<
      HistKernel,
      'kind'
    >;
    return {
      kernel: {
        kind: 'wasm',
        hist: exports.hist,
        bestSplit: exports.bestSplit,
        partition: exports.partition,
        gradients: exports.gradients,
        sumPairs: exports.sumPairs,
        addLeaves: exports.addLeaves,
        exp: exports.exp,
        sort: exports.sort,
        binColumn: exports.binColumn,
        transpose: exports.transpose,
        sub: exports.sub,
        add: exports.add,
      },
      buffer: memory.buffer as SharedArrayBuffer,
    };
  }
  return { kernel: tsKernel(memory), buffer: memory };
}
