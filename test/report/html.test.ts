/**
 * The HTML report of real runs (test/report/fixture.ts): one self-contained page whose numbers are
 * experiment.json's (logloss, MCC, F1 per class, confusion cells, importance order), whose charts
 * draw as many marks as there are data, that names no URL, escapes every text from the data, and
 * says so at the top when the run is interrupted, failed, damaged or from an older version.
 * (The page in a real browser: browser.test.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { loadRun, thresholdViews, type RunReport } from '../../src/report/load.js';
import { fmt } from '../../src/report/text.js';
import {
  binaryRun,
  classificationRun,
  damagedRun,
  failedRun,
  interruptedEarlyRun,
  interruptedRun,
  olderRun,
  regressionRun,
  runningRun,
  type FixtureRun,
} from './fixture.js';
import { countMarks, figureSvg, markTexts, tableRows, unescape, urlsIn } from './html-fixture.js';

const LONG = 240_000;

let cool: FixtureRun;
let stable: FixtureRun;
let regression: FixtureRun;
let stopped: FixtureRun;
let coolHtml: string;

beforeAll(async () => {
  cool = await classificationRun();
  stable = await binaryRun();
  regression = await regressionRun();
  stopped = await interruptedRun();
  coolHtml = await renderHtml(await loadRun(cool.dir));
}, LONG);

interface ClassLine {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

describe('renderHtml: a finished classification run (cool_cond_y, 3 classes)', () => {
  it('is one self-contained page: no URL but the SVG namespaces, no script, no external style, font or image', () => {
    expect(coolHtml.startsWith('<!doctype html>')).toBe(true);
    expect(urlsIn(coolHtml)).toEqual([]);
    expect(coolHtml).not.toMatch(/<script|<link|<img|<iframe|@import|@font-face|\ssrc=/i);
    // url(…) only for the SVGs' own gradients and clips, by id in the page.
    for (const m of coolHtml.matchAll(/url\(([^)]*)\)/g)) expect(m[1]).toMatch(/^#/);
    expect(coolHtml).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(coolHtml).toContain('@media print');
  });

  it('has every section, in order', () => {
    const ids = [...coolHtml.matchAll(/<section id="([^"]+)">/g)].map((m) => m[1]);
    expect(ids).toEqual([
      'summary',
      'importance',
      'classes',
      'curves',
      'iteration',
      'leaderboard',
      'ensemble',
      'checks',
      'pipeline',
      'provenance',
    ]);
    expect(coolHtml).not.toContain('class="banner');
  });

  it("shows experiment.json's validation and test scores exactly (and rounded as the terminal does)", () => {
    const rows = tableRows(coolHtml, 'scores');
    const byName = new Map(rows.map((r) => [r[0]!.text, r]));
    const v = cool.json.validation;
    const t = cool.json.test;
    for (const [label, key] of [
      ['logloss', 'logloss'],
      ['accuracy', 'accuracy'],
      ['MCC', 'mcc'],
      ['AUC', 'auc'],
    ] as const) {
      const row = byName.get(label)!;
      expect(row[1]!.value, `validation ${label}`).toBe(v[key]);
      expect(row[2]!.value, `test ${label}`).toBe(t[key]);
      expect(row[2]!.text).toBe(fmt(t[key] as number));
    }
    const macro = t['macro'] as { f1: number };
    expect(byName.get('macro F1')![2]!.value).toBe(macro.f1);
  });

  it("per class: precision, recall, F1 and rows are experiment.json's; the last line its macro F1 and MCC", () => {
    const perClass = cool.json.test['perClass'] as ClassLine[];
    const rows = tableRows(coolHtml, 'per-class');
    expect(rows).toHaveLength(perClass.length + 1);
    perClass.forEach((c, k) => {
      const row = rows[k]!;
      expect(row[0]!.text).toBe(c.label);
      expect(row[1]!.value).toBe(c.support);
      expect(row[2]!.value).toBe(c.precision);
      expect(row[3]!.value).toBe(c.recall);
      expect(row[4]!.value).toBe(c.f1);
    });
    const last = rows.at(-1)!;
    expect(last[4]!.value).toBe((cool.json.test['macro'] as { f1: number }).f1);
    expect(last[5]!.value).toBe(cool.json.test['mcc']);
    expect(last[6]!.value).toBe(cool.json.test['auc']);
  });

  it("the confusion heat map: one cell per class pair, labelled with experiment.json's counts", () => {
    const confusion = cool.json.test['confusion'] as number[][];
    const svg = figureSvg(coolHtml, 'confusion')!;
    expect(svg).toBeDefined();
    expect(countMarks(svg, 'cells')).toBe(confusion.length ** 2);
    expect(markTexts(svg, 'counts').map(Number)).toEqual(confusion.flat());
  });

  it("variable importance: the table and the bars in experiment.json's order", () => {
    const imp = cool.json.importance;
    const rows = tableRows(coolHtml, 'importance');
    expect(rows.map((r) => r[1]!.text)).toEqual(imp.slice(0, 20).map((i) => i.feature));
    rows.forEach((r, k) => {
      expect(r[2]!.value).toBe(imp[k]!.importance);
      expect(r[3]!.value).toBe(imp[k]!.permutation);
      expect(r[4]!.value).toBe(imp[k]!.gain);
    });
    const svg = figureSvg(coolHtml, 'importance')!;
    const bars = imp.slice(0, 20).reduce((n, i) => n + (i.importance === null ? 0 : 1) + (i.gain === null ? 0 : 1), 0);
    expect(countMarks(svg, 'bars')).toBe(bars);
    // The y axis lists the features most important first.
    const labels = [...svg.matchAll(/role-axis-label[^>]*>(.*?)<\/g>/gs)]
      .flatMap((m) => [...m[1]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => unescape(t[1]!)))
      .filter((t) => imp.some((i) => i.feature === t));
    expect(labels).toEqual(imp.slice(0, 20).map((i) => i.feature));
  });

  it('ROC and PR: one line per class with its AUC; the iteration chart: a dot per candidate with a score', () => {
    const classes = cool.json['classes'] as string[];
    for (const id of ['roc', 'pr']) expect(countMarks(figureSvg(coolHtml, id)!, 'curves')).toBe(classes.length);
    const roc = figureSvg(coolHtml, 'roc')!;
    for (const c of classes) expect(roc).toMatch(new RegExp(`>${c} \\(AUC \\d\\.\\d{4}\\)<`));
    const iteration = figureSvg(coolHtml, 'iteration')!;
    expect(countMarks(iteration, 'candidates')).toBe(cool.result.search.candidates - cool.result.search.failed);
    expect(countMarks(iteration, 'best')).toBe(1);
  });

  it('the leaderboard, the ensemble, the checks, the pipeline in words and the provenance', async () => {
    const lb = tableRows(coolHtml, 'leaderboard');
    expect(lb).toHaveLength(cool.result.search.candidates);
    expect(lb[0]![1]!.text).toBe(String(cool.result.search.best.id));
    expect(lb[0]![7]!.value).toBe(cool.result.search.best.score);
    const members = tableRows(coolHtml, 'ensemble');
    expect(members.map((m) => Number(m[0]!.text))).toEqual(cool.result.ensemble.members.map((m) => m.id));
    expect(members.map((m) => m[2]!.value)).toEqual(cool.result.ensemble.members.map((m) => m.weight));
    const leak = tableRows(coolHtml, 'leakage');
    expect(leak.map((r) => r[0]!.text)).toEqual(cool.result.checks.leakage.features.slice(0, 10).map((f) => f.feature));
    expect(tableRows(coolHtml, 'dropped').map((r) => r[0]!.text)).toEqual(cool.result.dropped.map((d) => d.column));
    if (cool.result.ensemble.kept) {
      expect(coolHtml).toContain(`Model: an ensemble of ${cool.result.ensemble.members.length} candidates`);
      for (const m of cool.result.ensemble.members) expect(coolHtml).toContain(`Member #${m.id} feature steps:`);
    } else expect(coolHtml).toContain(`Feature steps: ${cool.result.search.best.features}`);
    const data = cool.json['data'] as { train: { path: string; sha256: string } };
    expect(coolHtml).toContain(data.train.sha256);
    expect(coolHtml).toContain(`<dd>${cool.result.settings.seed}</dd>`);
    expect(coolHtml).toContain(`${cool.json['tool']} ${cool.json['toolVersion']}`);
    // The same run renders the same page.
    expect(await renderHtml(await loadRun(cool.dir))).toBe(coolHtml);
  });

  it('escapes every text from the data: a feature called <img src=x onerror=…> & co stays text', async () => {
    const r = await loadRun(cool.dir);
    const evil = '<img src=x onerror=alert(1)>&"co\'';
    const e = r.experiment!;
    e.importance = e.importance!.map((i, k) => (k === 0 ? { ...i, feature: evil } : i));
    e.settings = { ...e.settings, name: '<script>x</script>' };
    e.dropped = [{ column: '</td><td>', reason: 'a <b>reason</b>' }];
    const html = await renderHtml(r);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain('<td><code>&lt;/td&gt;&lt;td&gt;</code></td>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&amp;&quot;co&#39;');
    expect(tableRows(html, 'importance')[0]![1]!.text).toBe(evil);
    expect(tableRows(html, 'dropped')[0]!.map((c) => c.text)).toEqual(['</td><td>', 'a <b>reason</b>']);
    // In the chart's SVG too (vega escapes its text).
    expect(figureSvg(html, 'importance')).toContain('&lt;img src=x onerror=alert(1)&gt;&amp;');
  });
});

describe('renderHtml: binary and regression runs', () => {
  it("binary (stable_y): the thresholds table at the pipeline's thresholds, their points on ROC and PR", async () => {
    const r = await loadRun(stable.dir);
    const html = await renderHtml(r);
    const t = stable.json['thresholds'] as { f1: number; mcc: number; positiveClass: string };
    const rows = tableRows(html, 'thresholds');
    expect(rows.map((x) => x[1]!.value)).toEqual([t.f1, t.mcc]);
    const views = thresholdViews(r);
    rows.forEach((row, k) => {
      expect(row[2]!.value).toBe(views[k]!.precision);
      expect(row[3]!.value).toBe(views[k]!.recall);
      expect(row[4]!.value).toBe(views[k]!.f1);
      expect(row[5]!.value).toBe(views[k]!.mcc);
    });
    for (const id of ['roc', 'pr']) {
      const svg = figureSvg(html, id)!;
      expect(countMarks(svg, 'curves')).toBe(1);
      expect(countMarks(svg, 'thresholds')).toBe(2);
    }
    expect(figureSvg(html, 'roc')).toContain(`(AUC ${(stable.json.test['auc'] as number).toFixed(4)})`);
    expect(html).toContain('chosen out of fold');
    expect(urlsIn(html)).toEqual([]);
  });

  it("regression: predicted vs actual and residuals, a dot per test row; rmse, mae and R² are experiment.json's", async () => {
    const r = await loadRun(regression.dir);
    const html = await renderHtml(r);
    const ids = [...html.matchAll(/<section id="([^"]+)">/g)].map((m) => m[1]);
    expect(ids).toContain('regression');
    expect(ids).not.toContain('classes');
    expect(ids).not.toContain('curves');
    const testRows = regression.result.rows.test;
    expect(countMarks(figureSvg(html, 'predicted-actual')!, 'points')).toBe(testRows);
    expect(countMarks(figureSvg(html, 'residuals')!, 'points')).toBe(testRows);
    const scores = new Map(tableRows(html, 'scores').map((row) => [row[0]!.text, row]));
    expect(scores.get('rmse')![2]!.value).toBe(regression.json.test['rmse']);
    expect(scores.get('mae')![2]!.value).toBe(regression.json.test['mae']);
    expect(scores.get('R²')![2]!.value).toBe(regression.json.test['r2']);
    expect(scores.get('rmse')![1]!.value).toBe(regression.json.validation['rmse']);
  });
});

describe('renderHtml: runs that are not complete say so at the top', () => {
  function bannerOf(html: string): string {
    const m = /<div class="banner[^"]*"[^>]*>(.*?)<\/div>/s.exec(html);
    return m ? unescape(m[1]!.replace(/<[^>]+>/g, ' ')) : '';
  }

  it('interrupted after its first candidate: the banner, then the measured pipeline', async () => {
    const html = await renderHtml(await loadRun(stopped.dir));
    expect(bannerOf(html)).toContain('This experiment was interrupted');
    expect(figureSvg(html, 'confusion')).toBeDefined();
    expect(tableRows(html, 'per-class')).toHaveLength((stopped.json['classes'] as string[]).length + 1);
  });

  it('failed: the banner with the error, the settings and the log; no result sections', async () => {
    const dir = await failedRun('failed-html', 'out of memory while fitting <candidate 3>');
    const html = await renderHtml(await loadRun(dir));
    expect(bannerOf(html)).toContain('This experiment failed');
    expect(bannerOf(html)).toContain('out of memory while fitting <candidate 3>');
    const ids = [...html.matchAll(/<section id="([^"]+)">/g)].map((m) => m[1]);
    expect(ids).toEqual(['summary', 'provenance', 'log']);
    expect(html).toContain('<pre>');
    expect(urlsIn(html)).toEqual([]);
  });

  it('interrupted before anything was scored, and still running: said so', async () => {
    const early = await renderHtml(await loadRun(await interruptedEarlyRun('early-html')));
    expect(bannerOf(early)).toContain('before any candidate was finished');
    const running = await renderHtml(await loadRun(await runningRun('running-html')));
    expect(bannerOf(running)).toContain('has not finished');
  });

  it('damaged experiment.json: the banner names the problem; what exists is shown', async () => {
    const r = await loadRun(damagedRun(cool, 'damaged-html'));
    const html = await renderHtml(r);
    expect(bannerOf(html)).toContain('This run folder is damaged');
    expect(bannerOf(html)).toContain('experiment.json is damaged');
    expect(tableRows(html, 'leaderboard')).toHaveLength(cool.result.search.candidates);
  });

  it('from an older version: the banner lists what is missing; the per-class numbers come from the predictions', async () => {
    const r = await loadRun(olderRun(cool, 'older-html'));
    const html = await renderHtml(r);
    const banner = bannerOf(html);
    expect(banner).toContain('Written by automl 0.0.1');
    for (const p of r.problems) expect(banner).toContain(p);
    // Derived from test-predictions.csv: the same numbers the newer experiment.json has.
    const perClass = cool.json.test['perClass'] as ClassLine[];
    const rows = tableRows(html, 'per-class');
    perClass.forEach((c, k) => expect(rows[k]![4]!.value).toBeCloseTo(c.f1, 12));
    expect(html).toContain('Not in this run: experiment.json has no ensemble selection');
    expect(html).toContain('Leakage: not in this run');
  });
});

describe('renderHtml: a report with nothing but a name', () => {
  it('renders (no experiment.json, no leaderboard): every missing part said to be missing', async () => {
    const r: RunReport = {
      dir: '/nowhere/empty',
      name: 'empty',
      status: 'damaged',
      isRun: true,
      problems: ['experiment.json is missing'],
      leaderboard: [],
      date: new Date(0),
      test: null,
    };
    const html = await renderHtml(r);
    expect(html).toContain('experiment.json is missing');
    expect(html).toContain('No settings');
  });
});
