/**
 * The GBDT's histogram kernels: WebAssembly (hist.wat, assembled by `npm run build`) against the
 * TypeScript fallback, bit for bit, kernel by kernel and over whole fits. The assembled module
 * lives in dist/, so this test loads the built package (`npm test` builds before it runs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type * as Kernels from '../../src/models/gbdt/hist-kernel.js';
import type { fitGbdt as FitGbdt } from '../../src/models/gbdt/gbdt.js';
import type { Rng as RngClass } from '../../src/util/random.js';
import { makeData } from './contract.js';

const dist = join(import.meta.dirname, '..', '..', 'dist', 'src');
const load = async <T>(...path: string[]): Promise<T> => (await import(pathToFileURL(join(dist, ...path)).href)) as T;
const k = await load<typeof Kernels>('models', 'gbdt', 'hist-kernel.js');
const { fitGbdt } = await load<{ fitGbdt: typeof FitGbdt }>('models', 'gbdt', 'gbdt.js');
const { Rng } = await load<{ Rng: typeof RngClass }>('util', 'random.js');

/** A buffer laid out as a fit's (bins in quads, pairs, rows, two histograms, scratch). */
function setup(memory: WebAssembly.Memory | SharedArrayBuffer, n: number, nq: number, seed: number) {
  const { kernel, buffer } = k.kernelOver(memory);
  const quads = 0;
  const gh = Math.ceil((n * nq * 4) / 16) * 16;
  const rows = gh + n * 16;
  const hist = Math.ceil((rows + n * 4) / 16) * 16;
  const other = hist + nq * k.QUAD_HIST_BYTES;
  const buf = other + nq * k.QUAD_HIST_BYTES;
  const rng = new Rng(seed);
  const q = new Uint32Array(buffer, quads, n * nq);
  // Bins of every byte value, the missing bin (255) among them.
  for (let i = 0; i < q.length; i++) q[i] = (rng.next() * 2 ** 32) >>> 0;
  const pairs = new Float64Array(buffer, gh, 2 * n);
  // Gradients of mixed signs and scales, hessians positive: sums that rounding can tell apart.
  for (let r = 0; r < n; r++) {
    pairs[2 * r] = (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 6 - 3);
    pairs[2 * r + 1] = rng.next() * 0.25 + 1e-16;
  }
  const idx = new Int32Array(buffer, rows, n);
  let m = 0;
  for (let r = 0; r < n; r++) if (rng.next() < 0.4) idx[m++] = r;
  return { kernel, buffer, quads, gh, rows, hist, other, buf, m, end: hist + 2 * nq * k.QUAD_HIST_BYTES };
}

const bytesFor = (n: number, nq: number): number =>
  Math.ceil((n * nq * 4) / 16) * 16 + n * 16 + n * 4 + 16 + 2 * nq * k.QUAD_HIST_BYTES + k.gatherBytes(nq);

function bitsOf(buffer: SharedArrayBuffer, at: number, bytes: number): Uint32Array {
  return new Uint32Array(buffer.slice(at, at + bytes));
}

