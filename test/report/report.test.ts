/**
 * Run folders read back (load.ts), the dashboard and the terminal report at 80 columns, and the
 * list, on real runs (test/report/fixture.ts): the numbers printed are experiment.json's, every
 * line fits the width, and runs that failed, were interrupted, are still running, are damaged or
 * come from an older version are reported for what they are, never a crash.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listLines } from '../../src/cli/list.js';
import { runSummary } from '../../src/report/summary.js';
import { dashboardLines } from '../../src/report/dashboard.js';
import {
  atThreshold,
  listRuns,
  loadRun,
  rankLeaderboard,
  testMetrics,
  thresholdViews,
  type RunExperiment,
  type RunReport,
} from '../../src/report/load.js';
import { confusionLines, REPORT_LEADERBOARD_ROWS, terminalReport } from '../../src/report/terminal.js';
import { renderHtml } from '../../src/report/html.js';
import { displayWidth, fmt, wrap, table } from '../../src/report/text.js';
import { Rng } from '../../src/util/random.js';
import {
  binaryRun,
  classificationRun,
  damagedRun,
  failedRun,
  fixtureRunsDir,
  interruptedEarlyRun,
  interruptedRun,
  notARunDir,
  OLDER_TEST_MEMBERS_REMOVED,
  olderRun,
  regressionRun,
  runningRun,
  type FixtureRun,
} from './fixture.js';

const LONG = 180_000;

let cool: FixtureRun;
let stable: FixtureRun;
let regression: FixtureRun;
let stopped: FixtureRun;

beforeAll(async () => {
  // One after another: each search uses both cores.
  cool = await classificationRun();
  stable = await binaryRun();
  regression = await regressionRun();
  stopped = await interruptedRun();
}, LONG);

/** Every line at most `width` columns (the message names the first that is not). */
function expectFits(lines: readonly string[], width: number): void {
  const over = lines.filter((l) => displayWidth(l) > width);
  expect(over, `lines wider than ${width}:\n${over.join('\n')}`).toEqual([]);
}

function metricsOf(r: RunReport): Record<string, unknown> {
  return r.test!.metrics as Record<string, unknown>;
}

describe('loadRun: a finished run read back', () => {
  it('reads experiment.json, the leaderboard, the test predictions and the log of a classification run', async () => {
    const r = await loadRun(cool.dir);
    expect(r.status).toBe('finished');
    expect(r.isRun).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.name).toBe('cool-report');
    expect(r.experiment?.settings?.target).toBe('cool_cond_y');
    expect(r.experiment?.test).toEqual(cool.json.test);
    // The leaderboard: every candidate, numbers parsed.
    expect(r.leaderboard.map((c) => c.id)).toEqual(Array.from({ length: cool.result.search.candidates }, (_, i) => i));
    const best = r.leaderboard.find((c) => c.id === cool.result.search.best.id)!;
    expect(best.score).toBe(cool.result.search.best.score);
    expect(best.family).toBe(cool.result.search.best.family);
    expect(best.params).toEqual(cool.result.search.best.params);
    expect(best.folds).toBe(cool.result.search.best.folds);
    // The test predictions: one row per test row, one probability per class.
    const p = r.testPredictions!;
    expect(p.classes).toEqual(cool.result.classes);
    expect(p.labels).toHaveLength(cool.result.rows.test);
    expect(p.probabilities.every((row) => row.length === 3)).toBe(true);
    expect(r.log?.some((l) => l.includes('best:'))).toBe(true);
    // The test metrics are experiment.json's own; nothing needed deriving.
    expect(r.test?.kind).toBe('classification');
    expect(r.test?.derived).toEqual([]);
    expect(metricsOf(r)['confusion']).toEqual(cool.json.test['confusion']);
  });

  it('derives from the test predictions exactly the metrics experiment.json holds', async () => {
    const r = await loadRun(cool.dir);
    const derived = testMetrics({ testPredictions: r.testPredictions, experiment: { task: 'multiclass' } });
    expect(derived?.derived.sort()).toEqual(['accuracy', 'auc', 'confusion', 'logloss', 'macro', 'mcc', 'perClass']);
    const m = derived!.metrics as Record<string, unknown>;
    for (const k of ['confusion', 'perClass', 'mcc', 'macro', 'accuracy', 'auc', 'logloss'])
      expect(m[k], k).toEqual(cool.json.test[k]);
  });

  it('reads a regression run: predicted values, rmse from experiment.json', async () => {
    const r = await loadRun(regression.dir);
    expect(r.status).toBe('finished');
    expect(r.problems).toEqual([]);
    expect(r.experiment?.task).toBe('regression');
    expect(r.testPredictions?.classes).toBeNull();
    expect(r.testPredictions?.regression?.predicted).toHaveLength(regression.result.rows.test);
    expect(r.test).toEqual({ kind: 'regression', metrics: regression.json.test, derived: [] });
    const derived = testMetrics({ testPredictions: r.testPredictions, experiment: { task: 'regression' } })!;
    expect(derived.metrics).toEqual(regression.json.test);
  });

  it('binary: the thresholds chosen out of fold, applied to the test rows', async () => {
    const r = await loadRun(stable.dir);
    const th = stable.json['thresholds'] as { f1: number; mcc: number; positiveClass: string };
    const views = thresholdViews(r);
    expect(views.map((v) => [v.objective, v.threshold, v.chosenOn, v.positiveClass])).toEqual([
      ['f1', th.f1, 'out-of-fold', th.positiveClass],
      ['mcc', th.mcc, 'out-of-fold', th.positiveClass],
    ]);
    // Counted again from the file's rows.
    const rows = readFileSync(join(stable.dir, 'test-predictions.csv'), 'utf8').trim().split('\n').slice(1);
    for (const v of views) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      let tn = 0;
      for (const line of rows) {
        const [, actual, , p1] = line.split(',');
        const pos = Number(p1) >= v.threshold;
        if (actual === th.positiveClass && pos) tp++;
        else if (actual === th.positiveClass) fn++;
        else if (pos) fp++;
        else tn++;
      }
      expect(v.confusion).toEqual([
        [tn, fp],
        [fn, tp],
      ]);
      expect(v.f1).toBeCloseTo((2 * tp) / (2 * tp + fp + fn), 12);
    }
    // At threshold 0.5 on a probability pair the predicted class is the argmax: the same confusion.
    const y = r.testPredictions!.y;
    const half = atThreshold(
      y,
      r.testPredictions!.probabilities.map((row) => row[1]!),
      0.5,
    );
    expect(half.confusion).toEqual(stable.json.test['confusion']);
  });
});

