/**
 * The index page of every run (`automl report --all`): a line per run with experiment.json's
 * scores, each name linking to its report; damaged runs and folders that are not runs listed as
 * such; one self-contained page.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderIndex } from '../../src/report/index-page.js';
import { runSummary } from '../../src/report/summary.js';
import { listRuns, type RunReport } from '../../src/report/load.js';
import { fmt } from '../../src/report/text.js';
import {
  binaryRun,
  classificationRun,
  damagedRun,
  failedRun,
  fixtureRunsDir,
  notARunDir,
  regressionRun,
  type FixtureRun,
} from './fixture.js';
import { unescape, urlsIn } from './html-fixture.js';

const LONG = 240_000;

let cool: FixtureRun;
let stable: FixtureRun;
let regression: FixtureRun;
let runs: RunReport[];
let html: string;

beforeAll(async () => {
  cool = await classificationRun();
  stable = await binaryRun();
  regression = await regressionRun();
  await failedRun('failed-index');
  damagedRun(cool, 'damaged-index');
  notARunDir('notes-index');
  runs = await listRuns(fixtureRunsDir(), { predictions: false });
  html = renderIndex(runs, (r) => (r.isRun ? `${encodeURIComponent(r.name)}.html` : ''));
}, LONG);

/** The index's row of a run: its cells' texts and exact values. */
function rowOf(name: string): { text: string; value: number | null; html: string }[] {
  const m = new RegExp(`<tr data-run="${name}"[^>]*>(.*?)</tr>`, 's').exec(html);
  expect(m, `a row for ${name}`).not.toBeNull();
  return [...m![1]!.matchAll(/<td([^>]*)>(.*?)<\/td>/gs)].map((c) => {
    const v = /data-value="([^"]*)"/.exec(c[1]!);
    return { text: unescape(c[2]!.replace(/<[^>]+>/g, '')), value: v ? Number(v[1]) : null, html: c[2]! };
  });
}

describe('renderIndex', () => {
  it('lists every folder, newest first, in one self-contained page', () => {
    const names = [...html.matchAll(/<tr data-run="([^"]+)"/g)].map((m) => m[1]);
    expect(names).toEqual(runs.map((r) => r.name));
    for (const n of [
      'cool-report',
      'stable-report',
      'synth-regression',
      'failed-index',
      'damaged-index',
      'notes-index',
    ])
      expect(names).toContain(n);
    expect(urlsIn(html)).toEqual([]);
    expect(html).not.toMatch(/<script|<link|<img|@import/);
  });

  it("a finished run: name linking to its report, target, task, status, experiment.json's scores, winner", () => {
    for (const run of [cool, stable, regression]) {
      const row = rowOf(run.name);
      expect(row[0]!.html).toBe(`<a href="${run.name}.html">${run.name}</a>`);
      expect(row[1]!.text).toBe(run.result.settings.target);
      expect(row[2]!.text).toBe(run.result.task);
      expect(row[3]!.text).toBe('finished');
      const metric = run.result.task === 'regression' ? 'rmse' : 'logloss';
      expect(row[4]!.text).toBe(metric);
      expect(row[5]!.value).toBe(run.json.validation[metric]);
      expect(row[5]!.text).toBe(fmt(run.json.validation[metric] as number));
      expect(row[6]!.value).toBe(run.json.test[metric]);
      const winner = run.result.ensemble.kept
        ? `ensemble of ${run.result.ensemble.members.length}`
        : run.result.search.best.family;
      expect(row[7]!.text).toBe(winner);
    }
  });

  it('a failed run, a damaged one and a folder that is not a run are listed as such, with what is wrong', () => {
    expect(rowOf('failed-index')[3]!.text).toBe('failed');
    const damaged = rowOf('damaged-index');
    expect(damaged[3]!.text).toMatch(/^damaged.*experiment\.json is damaged/);
    expect(damaged[0]!.html).toContain('href="damaged-index.html"');
    const notes = rowOf('notes-index');
    expect(notes[3]!.text).toMatch(/^not a run/);
    expect(notes[0]!.html).toBe('notes-index');
    expect(runSummary(runs.find((r) => r.name === 'notes-index')!).status).toBe('not a run');
  });

  it('escapes names; an empty list says there are no runs', () => {
    const r = runs.find((x) => x.name === 'cool-report')!;
    const evil = renderIndex([{ ...r, name: '<b>&"x' }], () => 'a"b.html');
    expect(evil).toContain('&lt;b&gt;&amp;&quot;x');
    expect(evil).toContain('href="a&quot;b.html"');
    expect(evil).not.toContain('<b>');
    expect(renderIndex([], () => '')).toContain('No runs yet');
  });
});