describe('histogram kernels: WebAssembly and TypeScript give the same bits', () => {
  it('the assembled module is built and Node takes it', () => {
    expect(existsSync(join(dist, 'models', 'gbdt', 'hist.wasm'))).toBe(true);
    expect(k.kernelMemory(1 << 20, 'wasm')).toBeInstanceOf(WebAssembly.Memory);
    expect(k.kernelOver(k.kernelMemory(1 << 20, 'wasm')).kernel.kind).toBe('wasm');
    expect(k.kernelMemory(1 << 20, 'ts')).toBeInstanceOf(SharedArrayBuffer);
  });

  for (const [n, nq] of [
    [1000, 1],
    [5000, 5],
    [3000, 13],
  ] as const) {
    it(`hist, sub and add over ${n} rows × ${nq * 4} features, whole and by quad ranges`, () => {
      const bytes = bytesFor(n, nq);
      const w = setup(k.kernelMemory(bytes, 'wasm'), n, nq, 7);
      const t = setup(k.kernelMemory(bytes, 'ts'), n, nq, 7);
      expect(w.kernel.kind).toBe('wasm');
      expect(t.kernel.kind).toBe('ts');
      const hb = nq * k.QUAD_HIST_BYTES;
      const ranges: [number, number, number, number][] = [
        [0, w.m, 0, nq],
        [3, w.m - 5, 0, nq],
        [0, 1, 0, nq],
        [10, 10, 0, nq],
        [0, w.m, nq > 1 ? 1 : 0, nq],
      ];
      for (const [start, end, qb, qe] of ranges) {
        for (const s of [w, t]) {
          // Garbage first: the kernel must zero what it fills.
          new Float64Array(s.buffer, s.hist, hb / 8).fill(Math.PI);
          s.kernel.hist(s.quads, nq, s.rows, start, end, s.gh, s.hist, qb, qe, s.buf);
        }
        const from = w.hist + qb * k.QUAD_HIST_BYTES;
        const len = (qe - qb) * k.QUAD_HIST_BYTES;
        expect(bitsOf(w.buffer, from, len)).toEqual(bitsOf(t.buffer, from, len));
      }
      // A histogram by hand, for the whole range: the sum of each row's pair in its bin.
      const pairs = new Float64Array(t.buffer, t.gh, 2 * n);
      const rows = new Int32Array(t.buffer, t.rows, n);
      const q = new Uint32Array(t.buffer, t.quads, n * nq);
      const want = new Float64Array(hb / 8);
      for (let i = 0; i < t.m; i++) {
        const r = rows[i]!;
        for (let f = 0; f < nq * 4; f++) {
          const bin = (q[r * nq + (f >> 2)]! >>> ((f & 3) * 8)) & 255;
          want[(f * 256 + bin) * 2]! += pairs[2 * r]!;
          want[(f * 256 + bin) * 2 + 1]! += pairs[2 * r + 1]!;
        }
      }
      for (const s of [w, t]) s.kernel.hist(s.quads, nq, s.rows, 0, s.m, s.gh, s.hist, 0, nq, s.buf);
      expect(new Float64Array(w.buffer, w.hist, hb / 8)).toEqual(want);
      // Subtraction and addition of whole histograms.
      for (const s of [w, t]) {
        s.kernel.hist(s.quads, nq, s.rows, 0, s.m >> 1, s.gh, s.other, 0, nq, s.buf);
        s.kernel.sub(s.hist, s.other, hb);
      }
      expect(bitsOf(w.buffer, w.hist, hb)).toEqual(bitsOf(t.buffer, t.hist, hb));
      for (const s of [w, t]) s.kernel.add(s.hist, s.other, hb);
      expect(bitsOf(w.buffer, w.hist, hb)).toEqual(bitsOf(t.buffer, t.hist, hb));
    });
  }
});

describe('root sums and leaves added to raw scores: WebAssembly and TypeScript give the same bits', () => {
  it('sumPairs: the sums of a range of rows in row order, as a loop by hand gives them', () => {
    for (const [n, seed] of [
      [1000, 3],
      [4099, 4],
    ] as const) {
      const [w, t] = (['wasm', 'ts'] as const).map((kind) => setup(k.kernelMemory(bytesFor(n, 1), kind), n, 1, seed));
      for (const [start, end] of [
        [0, w!.m],
        [7, w!.m - 3],
        [5, 6],
        [9, 9],
      ] as const) {
        const got = [w!, t!].map((s) => {
          s.kernel.sumPairs(s.rows, start, end, s.gh, s.buf);
          return [...new Float64Array(s.buffer, s.buf, 2)];
        });
        const pairs = new Float64Array(t!.buffer, t!.gh, 2 * n);
        const rows = new Int32Array(t!.buffer, t!.rows, n);
        let g = 0;
        let h = 0;
        for (let i = start; i < end; i++) {
          g += pairs[2 * rows[i]!]!;
          h += pairs[2 * rows[i]! + 1]!;
        }
        expect(got[0]).toEqual([g, h]);
        expect(got[1]).toEqual([g, h]);
        if (end > start) expect(h).toBeGreaterThan(0);
      }
    }
  });

  it('addLeaves: each leaf value added to the raw score of each of its rows, empty leaves too', () => {
    const n = 3000;
    const nLeaves = 70;
    const bytes = bytesFor(n, 1);
    const extra = Math.ceil(bytes / 16) * 16;
    const [w, t] = (['wasm', 'ts'] as const).map((kind) =>
      setup(k.kernelMemory(extra + n * 8 + nLeaves * 24, kind), n, 1, 11),
    );
    const rng = new Rng(5);
    // Leaves cut rows[0, m) into consecutive ranges, some of them empty.
    const cuts = [0, ...Array.from({ length: nLeaves - 1 }, () => Math.floor(rng.next() * w!.m)), w!.m].sort(
      (a, b) => a - b,
    );
    const leaves = cuts.slice(1).map((e, j) => [cuts[j]!, e, (rng.next() - 0.5) * 3]);
    const before = Array.from({ length: n }, () => rng.next());
    const want = Float64Array.from(before);
    const rows = new Int32Array(t!.buffer, t!.rows, n);
    for (const [start, end, v] of leaves) for (let j = start!; j < end!; j++) want[rows[j]!]! += v!;
    for (const s of [w!, t!]) {
      const col = new Float64Array(s.buffer, extra, n);
      col.set(before);
      new Float64Array(s.buffer, extra + n * 8, nLeaves * 3).set(leaves.flat());
      s.kernel.addLeaves(s.rows, extra + n * 8, nLeaves, extra);
      expect(col).toEqual(want);
      // No leaves: nothing changes.
      s.kernel.addLeaves(s.rows, extra + n * 8, 0, extra);
      expect(col).toEqual(want);
    }
    expect(leaves.some(([a, b]) => a === b)).toBe(true);
    expect(want.filter((v, i) => v !== before[i]).length).toBe(w!.m);
  });
});

