/**
 * The charts: Vega-Lite specs with their data inline (nothing to load), drawn in Node by vega's
 * own renderer into SVG that scales with its container, with as many marks as there are data.
 */
import { describe, expect, it } from 'vitest';
import * as vl from 'vega-lite';
import {
  CHART_IDS,
  chartWarnings,
  confusionChart,
  importanceChart,
  iterationChart,
  MAX_SCATTER_POINTS,
  predictedActualChart,
  prChart,
  renderSvg,
  residualChart,
  rocChart,
  type Chart,
} from '../../src/report/charts.js';
import { classificationCurves, regressionPoints } from '../../src/report/curves.js';
import { Rng } from '../../src/util/random.js';
import { countMarks, markTexts, urlsIn } from './html-fixture.js';

/** Every key named `url` anywhere in a spec (a data or image URL): none may be there. */
function urlKeys(v: unknown, path = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => urlKeys(x, `${path}[${i}]`));
  if (v && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => [
      ...(k === 'url' ? [`${path}.${k}`] : []),
      ...urlKeys(x, `${path}.${k}`),
    ]);
  return [];
}

/** Draws a chart and checks what every chart must be; returns its SVG. */
async function drawn(chart: Chart): Promise<string> {
  expect(CHART_IDS).toContain(chart.id);
  expect(urlKeys(chart.spec)).toEqual([]);
  expect(chartWarnings(chart.spec)).toEqual([]);
  const svg = await renderSvg(chart.spec, { idPrefix: chart.id });
  expect(svg).toMatch(/^<svg style="max-width:100%;height:auto" /);
  expect(svg).toMatch(/viewBox="0 0 [\d.]+ [\d.]+"/);
  expect(urlsIn(svg)).toEqual([]);
  for (const [name, n] of Object.entries(chart.marks)) expect(countMarks(svg, name), `${chart.id} ${name}`).toBe(n);
  return svg;
}

function randomProba(n: number, K: number, seed: number): { y: Int32Array; proba: Float64Array } {
  const rng = new Rng(seed);
  const y = Int32Array.from({ length: n }, (_, i) => i % K);
  const proba = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += proba[i * K + k] = rng.next() + (k === y[i] ? 0.8 : 0);
    for (let k = 0; k < K; k++) proba[i * K + k] = proba[i * K + k]! / sum;
  }
  return { y, proba };
}

describe('importanceChart', () => {
  it('a bar per measured value (permutation and gain), features most important first, at most 20', async () => {
    const entries = Array.from({ length: 25 }, (_, i) => ({
      feature: `f${i}`,
      importance: i === 3 ? null : 1 - i / 25,
      gain: i % 2 === 0 ? 0.5 - i / 50 : null,
    }));
    const chart = importanceChart(entries, 'logloss');
    const shown = entries.slice(0, 20);
    expect(chart.marks).toEqual({
      bars: shown.filter((e) => e.importance !== null).length + shown.filter((e) => e.gain !== null).length,
    });
    expect(chart.description).toContain('the top 20 of 25');
    const svg = await drawn(chart);
    const labels = [...svg.matchAll(/role-axis-label[^>]*>(.*?)<\/g>/gs)].flatMap((m) =>
      [...m[1]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]!),
    );
    expect(labels.filter((l) => /^f\d+$/.test(l))).toEqual(shown.map((e) => e.feature));
  });

  it('without gain (fold models): permutation bars alone', async () => {
    const chart = importanceChart([{ feature: 'a', importance: 1, gain: null }], 'rmse');
    expect(chart.marks).toEqual({ bars: 1 });
    expect(chart.description).not.toContain('gain');
    await drawn(chart);
  });
});

describe('confusionChart', () => {
  it('K × K cells, each with its count; white counts on the dark cells', async () => {
    const m = [
      [50, 2, 0],
      [3, 40, 7],
      [0, 1, 60],
    ];
    const chart = confusionChart(['a', 'b', 'c'], m);
    expect(chart.marks).toEqual({ cells: 9, counts: 9 });
    const svg = await drawn(chart);
    expect(markTexts(svg, 'counts').map(Number)).toEqual(m.flat());
    expect(svg).toMatch(/fill="white">50</);
    expect(svg).toMatch(/fill="#1a1a1a">2</);
  });

  it('many classes: smaller cells, no counts that would not fit', async () => {
    const K = 30;
    const classes = Array.from({ length: K }, (_, i) => `class ${i}`);
    const m = classes.map((_, a) => classes.map((__, p) => (a === p ? 10 : 1)));
    const chart = confusionChart(classes, m);
    expect(chart.marks).toEqual({ cells: K * K });
    await drawn(chart);
  });
});

describe('rocChart and prChart', () => {
  it('multiclass: one line per class, with its AUC or AP in the legend; the chance diagonal', async () => {
    const { y, proba } = randomProba(120, 3, 4);
    const curves = classificationCurves(y, proba, ['x', 'y', 'z']);
    const roc = rocChart(curves);
    expect(roc.marks).toEqual({ curves: 3, chance: 1 });
    const svg = await drawn(roc);
    for (const c of curves.perClass) expect(svg).toContain(`>${c.label} (AUC ${c.auc!.toFixed(4)})<`);
    const pr = prChart(curves);
    expect(pr.marks).toEqual({ curves: 3 });
    const prSvg = await drawn(pr);
    for (const c of curves.perClass) expect(prSvg).toContain(`>${c.label} (AP ${c.averagePrecision!.toFixed(4)})<`);
  });

  it("binary: the positive class's line and the F1 and MCC thresholds' points", async () => {
    const { y, proba } = randomProba(80, 2, 8);
    const curves = classificationCurves(y, proba, ['no', 'yes'], { f1: 0.4, mcc: 0.55 });
    const roc = rocChart(curves);
    expect(roc.marks).toEqual({ curves: 1, chance: 1, thresholds: 2 });
    const svg = await drawn(roc);
    expect(svg).toContain('thresholds, chosen out of fold');
    expect(svg).toContain('best F1 threshold 0.4');
    expect(prChart(curves).marks).toEqual({ curves: 1, thresholds: 2 });
    await drawn(prChart(curves));
  });
});