describe('loadRun: runs that did not finish, damaged folders, older versions', () => {
  it('an interrupted run (Ctrl-C after the first candidate) reports its finished pipeline', async () => {
    const r = await loadRun(stopped.dir);
    expect(r.status).toBe('interrupted');
    expect(r.problems).toEqual([]);
    expect(r.experiment?.search?.stoppedBy).toBe('interrupted');
    const lines = terminalReport(r, { width: 80 });
    expectFits(lines, 80);
    expect(lines[0]).toMatch(/^Run cool-interrupted was INTERRUPTED/);
    expect(lines.join('\n')).toContain(fmt(stopped.json.test['logloss'] as number));
  });

  it('a failed run, one interrupted before anything was scored, one still running', async () => {
    const failed = await loadRun(await failedRun());
    expect(failed.status).toBe('failed');
    expect(failed.experiment?.error?.message).toBe('out of memory while fitting candidate 3');
    // Nothing but experiment.json and run.log exists, and nothing else is asked for.
    expect(failed.problems).toEqual([]);
    const fLines = terminalReport(failed, { width: 80 });
    expectFits(fLines, 80);
    expect(fLines.join(' ')).toMatch(/^Run failed-run FAILED at .*: out of memory while fitting candidate 3\./);
    expect(fLines.join('\n')).toContain('target     cool_cond_y');

    const early = await loadRun(await interruptedEarlyRun());
    expect(early.status).toBe('interrupted');
    expect(terminalReport(early, { width: 80 }).join(' ')).toContain('INTERRUPTED before any candidate was scored');

    const running = await loadRun(await runningRun());
    expect(running.status).toBe('running');
    expect(running.problems).toEqual([]);
    expect(terminalReport(running, { width: 80 })[0]).toMatch(/^Run running-run has NOT FINISHED/);
  });

  it('a damaged experiment.json: status damaged, the rest still read, no crash', async () => {
    const r = await loadRun(damagedRun(cool));
    expect(r.status).toBe('damaged');
    expect(r.experiment).toBeUndefined();
    expect(r.problems[0]).toMatch(/^experiment\.json is damaged: not JSON/);
    expect(r.leaderboard).toHaveLength(cool.result.search.candidates);
    // Without experiment.json the test metrics still come from the predictions.
    expect(metricsOf(r)['confusion']).toEqual(cool.json.test['confusion']);
    const lines = terminalReport(r, { width: 80 });
    expectFits(lines, 80);
    expect(lines[0]).toMatch(/DAMAGED/);
  });

  it('a folder that is not a run', async () => {
    const r = await loadRun(notARunDir());
    expect(r.isRun).toBe(false);
    expect(r.status).toBe('damaged');
    expect(r.problems[0]).toBe(
      'not a run: it holds none of experiment.json, leaderboard.csv, test-predictions.csv, run.log',
    );
  });

  it('a candidate its deadline cut short: read back, and said under the leaderboard', async () => {
    const dir = join(fixtureRunsDir(), 'cut-run');
    rmSync(dir, { recursive: true, force: true });
    cpSync(cool.dir, dir, { recursive: true });
    const file = join(dir, 'leaderboard.csv');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    // A GBDT's row (rounds kept on each of its 3 folds, then cut_folds 0 and no error): as if
    // its deadline had stopped two of its fits at their first round.
    const at = lines.findIndex((l) => /,\d+ \d+ \d+,0,$/.test(l));
    expect(at).toBeGreaterThan(0);
    const id = Number(lines[at]!.split(',')[0]);
    lines[at] = lines[at]!.replace(/,(\d+) (\d+) (\d+),0,$/, ',1 $2 1,2,');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await loadRun(dir);
    expect(r.problems).toEqual([]);
    const row = r.leaderboard.find((c) => c.id === id)!;
    expect(row.cutFolds).toBe(2);
    expect(row.rounds[0]).toBe(1);
    expect(r.leaderboard.filter((c) => c.cutFolds > 0)).toHaveLength(1);
    const text = terminalReport(r, { width: 80 });
    expectFits(text, 80);
    expect(text.join(' ').replace(/\s+/g, ' ')).toContain(
      `cut by their deadline (fewer rounds or trees than asked; kept per fold): #${id} 1, ${row.rounds[1]}, 1`,
    );
    expect(await renderHtml(r)).toContain(`its deadline stopped 2 of 3 fits short (kept: 1, ${row.rounds[1]}, 1)`);
    // As written: none cut (no deadline with a model count).
    expect((await loadRun(cool.dir)).leaderboard.every((c) => c.cutFolds === 0)).toBe(true);
    expect(r.leaderboard.length).toBeLessThanOrEqual(REPORT_LEADERBOARD_ROWS);
  });

  it('an older version: missing parts are said to be missing, the rest derived from the predictions', async () => {
    const r = await loadRun(olderRun(cool));
    expect(r.status).toBe('finished');
    expect(r.problems).toContain(
      'leaderboard.csv has no logloss, started_seconds, finished_seconds, error (an older version)',
    );
    expect(r.leaderboard.map((c) => c.score)).toEqual((await loadRun(cool.dir)).leaderboard.map((c) => c.score));
    expect(r.test?.derived.sort()).toEqual([...OLDER_TEST_MEMBERS_REMOVED].sort());
    for (const k of OLDER_TEST_MEMBERS_REMOVED) expect(metricsOf(r)[k], k).toEqual(cool.json.test[k]);
    expect(metricsOf(r)['logloss']).toBe(cool.json.test['logloss']);
    const lines = terminalReport(r, { width: 80 });
    expectFits(lines, 80);
    const text = lines.join('\n');
    expect(lines.join(' ').replace(/ +/g, ' ')).toContain(
      'missing experiment.json has no checks, ensemble, featuresUsed (an older version)',
    );
    expect(text).toContain('leakage and shift checks: missing from experiment.json');
    expect(text).toContain('confusion matrix on the test rows (from test-predictions.csv)');
  });
});