describe('split search and partition: WebAssembly and TypeScript give the same bits', () => {
  it('bestSplit over random histograms, masks and limits, missing values or none', () => {
    const nf = 9;
    const bytes = nf * 4096 + nf * 2 + nf + 64;
    const pick = (memory: WebAssembly.Memory | SharedArrayBuffer) => ({ ...k.kernelOver(memory) });
    const w = pick(k.kernelMemory(bytes, 'wasm'));
    const t = pick(k.kernelMemory(bytes, 'ts'));
    const hist = 0;
    const nBins = nf * 4096;
    const mask = nBins + nf * 2;
    const out = Math.ceil((mask + nf) / 16) * 16;
    const rng = new Rng(11);
    let found = 0;
    for (let trial = 0; trial < 60; trial++) {
      const h = new Float64Array(nf * 512);
      const counts = new Uint16Array(nf);
      const m = new Uint8Array(nf);
      let G = 0;
      let H = 0;
      for (let f = 0; f < nf; f++) {
        counts[f] = 1 + Math.floor(rng.next() * 255);
        m[f] = rng.next() < 0.8 ? 1 : 0;
        const bins = [...Array.from({ length: counts[f]! }, (_, b) => b), ...(rng.next() < 0.5 ? [255] : [])];
        let g = 0;
        let hh = 0;
        for (const b of bins) {
          const gb = rng.next() - 0.5;
          const hb = rng.next() * 2;
          h[(f * 256 + b) * 2] = gb;
          h[(f * 256 + b) * 2 + 1] = hb;
          g += gb;
          hh += hb;
        }
        if (f === 0) [G, H] = [g, hh];
      }
      // Every fifth draw asks for more hessian than a side can hold: no split.
      const minHess = trial % 5 === 0 ? 1e9 : rng.next();
      const args = [G, H, 1 + rng.next() * 40, rng.next() * 2, rng.next() * 10, minHess, 1e-12] as const;
      const results = [w, t].map((s) => {
        new Float64Array(s.buffer, hist, nf * 512).set(h);
        new Uint16Array(s.buffer, nBins, nf).set(counts);
        new Uint8Array(s.buffer, mask, nf).set(m);
        new Float64Array(s.buffer, out, 6).fill(-1);
        const r = s.kernel.bestSplit(hist, nf, nBins, mask, ...args, out);
        return [r, ...bitsOf(s.buffer, out, 48)];
      });
      expect(results[0]).toEqual(results[1]);
      found += results[0]![0]!;
    }
    // Most draws find a split; some, under strict limits, do not.
    expect(found).toBeGreaterThan(20);
    expect(found).toBeLessThanOrEqual(48);
  });

  it('gradients of the three objectives, weighted or not, over raw scores of every size', () => {
    const n = 4000;
    const K = 4;
    const raw = 0;
    const y = n * K * 8;
    const w = y + n * 8;
    const gh = w + n * 8;
    const e = gh + n * K * 16;
    const bytes = e + 2 * K * 8 + 64;
    const rng = new Rng(13);
    // Scores from tiny to past exp's overflow and underflow (±710, ±746), and exact 0 and 1.
    const scores = Float64Array.from({ length: n * K }, (_, i) => {
      const r = rng.next();
      if (i % 97 === 0) return [0, 1, -1, 750, -750, 709.9, -745.2][i % 7]!;
      return i % 3 === 0 ? (r - 0.5) * 1600 : i % 3 === 1 ? (r - 0.5) * 30 : (r - 0.5) * 1e-9;
    });
    for (const [kind, outs, code] of [
      ['binary', 1, 0],
      ['multiclass', K, 1],
      ['regression', 1, 2],
    ] as const) {
      for (const weighted of [false, true]) {
        const results = (['wasm', 'ts'] as const).map((name) => {
          const { kernel, buffer } = k.kernelOver(k.kernelMemory(bytes, name));
          new Float64Array(buffer, raw, n * K).set(scores);
          const labels = new Float64Array(buffer, y, n);
          const weights = new Float64Array(buffer, w, n);
          const r2 = new Rng(14);
          for (let i = 0; i < n; i++) {
            labels[i] = kind === 'regression' ? r2.next() * 10 : Math.floor(r2.next() * (kind === 'binary' ? 2 : K));
            weights[i] = r2.next() * 3;
          }
          // Two ranges, as two threads split a round: an odd count (its last row alone) and an even.
          kernel.gradients(code, raw, y, weighted ? w : 0, gh, 7, 2000, outs, n, e);
          kernel.gradients(code, raw, y, weighted ? w : 0, gh, 2000, n - 5, outs, n, e);
          return bitsOf(buffer, gh, n * outs * 16);
        });
        expect(results[0], `${kind}${weighted ? ', weighted' : ''}`).toEqual(results[1]);
      }
    }
  });

  it("exp equals Math.exp bit for bit: each of $exp's reductions, their edges, and beyond its range", () => {
    const n = 400_001;
    const { kernel, buffer } = k.kernelOver(k.kernelMemory(n * 8 + 64, 'wasm'));
    expect(kernel.kind).toBe('wasm');
    const rng = new Rng(17);
    // Edges: 0.5 ln 2 and 1.5 ln 2 (where the reduction changes), 704 (the pairs' range),
    // 709.78 and 745.13 (overflow, underflow), 2^-28 (tiny), 1 (exactly e); then wide spreads.
    const edges = [0.5 * Math.LN2, 1.5 * Math.LN2, 704, 709.78, 745.13, 2 ** -28, 1];
    const x = Float64Array.from({ length: n }, (_, i) => {
      const m = i % 4;
      const v =
        m === 0
          ? edges[i % edges.length]! * (1 + (rng.next() - 0.5) * 1e-9)
          : m === 1
            ? (rng.next() - 0.5) * 1600
            : m === 2
              ? (rng.next() - 0.5) * 6
              : 2 ** -(rng.next() * 40);
      return rng.next() < 0.5 ? v : -v;
    });
    x.set([1, -1, 0, -0, NaN, Infinity, -Infinity, 709.9, -746], 0);
    new Float64Array(buffer, 0, n).set(x);
    kernel.exp(0, n);
    const got = new Float64Array(buffer, 0, n);
    let mismatches = 0;
    for (let i = 0; i < n; i++) if (!Object.is(got[i], Math.exp(x[i]!))) mismatches++;
    expect(mismatches).toBe(0);
    expect(got[0]).toBe(Math.E);
    expect(got[7]).toBe(Infinity);
    expect(got[8]).toBe(0);
  });

  it('sort orders as Float64Array.prototype.sort does: duplicates, -0 and +0, infinities, tiny and huge', () => {
    const rng = new Rng(21);
    const draws: (() => number)[] = [
      () => (rng.next() - 0.5) * 1e6,
      () => Math.floor(rng.next() * 7),
      () => (rng.next() < 0.3 ? 0 : rng.next() < 0.5 ? -0 : rng.next() - 0.5),
      () => (rng.next() - 0.5) * 1e-310,
      () => (rng.next() < 0.02 ? Infinity : rng.next() < 0.02 ? -Infinity : -rng.next() * 1e300),
    ];
    for (const n of [0, 1, 2, 3, 1000, 30_000])
      for (const draw of draws) {
        const values = Float64Array.from({ length: n }, draw);
        const sorted = (['wasm', 'ts'] as const).map((name) => {
          const { kernel, buffer } = k.kernelOver(k.kernelMemory(n * 16 + 6 * 8192 + 64, name));
          new Float64Array(buffer, 0, n).set(values);
          kernel.sort(0, n, n * 8, n * 16);
          return bitsOf(buffer, 0, n * 8);
        });
        expect(sorted[0]).toEqual(sorted[1]);
        expect(sorted[1]).toEqual(new Uint32Array(values.slice().sort().buffer));
      }
  });

  it('binColumn and transpose: the same bins and quads, NaN in the missing bin', () => {
    const n = 3001;
    const nf = 7;
    const nq = 2;
    const rng = new Rng(22);
    const cols = Array.from({ length: nf }, () =>
      Float64Array.from({ length: n }, () => (rng.next() < 0.05 ? NaN : Math.round((rng.next() - 0.5) * 400) / 4)),
    );
    const boundsOf = cols.map((_, f) =>
      Float64Array.from({ length: 3 + f * 40 }, () => (rng.next() - 0.5) * 100).sort(),
    );
    const layout = { vals: 0, bounds: n * 8, cols: n * 8 + 2048, quads: n * 8 + 2048 + n * nf + 16 };
    const bytes = layout.quads + n * nq * 4 + 64;
    const results = (['wasm', 'ts'] as const).map((name) => {
      const { kernel, buffer } = k.kernelOver(k.kernelMemory(bytes, name));
      cols.forEach((col, f) => {
        new Float64Array(buffer, layout.bounds, 255).fill(Infinity).set(boundsOf[f]!);
        new Float64Array(buffer, layout.vals, n).set(col);
        kernel.binColumn(layout.vals, n, layout.bounds, layout.cols + f * n);
      });
      new Uint8Array(buffer, layout.quads, n * nq * 4).fill(9);
      kernel.transpose(layout.cols, n, nf, layout.quads, nq);
      return {
        cols: [...new Uint8Array(buffer, layout.cols, n * nf)],
        quads: [...new Uint8Array(buffer, layout.quads, n * nq * 4)],
      };
    });
    expect(results[0]).toEqual(results[1]);
    const { cols: bins, quads } = results[0]!;
    const missing = cols.flatMap((col, f) => [...col].flatMap((v, r) => (Number.isNaN(v) ? [bins[f * n + r]] : [])));
    expect(missing.length).toBeGreaterThan(500);
    expect(new Set(missing)).toEqual(new Set([255]));
    for (let r = 0; r < n; r += 37) {
      for (let f = 0; f < nf; f++) expect(quads[r * nq * 4 + f]).toBe(bins[f * n + r]);
      expect(quads[r * nq * 4 + 7]).toBe(0);
    }
  });

  it('partition keeps each side in row order and both kernels agree', () => {
    const n = 5000;
    const bytes = n * 4 * 2 + n + 64;
    const rng = new Rng(12);
    const col = Uint8Array.from({ length: n }, () => (rng.next() < 0.1 ? 255 : Math.floor(rng.next() * 200)));
    for (const [bin, missLeft, start, end] of [
      [100, 1, 0, n],
      [100, 0, 17, 4000],
      [0, 0, 0, n],
      [199, 1, 5, 6],
      [50, 0, 9, 9],
    ] as const) {
      const results = (['wasm', 'ts'] as const).map((kind) => {
        const { kernel, buffer } = k.kernelOver(k.kernelMemory(bytes, kind));
        const rows = new Int32Array(buffer, 0, n);
        for (let i = 0; i < n; i++) rows[i] = (i * 7919) % n; // a permutation, out of order
        new Uint8Array(buffer, 8 * n, n + 16).set(col);
        const li = kernel.partition(0, 4 * n, 8 * n, start, end, bin, missLeft);
        return { li, rows: [...rows] };
      });
      expect(results[0]).toEqual(results[1]);
      const { li, rows } = results[0]!;
      const before = Array.from({ length: n }, (_, i) => (i * 7919) % n);
      const goesLeft = (r: number): boolean => (col[r] === 255 ? missLeft === 1 : col[r]! <= bin);
      const part = before.slice(start, end);
      expect(rows.slice(start, li)).toEqual(part.filter(goesLeft));
      expect(rows.slice(li, end)).toEqual(part.filter((r) => !goesLeft(r)));
      expect(rows.slice(0, start)).toEqual(before.slice(0, start));
      expect(rows.slice(end)).toEqual(before.slice(end));
    }
  });
});

