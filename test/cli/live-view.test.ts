/**
 * `automl run`'s live view (src/cli/live-view.ts): a line per candidate as soon as its outcome is
 * known, in the order candidates finish, and on a terminal a bar redrawn on a timer, so that it
 * moves while a long fold job runs (the neural net's). The runs are of the built binary (dist/)
 * with stderr made to look like an 80-column terminal by a preloaded module; nothing here
 * depends on how fast the machine is, only on the order of events and on at least one redraw a
 * second where four are due.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { labelColumns } from '../../recipes/index.js';
import { progressLayout, resultLine, PROGRESS_BEST_WIDTH } from '../../src/cli/live-view.js';
import { embeddedDataPath } from '../../src/cli/embedded.js';
import { readCsv } from '../../src/data/csv.js';
import { inferTarget } from '../../src/data/infer.js';
import { displayWidth } from '../../src/report/text.js';
import { search, searchProgress, type CandidateResult, type SearchSettings } from '../../src/search/automl.js';
import { holdoutSplit } from '../../src/split/holdout.js';
import { hydraulicSplit } from '../search/hydraulic-split.js';
import { CLI_MAIN, runCommand } from './run-cli.js';

const LONG = 240_000;
const dir = mkdtempSync(join(tmpdir(), 'automl-live-view-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Preloaded into the CLI: stderr says it is an 80-column terminal (stdout stays a pipe). */
const fakeTty = join(dir, 'fake-tty.mjs');
writeFileSync(
  fakeTty,
  "Object.defineProperty(process.stderr, 'isTTY', { value: true });\nprocess.stderr.columns = 80;\n",
);

const RESULT = /^ +(\d+\.\d) s {2}#(\d+) +([a-z_]+) +(.*)$/;
const BAR = /^search \[[█░]+\] (\d+)\/(\d+) models · (\d+\.\d) s(?: · best .*)?$/;

interface Printed {
  id: number;
  family: string;
  stamp: number;
  rest: string;
  line: string;
}