describe('listRuns', () => {
  it('lists every folder newest first, damaged and non-run folders as such', async () => {
    damagedRun(cool);
    notARunDir();
    const runs = await listRuns(fixtureRunsDir(), { predictions: false });
    const names = runs.map((r) => r.name);
    for (const n of ['cool-report', 'stable-report', 'synth-regression', 'cool-interrupted', 'damaged-run', 'notes'])
      expect(names).toContain(n);
    const dates = runs.map((r) => r.date.getTime());
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    expect(runs.every((r) => r.testPredictions === undefined)).toBe(true);
    // A runs folder that does not exist lists nothing.
    expect(await listRuns(join(fixtureRunsDir(), 'no-such-folder'))).toEqual([]);

    const listed = runs.map(runSummary);
    const lines = listLines(listed, 80);
    expectFits(lines, 80);
    const text = lines.join('\n');
    const coolRow = listed.find((x) => x.name === 'cool-report')!;
    expect(coolRow).toMatchObject({
      status: 'finished',
      target: 'cool_cond_y',
      task: 'multiclass',
      metric: 'logloss',
      validation: cool.json.validation['logloss'],
      test: cool.json.test['logloss'],
      winner: cool.result.ensemble.kept
        ? `ensemble of ${cool.result.ensemble.members.length}`
        : cool.result.search.best.family,
    });
    expect(text).toMatch(/^damaged-run +damaged/m);
    expect(text).toMatch(/^notes +not a run/m);
    expect(text).toContain(`cool_cond_y (multiclass) · logloss · ${cool.result.seconds.total.toFixed(1)} s`);
    const reg = listed.find((x) => x.name === 'synth-regression')!;
    expect(reg.metric).toBe('rmse');
    expect(reg.test).toBe(regression.json.test['rmse']);
  });
});