describe('gbdt fits: the same model with either kernel', () => {
  const saved = process.env.AUTOML_GBDT_KERNEL;
  afterEach(() => {
    if (saved === undefined) delete process.env.AUTOML_GBDT_KERNEL;
    else process.env.AUTOML_GBDT_KERNEL = saved;
  });

  for (const [kind, K, n] of [
    ['multiclass', 3, 3000],
    ['binary', 2, 12000],
    ['regression', 1, 2000],
  ] as const) {
    it(`${kind}, ${n} rows (halves summed apart above 4,096 rows)`, () => {
      const data = makeData(kind, n, 5);
      const params = {
        nRounds: 15,
        baggingFraction: 0.8,
        featureFraction: 0.75,
        growth: 'depthwise' as const,
        maxDepth: 5,
      };
      const fit = (kernel: string) => {
        process.env.AUTOML_GBDT_KERNEL = kernel;
        return fitGbdt(data, { kind, nClasses: K, rng: new Rng(3), params: { ...params, threads: 1 } });
      };
      const wasm = fit('wasm');
      const ts = fit('ts');
      expect((wasm.info as { kernel: string }).kernel).toBe('wasm');
      expect((ts.info as { kernel: string }).kernel).toBe('ts');
      expect(JSON.stringify(wasm.exportNode())).toBe(JSON.stringify(ts.exportNode()));
      expect(wasm.exportNode().trees.length).toBe(15 * (K === 3 ? 3 : 1));
    });
  }

  it('under `ulimit -v` a WebAssembly memory cannot be had: the TypeScript kernels, the same model', () => {
    const data = makeData('binary', 3000, 8);
    const params = { nRounds: 10, growth: 'depthwise' as const, maxDepth: 4, threads: 1 };
    const here = fitGbdt(data, { kind: 'binary', nClasses: 2, rng: new Rng(2), params });
    expect((here.info as { kernel: string }).kernel).toBe('wasm');
    const dir = mkdtempSync(join(tmpdir(), 'automl-kernel-'));
    const file = join(dir, 'data.json');
    // JSON writes NaN as null; doubles make the round trip exactly.
    writeFileSync(file, JSON.stringify({ cols: data.x.columns.map((c) => [...c]), y: [...data.y] }));
    const url = (...p: string[]): string => JSON.stringify(pathToFileURL(join(dist, ...p)).href);
    const script = [
      "import { readFileSync } from 'node:fs';",
      `const { fitGbdt } = await import(${url('models', 'gbdt', 'gbdt.js')});`,
      `const { Rng } = await import(${url('util', 'random.js')});`,
      `const d = JSON.parse(readFileSync(${JSON.stringify(file)}, 'utf8'));`,
      'const columns = d.cols.map((c) => Float64Array.from(c, (v) => (v === null ? NaN : v)));',
      'const x = { nRows: d.y.length, columns };',
      `const m = fitGbdt({ x, y: Float64Array.from(d.y) }, { kind: 'binary', nClasses: 2, rng: new Rng(2), params: ${JSON.stringify(params)} });`,
      'console.log(JSON.stringify({ kernel: m.info.kernel, node: JSON.stringify(m.exportNode()) }));',
    ].join('\n');
    try {
      const child = spawnSync(
        'sh',
        ['-c', 'ulimit -v 6000000 && exec "$0" --input-type=module -e "$1"', process.execPath, script],
        { encoding: 'utf8' },
      );
      expect(child.status, child.stderr).toBe(0);
      const res = JSON.parse(child.stdout) as { kernel: string; node: string };
      expect(res.kernel).toBe('ts');
      expect(res.node).toBe(JSON.stringify(here.exportNode()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown AUTOML_GBDT_KERNEL, naming it', () => {
    process.env.AUTOML_GBDT_KERNEL = 'simd';
    const data = makeData('binary', 200, 1);
    expect(() => fitGbdt(data, { kind: 'binary', nClasses: 2, rng: new Rng(1), params: { nRounds: 2 } })).toThrow(
      "AUTOML_GBDT_KERNEL must be 'wasm' or 'ts', got 'simd'",
    );
  });
});