describe('regression charts', () => {
  it('a dot per test row, at most MAX_SCATTER_POINTS; the diagonal and the zero line', async () => {
    const n = 50;
    const actual = Float64Array.from({ length: n }, (_, i) => i / 5);
    const predicted = Float64Array.from(actual, (a, i) => a + ((i % 7) - 3) / 10);
    const { points, rows } = regressionPoints(actual, predicted);
    const pa = predictedActualChart(points, rows, 'y');
    expect(pa.marks).toEqual({ points: n, diagonal: 1 });
    await drawn(pa);
    const res = residualChart(points, rows, 'y');
    expect(res.marks).toEqual({ points: n, zero: 1 });
    await drawn(res);

    const big = 5000;
    const many = regressionPoints(
      Float64Array.from({ length: big }, (_, i) => i),
      Float64Array.from({ length: big }, (_, i) => i + 1),
    );
    const thinned = predictedActualChart(many.points, many.rows, 'y');
    expect(thinned.marks['points']).toBe(MAX_SCATTER_POINTS);
    expect(thinned.description).toContain(`${MAX_SCATTER_POINTS} of the ${big} test rows`);
  });
});

describe('iterationChart', () => {
  const rows = [
    { id: 0, family: 'gbdt', status: 'scored', score: 0.5, finished: 2 },
    { id: 1, family: 'glm', status: 'scored', score: 0.7, finished: 1 },
    { id: 2, family: 'glm', status: 'halved', score: 0.2, finished: 3 },
    { id: 3, family: 'mlp', status: 'failed', score: null, finished: 3.5 },
    { id: 4, family: 'gbdt', status: 'scored', score: 0.4, finished: 5 },
  ];

  it('a dot per candidate with a score; the best so far of the fully scored, as a step line', async () => {
    const chart = iterationChart(rows, 'logloss', false);
    expect(chart.marks).toEqual({ candidates: 4, best: 1 });
    expect(chart.description).toContain('4 with a score, 1 without');
    const best = (chart.spec as { layer: { data: { values: { finished: number; score: number }[] } }[] }).layer[0]!.data
      .values;
    // By finish time: 0.7 at 1 s, 0.5 at 2 s, (halved 0.2 does not count), 0.4 at 5 s.
    expect(best.map((b) => [b.finished, b.score])).toEqual([
      [1, 0.7],
      [2, 0.5],
      [5, 0.4],
    ]);
    await drawn(chart);
  });

  it('higher is better for AUC; a log scale for an error metric spanning more than 20×', () => {
    const auc = iterationChart(rows, 'auc', true);
    const values = (auc.spec as { layer: { data: { values: { score: number }[] } }[] }).layer[0]!.data.values;
    expect(values.map((v) => v.score)).toEqual([0.7, 0.7, 0.7]);
    const spread = iterationChart(
      [
        { id: 0, family: 'a', status: 'scored', score: 0.01, finished: 1 },
        { id: 1, family: 'b', status: 'scored', score: 1, finished: 2 },
      ],
      'logloss',
      false,
    );
    expect(JSON.stringify(spread.spec)).toContain('"type":"log"');
    expect(JSON.stringify(iterationChart(rows, 'logloss', false).spec)).not.toContain('"type":"log"');
  });
});

describe('renderSvg', () => {
  it('loads nothing: a spec that names a data URL is refused, not fetched', async () => {
    await expect(
      renderSvg({ layer: [{ data: { url: 'data/cars.json' }, mark: 'point' }] } as vl.TopLevelSpec),
    ).rejects.toThrow(/spec\.layer\[0\]\.data\.url/);
    await expect(
      renderSvg({ data: { url: 'https://example.com/data.csv' }, mark: 'point' } as vl.TopLevelSpec),
    ).rejects.toThrow(/holds its data inline; this spec names a URL at spec\.data\.url/);
  });

  it("prefixes the SVG's own ids, so two charts on one page do not share a gradient; the same spec, the same SVG", async () => {
    const chart = confusionChart(
      ['a', 'b'],
      [
        [1, 2],
        [3, 4],
      ],
    );
    const a = await renderSvg(chart.spec, { idPrefix: 'one' });
    const b = await renderSvg(chart.spec, { idPrefix: 'two' });
    expect(a).toContain('id="one-gradient_0"');
    expect(a).toContain('url(#one-gradient_0)');
    expect(b).toContain('id="two-gradient_0"');
    expect(b).not.toContain('one-');
    expect(await renderSvg(chart.spec, { idPrefix: 'one' })).toBe(a);
  });

  it('escapes text: a class called <b>&amp; stays text', async () => {
    const svg = await renderSvg(
      confusionChart(
        ['<b>&', 'ok'],
        [
          [1, 0],
          [0, 1],
        ],
      ).spec,
    );
    expect(svg).toContain('&lt;b&gt;&amp;');
    expect(svg).not.toContain('<b>');
  });
});