describe('the dashboard (automl run) at 80 columns', () => {
  it('every line fits and the key numbers are experiment.json’s', async () => {
    const r = await loadRun(cool.dir);
    for (const width of [80, 60, 40]) expectFits(dashboardLines(r.experiment!, { width }), width);
    const lines = dashboardLines(r.experiment!, { width: 80 });
    const text = lines.join('\n');
    const row = (label: string): string => lines.find((l) => l.startsWith(label))!;
    expect(row('logloss')).toMatch(
      new RegExp(
        `^logloss +${esc(fmt(cool.json.validation['logloss'] as number))} +${esc(fmt(cool.json.test['logloss'] as number))}$`,
      ),
    );
    expect(row('mcc').split(/ +/).slice(1)).toEqual([
      fmt(cool.json.validation['mcc'] as number),
      fmt(cool.json.test['mcc'] as number),
    ]);
    expect(text).toMatch(new RegExp(`^  winner +${esc(cool.result.search.best.family)} `, 'm'));
    expect(lines[0]).toBe('Experiment cool-report: FINISHED');
    // Importance: experiment.json's order.
    const shown = cool.json.importance.slice(0, 8).map((i) => i.feature);
    const at = shown.map((f) => lines.findIndex((l) => l.startsWith(`${f} `)));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('prints the same for the result of a run as for its experiment.json read back', async () => {
    const loaded = await loadRun(cool.dir);
    expect(dashboardLines(cool.result, { width: 80 })).toEqual(dashboardLines(loaded.experiment!, { width: 80 }));
    const reg = await loadRun(regression.dir);
    const lines = dashboardLines(reg.experiment!, { width: 80 });
    expectFits(lines, 80);
    expect(
      lines
        .find((l) => l.startsWith('rmse'))!
        .split(/ +/)
        .slice(1),
    ).toEqual([fmt(regression.json.validation['rmse'] as number), fmt(regression.json.test['rmse'] as number)]);
  });

  it('a long feature name is shortened with … in the importance table, the numbers kept', () => {
    const e = structuredClone(cool.json) as unknown as RunExperiment;
    const long = `${'very_long_sensor_name_'.repeat(5)}end`;
    e.importance = [{ feature: long, importance: 1, permutation: 0.5, gain: 0.25 }, ...e.importance!];
    const lines = dashboardLines(e, { width: 80 });
    expectFits(lines, 80);
    const row = lines.find((l) => l.startsWith('very_long_sensor_name_'))!;
    expect(row).toContain('…');
    expect(row.split(/ +/).slice(-3)).toEqual(['1.000', '0.5', '0.250']);
  });
});

describe('the terminal report', () => {
  it('classification: leaderboard, checks, confusion cells, per-class scores and MCC equal experiment.json', async () => {
    const r = await loadRun(cool.dir);
    const lines = terminalReport(r, { width: 80 });
    expectFits(lines, 80);
    const text = lines.join('\n');
    // Starts with the dashboard.
    expect(lines.slice(0, 5)).toEqual(dashboardLines(r.experiment!, { width: 80 }).slice(0, 5));
    // The leaderboard's best first.
    const lb = lines.findIndex((l) => l.startsWith('leaderboard: top'));
    const first = lines[lb + 3]!.trim().split(/ +/);
    expect(Number(first[0])).toBe(rankLeaderboard(r.leaderboard, false)[0]!.id);
    expect(text).toContain(fmt(cool.result.search.best.score));
    // The checks.
    expect(text).toMatch(/^ {2}leakage: each feature alone against cool_cond_y \(AUC\)/m);
    expect(text).toContain(
      `shift: telling train from test, AUC ${cool.result.checks.shift!.auc!.toFixed(3)} with all features`,
    );
    expect(text).toMatch(/^ {2}dropped +valve_cond_y: another label of the hydraulic recipe$/m);
    // The confusion matrix: each row's cells.
    const classes = cool.result.classes!;
    const confusion = cool.json.test['confusion'] as number[][];
    classes.forEach((c, a) => {
      const row = lines.find((l) => l.startsWith(`  ${c} `) && l.trim().split(/ +/).length === classes.length + 1)!;
      expect(row.trim().split(/ +/).slice(1).map(Number)).toEqual(confusion[a]);
    });
    // Per class: precision, recall, F1, support.
    const perClass = cool.json.test['perClass'] as {
      label: string;
      precision: number;
      recall: number;
      f1: number;
      support: number;
    }[];
    const start = lines.findIndex((l) => l.startsWith('per class on the test rows'));
    for (const c of perClass) {
      const row = lines.slice(start).find((l) => l.trim().split(/ +/)[0] === c.label)!;
      expect(row.trim().split(/ +/).slice(1)).toEqual([fmt(c.precision), fmt(c.recall), fmt(c.f1), fmt(c.support)]);
    }
    expect(text).toContain(`MCC ${fmt(cool.json.test['mcc'] as number)}`);
  });

  it('binary: the best-threshold view by F1 and by MCC', async () => {
    const r = await loadRun(stable.dir);
    const lines = terminalReport(r, { width: 80 });
    expectFits(lines, 80);
    const th = stable.json['thresholds'] as { f1: number; mcc: number; positiveClass: string };
    const head = lines.findIndex((l) => l.startsWith(`test rows at the best thresholds on p('${th.positiveClass}')`));
    expect(head).toBeGreaterThan(0);
    const [f1Row, mccRow] = [lines[head + 3]!, lines[head + 4]!].map((l) => l.trim().split(/ +/));
    const views = thresholdViews(r);
    expect(f1Row!.slice(0, 6)).toEqual([
      'F1',
      String(Number(th.f1.toPrecision(4))),
      fmt(views[0]!.precision),
      fmt(views[0]!.recall),
      fmt(views[0]!.f1),
      fmt(views[0]!.mcc),
    ]);
    expect(mccRow!.slice(0, 2)).toEqual(['MCC', String(Number(th.mcc.toPrecision(4)))]);
    expect(mccRow!.slice(6).map(Number)).toEqual(views[1]!.confusion.flat());
  });

  it('regression: residuals instead of a confusion matrix', async () => {
    const lines = terminalReport(await loadRun(regression.dir), { width: 80 });
    expectFits(lines, 80);
    expect(lines.join('\n')).toContain('residuals on the test rows (predicted − actual)');
    expect(lines.join('\n')).not.toContain('confusion matrix');
  });

  it('a confusion matrix too wide for the width: its largest off-diagonal cells', () => {
    const rng = new Rng(3);
    const k = 14;
    const classes = Array.from({ length: k }, (_, i) => `class_${i}`);
    const m = classes.map((_, a) => classes.map((_, p) => (a === p ? 50 : Math.floor(rng.next() * 6))));
    const lines = confusionLines(m, classes, 80);
    expectFits(lines, 80);
    expect(lines[0]).toMatch(/^ {2}14 classes are too many for 80 columns; the largest of \d+ misclassified rows:$/);
    const cells = lines.slice(3).map((l) => Number(l.trim().split(/ +/)[2]));
    const off = m.flatMap((row, a) => row.filter((_, p) => p !== a)).sort((x, y) => y - x);
    expect(cells).toEqual(off.slice(0, 10));
    // Wide enough: the whole matrix.
    expect(confusionLines(m, classes, 200)[0]).toMatch(/^ {2}actual \\ predicted +class_0/);
  });
});

describe('text at a width', () => {
  it('wraps at spaces with a hanging indent and breaks a word longer than a line', () => {
    expect(wrap('one two three four', 9, '  ', '    ')).toEqual(['  one two', '    three', '    four']);
    const path = `/${'a'.repeat(100)}`;
    const lines = wrap(`pipeline ${path}`, 40, '  ', '    ');
    expectFits(lines, 40);
    expect(lines.join('').replace(/ /g, '')).toBe(`pipeline${path}`);
  });

  it('a table shortens its first column to fit', () => {
    const lines = table(['name', 'value'], [['x'.repeat(100), '1']], [false, true], 30);
    expectFits(lines, 30);
    expect(lines[2]).toMatch(/^x{22}… {6}1$/);
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