/** What a run wrote to its (fake) terminal, in order: bar draws and result lines. */
function events(stderr: string): ({ bar: string; clock: number; done: number } | { result: Printed })[] {
  const out: ({ bar: string; clock: number; done: number } | { result: Printed })[] = [];
  // Escape sequences (cursor moves, line clears) separate what was drawn.
  // eslint-disable-next-line no-control-regex
  for (const chunk of stderr.split(/\u001b\[[0-9;?]*[A-Za-z]/)) {
    const bar = BAR.exec(chunk);
    if (bar) {
      out.push({ bar: chunk, clock: Number(bar[3]), done: Number(bar[1]) });
      continue;
    }
    for (const line of chunk.split(/\r?\n/)) {
      const m = RESULT.exec(line);
      if (m) out.push({ result: { stamp: Number(m[1]), id: Number(m[2]), family: m[3]!, rest: m[4]!, line } });
    }
  }
  return out;
}

interface LeaderboardRow {
  id: string;
  family: string;
  status: string;
  folds: string;
  score: string;
  finished_seconds: string;
}

function leaderboard(out: string, run: string): LeaderboardRow[] {
  return parse(readFileSync(join(out, 'experiments', 'runs', run, 'leaderboard.csv'), 'utf8'), {
    columns: true,
  }) as LeaderboardRow[];
}

describe('the live view during a search, on a terminal', () => {
  it(
    'prints each result as it finishes (not in candidate order) and redraws the bar on a timer while the net trains',
    async () => {
      const out = join(dir, 'tty');
      // Seven candidates: each family's defaults, the neural net (#4) among them, on two threads.
      const r = await runCommand(
        process.execPath,
        [
          '--import',
          pathToFileURL(fakeTty).href,
          CLI_MAIN,
          'run',
          '--target',
          'cool_cond_y',
          '--max-models',
          '7',
          '--seed',
          '42',
          '--threads',
          '2',
          '--out-dir',
          out,
        ],
        { timeoutMs: LONG },
      );
      expect(r.code, r.stderr).toBe(0);
      const seen = events(r.stderr);
      const results = seen.flatMap((e) => ('result' in e ? [e.result] : []));
      const rows = leaderboard(out, 'cool_cond_y-hydraulic');

      // Every candidate once, with its number, family, score and what became of it.
      expect(results.map((p) => p.id).sort((a, b) => a - b)).toEqual(rows.map((row) => Number(row.id)));
      for (const p of results) {
        const row = rows.find((x) => Number(x.id) === p.id)!;
        expect(p.family).toBe(row.family);
        expect(p.rest.startsWith(Number(row.score).toFixed(5)), p.line).toBe(true);
        if (row.status !== 'scored') expect(p.rest, p.line).toContain(`(${row.status} after ${row.folds}`);
      }
      expect(results.filter((p) => p.rest.endsWith('(best so far)')).length).toBeGreaterThanOrEqual(1);
      expect(results.some((p) => p.family === 'mlp')).toBe(true);

      // In the order they finished: the stamps never go back, and a fully scored candidate's is
      // the time its last fold ended (its leaderboard `finished`, on the search's clock) plus the
      // same offset (when the search began), to the stamp's 0.1 s. A candidate dropped after its
      // first fold is known when the others of its batch have had theirs: later, never earlier.
      const stamps = results.map((p) => p.stamp);
      expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
      const offset = (p: Printed): number =>
        p.stamp - Number(rows.find((x) => Number(x.id) === p.id)!.finished_seconds);
      const scored = results.filter((p) => rows.find((x) => Number(x.id) === p.id)!.status === 'scored');
      const offsets = scored.map(offset);
      expect(scored.length).toBeGreaterThanOrEqual(5);
      expect(Math.max(...offsets) - Math.min(...offsets), JSON.stringify(offsets)).toBeLessThanOrEqual(0.2);
      for (const p of results) expect(offset(p), p.line).toBeGreaterThanOrEqual(Math.min(...offsets) - 0.1);

      // The bar: redrawn by a timer (every 250 ms) with the time since the start, so its clock
      // moves between results too: at least one new clock a second, over the search and over
      // its longest wait for a result (the net's folds).
      const bars = seen.flatMap((e) => ('bar' in e ? [e] : []));
      const clocks = (from: number, to: number): number =>
        new Set(bars.filter((b) => b.clock > from && b.clock < to).map((b) => b.clock)).size;
      const first = bars[0]!.clock;
      const last = stamps[stamps.length - 1]!;
      expect(clocks(first - 0.1, last), `${bars.length} draws`).toBeGreaterThanOrEqual(Math.floor(last - first));
      let wait = { from: first, to: stamps[0]! };
      for (let i = 1; i < stamps.length; i++)
        if (stamps[i]! - stamps[i - 1]! > wait.to - wait.from) wait = { from: stamps[i - 1]!, to: stamps[i]! };
      expect(clocks(wait.from, wait.to), JSON.stringify(wait)).toBeGreaterThanOrEqual(Math.floor(wait.to - wait.from));
      // The count of candidates on the bar follows the results.
      expect(Math.max(...bars.map((b) => b.done))).toBe(rows.length);

      // Then the bar gives way to a line, and everything fits 80 columns.
      expect(r.stderr).toMatch(/ s {2}search over \(7 candidates\); finishing the pipeline/);
      for (const b of bars) expect(displayWidth(b.bar), b.bar).toBeLessThan(80);
      for (const p of results) expect(displayWidth(p.line), p.line).toBeLessThan(80);
      // The cursor hidden by the bar is shown again.
      expect(r.stderr.lastIndexOf('\u001b[?25h')).toBeGreaterThan(r.stderr.lastIndexOf('\u001b[?25l'));
    },
    LONG,
  );

  it(
    'with --no-progress on a terminal, and on one thread (in a worker): nothing but the result lines',
    async () => {
      const out = join(dir, 'no-progress');
      const r = await runCommand(
        process.execPath,
        [
          '--import',
          pathToFileURL(fakeTty).href,
          CLI_MAIN,
          'run',
          '--target',
          'stable_y',
          '--max-models',
          '4',
          '--seed',
          '7',
          '--threads',
          '1',
          '--no-progress',
          '--out-dir',
          out,
        ],
        { timeoutMs: LONG },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('\u001b[');
      expect(r.stderr).not.toContain('search [');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toBe('automl run: the embedded hydraulic data, target stable_y, 4 models');
      const rest = lines.slice(1);
      expect(
        rest.every((l) => RESULT.test(l)),
        rest.join('\n'),
      ).toBe(true);
      const rows = leaderboard(out, 'stable_y-hydraulic');
      expect(rest.map((l) => Number(RESULT.exec(l)![2])).sort((a, b) => a - b)).toEqual(rows.map((x) => Number(x.id)));
      // One thread: the jobs run one after another, so they finish in candidate order.
      expect(rest.map((l) => Number(RESULT.exec(l)![2]))).toEqual(rows.map((x) => Number(x.id)));
      expect(r.stdout).toMatch(/on\s+1\s+thread\b/);
    },
    LONG,
  );
});

describe("the search's reports to a live view", () => {
  it(
    'one per candidate, as its leaderboard entry says, between a start and an end; the results unchanged',
    async () => {
      const d = await hydraulicSplit(
        { readCsv, embeddedDataPath, inferTarget, holdoutSplit, labelColumns },
        'valve_cond_y',
      );
      // Ten candidates on 3 folds: the defaults, then batches of variations with successive halving.
      const settings: SearchSettings = {
        seed: 42,
        metric: 'logloss',
        validation: 3,
        maxModels: 10,
        interpretability: 5,
        families: ['gbdt', 'glm'],
      };
      const events: string[] = [];
      const reported: CandidateResult[] = [];
      const viewed = await searchProgress.run(
        {
          onStart: () => events.push('start'),
          onResult: (r) => {
            events.push(`#${r.id}`);
            reported.push(r);
          },
          onEnd: () => events.push('end'),
        },
        () => search(d.train, d.task, d.features, settings),
      );
      const plain = await search(d.train, d.task, d.features, settings);
      expect(viewed.leaderboard).toEqual(
        plain.leaderboard.map((e) => ({
          ...e,
          started: expect.any(Number),
          finished: expect.any(Number),
          seconds: expect.any(Number),
        })),
      );
      expect(viewed.best.entry.id).toBe(plain.best.entry.id);

      expect(events[0]).toBe('start');
      expect(events[events.length - 1]).toBe('end');
      expect(reported.map((r) => r.id).sort((a, b) => a - b)).toEqual(viewed.leaderboard.map((e) => e.id));
      for (const r of reported) {
        const e = viewed.leaderboard.find((x) => x.id === r.id)!;
        expect([r.family, r.status, r.score, r.folds, r.plannedFolds]).toEqual([
          e.family,
          e.status,
          e.score,
          e.folds,
          e.plannedFolds,
        ]);
      }
      expect(reported.some((r) => r.status === 'halved')).toBe(true);
      // "Best so far" in the order reported: each at least as good as the one before; the last is the winner.
      const bests = reported.filter((r) => r.best);
      for (let i = 1; i < bests.length; i++) expect(bests[i]!.score).toBeLessThanOrEqual(bests[i - 1]!.score);
      expect(bests[bests.length - 1]!.id).toBe(viewed.best.entry.id);
      // Known in time order.
      expect(reported.map((r) => r.at)).toEqual(reported.map((r) => r.at).sort((a, b) => a - b));
    },
    LONG,
  );
});

describe('the live view fits the terminal', () => {
  const base: CandidateResult = {
    id: 0,
    family: 'gbdt',
    status: 'scored',
    score: 0.00102,
    folds: 3,
    plannedFolds: 3,
    cutFolds: 0,
    seconds: 1.5,
    at: 2,
    best: true,
  };

  it('result lines: each status, the longest family, four-digit numbers and long errors, within the width', () => {
    expect(resultLine(base, 4.6, 80)).toBe('     4.6 s  #0   gbdt          0.00102  (best so far)');
    expect(resultLine({ ...base, id: 12, best: false }, 9.25, 80)).toBe('     9.3 s  #12  gbdt          0.00102');
    expect(resultLine({ ...base, status: 'halved', folds: 1, best: false }, 9, 80)).toBe(
      '     9.0 s  #0   gbdt          0.00102  (halved after 1 of 3 folds)',
    );
    expect(resultLine({ ...base, status: 'stopped', folds: 2, plannedFolds: 5, best: false }, 9, 80)).toContain(
      '(stopped after 2 of 5 folds)',
    );
    // A fit its deadline stopped before its rounds (trees, epochs) were done: said, as it scores
    // worse than its family would.
    const cut = { ...base, id: 5, family: 'extra_trees' as const, score: 0.83091, folds: 1, plannedFolds: 1 };
    expect(resultLine({ ...cut, cutFolds: 1, best: false }, 21.3, 80)).toBe(
      '    21.3 s  #5   extra_trees   0.83091  (cut by its deadline)',
    );
    expect(resultLine({ ...cut, cutFolds: 1 }, 21.3, 80)).toBe(
      '    21.3 s  #5   extra_trees   0.83091  (best so far; cut by its deadline)',
    );
    const failed = resultLine(
      { ...base, status: 'failed', score: Number.NaN, error: `mlp: training diverged\n${'x'.repeat(200)}` },
      12,
      80,
    );
    expect(failed.startsWith('    12.0 s  #0   gbdt          failed: mlp: training diverged x')).toBe(true);
    expect(failed.endsWith('…')).toBe(true);
    for (const width of [40, 60, 80])
      for (const r of [
        { ...base, id: 4321, family: 'random_forest' as const, score: 123456.789012 },
        { ...base, status: 'stopped' as const, id: 9999, family: 'extra_trees' as const, folds: 4, plannedFolds: 5 },
      ])
        expect(displayWidth(resultLine(r, 5119.96, width))).toBeLessThan(width);
  });

  it('the bar, drawn with its widest values (the clock, the counts, the best so far), at 40 to 120 columns', () => {
    for (const [total, unit] of [
      [20, 's'],
      [5120, 's'],
      [8, 'models'],
      [1000, 'models'],
    ] as const)
      for (const width of [40, 60, 80, 120]) {
        const { format, barsize } = progressLayout(total, unit, width);
        const line = format
          .replace('{bar}', '█'.repeat(barsize))
          .replace('{value}', unit === 's' ? (total - 0.1).toFixed(1) : String(total))
          .replace('{total}', String(total))
          .replace('{candidates}', '9999')
          .replace('{clock}', '99999.9')
          .replace('{best}', 'x'.repeat(PROGRESS_BEST_WIDTH));
        expect(displayWidth(line), `${total} ${unit} at ${width}: ${line}`).toBeLessThan(width);
        expect(barsize).toBeGreaterThanOrEqual(5);
        if (width >= 80) expect(format).toContain('{best}');
        // Counting models, the clock is shown whenever there is room: the bar then moves with time.
        if (unit === 'models' && width >= 60) expect(format).toContain('{clock}');
      }
  });
});
