/**
 * `automl list` and `automl report` as a user runs them: the built binary in a child process (not
 * a terminal, so 80 columns and no colour), over a working folder holding a run made by `automl
 * run` itself, a binary run, a damaged run and a folder that is not a run. What `automl run`
 * printed fits 80 columns and is what `automl report` prints first.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { progressLayout } from '../../src/cli/run.js';
import { displayWidth, fmt } from '../../src/report/text.js';
import { binaryRun, damagedRun, fixtureRoot, fixtureRunsDir, notARunDir, type FixtureRun } from '../report/fixture.js';
import { runCli, type CliResult } from './run-cli.js';

const LONG = 180_000;

let root: string;
let printed: CliResult;
let stable: FixtureRun;
const RUN = 'cool-cli';

function experimentJson(name: string): { test: Record<string, number>; validation: Record<string, number> } {
  return JSON.parse(readFileSync(join(fixtureRunsDir(), name, 'experiment.json'), 'utf8')) as {
    test: Record<string, number>;
    validation: Record<string, number>;
  };
}

function expectFits(text: string, width = 80): void {
  const over = text.split('\n').filter((l) => displayWidth(l) > width);
  expect(over, `lines wider than ${width}:\n${over.join('\n')}`).toEqual([]);
}

beforeAll(async () => {
  root = fixtureRoot();
  stable = await binaryRun();
  printed = await runCli(
    ['run', '--target', 'cool_cond_y', '--max-models', '4', '--out-dir', root, '--name', RUN, '--no-progress'],
    { timeoutMs: LONG },
  );
  expect(printed.code, printed.stderr).toBe(0);
  // Made after the runs, so that they are the newest folders; the newest readable run is cool-cli.
  damagedRun(stable, 'damaged-run');
  notARunDir('notes');
}, LONG);

describe('automl run prints its dashboard within 80 columns', () => {
  it('every line fits, and the scores are those of experiment.json', () => {
    expectFits(printed.stdout);
    const json = experimentJson(RUN);
    const logloss = printed.stdout.split('\n').find((l) => l.startsWith('logloss'))!;
    expect(logloss.split(/ +/).slice(1)).toEqual([fmt(json.validation['logloss']!), fmt(json.test['logloss']!)]);
  });
});

describe("automl run's progress bar fits the terminal", () => {
  it('at 40 to 120 columns, with the largest counts and the longest best-so-far text', () => {
    for (const [total, unit] of [
      [40, 's'],
      [5120, 's'],
      [4, 'models'],
      [1000, 'models'],
    ] as const)
      for (const width of [40, 60, 80, 120]) {
        const { format, barsize } = progressLayout(total, unit, width);
        const line = format
          .replace('{bar}', '#'.repeat(barsize))
          .replace('{value}', String(total))
          .replace('{total}', String(total))
          .replace('{candidates}', String(Math.max(9999, total)))
          .replace('{best}', 'x'.repeat(24));
        expect(displayWidth(line), `${total} ${unit} at ${width}: ${line}`).toBeLessThan(width);
        if (width >= 80) expect(format).toContain('{best}');
      }
  });
});

describe('automl list', () => {
  it('lists the runs newest first within 80 columns, damaged and non-run folders as such', async () => {
    const r = await runCli(['list', '--dir', root]);
    expect(r.code, r.stderr).toBe(0);
    expectFits(r.stdout);
    expect(r.stdout).not.toContain('\u001b[');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^run +status +validation +test +winner$/);
    const json = experimentJson(RUN);
    const row = lines.find((l) => l.startsWith(`${RUN} `))!;
    expect(row.split(/ +/).slice(1, 4)).toEqual([
      'finished',
      String(Number(json.validation['logloss']!.toPrecision(4))),
      String(Number(json.test['logloss']!.toPrecision(4))),
    ]);
    expect(lines[lines.indexOf(row) + 1]).toMatch(
      /^ {2}cool_cond_y \(multiclass\) · logloss · \d+\.\d s · \d{4}-\d\d-\d\d \d\d:\d\d$/,
    );
    expect(r.stdout).toMatch(/^damaged-run +damaged/m);
    expect(r.stdout).toMatch(/^ {2}experiment\.json is damaged: not JSON/m);
    expect(r.stdout).toMatch(/^notes +not a run/m);

    const j = await runCli(['list', '--dir', root, '--json']);
    expect(j.code, j.stderr).toBe(0);
    const runs = JSON.parse(j.stdout) as { name: string; status: string; date: string; test: number | null }[];
    const dates = runs.map((x) => Date.parse(x.date));
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    expect(runs.find((x) => x.name === RUN)).toMatchObject({ status: 'finished', test: json.test['logloss'] });
    expect(runs.find((x) => x.name === 'stable-report')).toMatchObject({ status: 'finished' });
    expect(runs.find((x) => x.name === 'notes')).toMatchObject({ status: 'not a run' });
  });

  it('a folder without runs says so', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty, { recursive: true });
    const r = await runCli(['list', '--dir', empty]);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toBe(
      `no runs in ${join(empty, 'experiments', 'runs')}; make one with automl run `,
    );
  });
});

describe('automl report', () => {
  it('the newest run in the terminal: the dashboard automl run printed, then the rest, within 80 columns', async () => {
    const r = await runCli(['report', '--dir', root]);
    expect(r.code, r.stderr).toBe(0);
    expectFits(r.stdout);
    expect(r.stdout.startsWith(printed.stdout)).toBe(true);
    for (const heading of [
      'leaderboard: top 4 of 4 by logloss',
      'checks',
      'confusion matrix on the test rows',
      'per class on the test rows',
    ])
      expect(r.stdout).toContain(`\n${heading}`);
    const json = experimentJson(RUN);
    expect(r.stdout).toContain(`MCC ${fmt(json.test['mcc']!)}`);
  });

  it('by name, a binary run: the best-threshold view', async () => {
    const r = await runCli(['report', stable.name, '--dir', root]);
    expect(r.code, r.stderr).toBe(0);
    expectFits(r.stdout);
    expect(r.stdout).toMatch(/^test rows at the best thresholds on p\('1'\), chosen out of fold$/m);
    // A run folder's path works as well as its name.
    const byPath = await runCli(['report', stable.dir]);
    expect(byPath.stdout).toBe(r.stdout);
  });

  it('a damaged run reports what exists; an unknown name or a non-run folder is a user mistake (exit 2)', async () => {
    const damaged = await runCli(['report', 'damaged-run', '--dir', root]);
    expect(damaged.code, damaged.stderr).toBe(0);
    expect(damaged.stdout).toMatch(/^Run damaged-run is DAMAGED/);
    expect(damaged.stdout).toContain('experiment.json is damaged: not JSON');
    expectFits(damaged.stdout);

    const unknown = await runCli(['report', 'no-such-run', '--dir', root]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`automl: error: no run 'no-such-run' in ${fixtureRunsDir()}`);
    expect(unknown.stderr).toMatch(/the runs there: .*cool-cli/);

    const notes = await runCli(['report', 'notes', '--dir', root]);
    expect(notes.code).toBe(2);
    expect(notes.stderr).toContain(`${join(fixtureRunsDir(), 'notes')} is not a run folder`);

    const none = await runCli(['report', '--dir', join(root, 'empty-2')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`no runs in ${join(root, 'empty-2', 'experiments', 'runs')}`);

    const badFormat = await runCli(['report', '--format', 'pdf', '--dir', root]);
    expect(badFormat.code).toBe(2);
  });

  it('--out writes the terminal report to a file; --open uses the platform opener, and its absence is no failure', async () => {
    const file = join(root, 'out', 'report.txt');
    const bin = join(root, 'bin');
    mkdirSync(bin, { recursive: true });
    const opened = join(root, 'opened.txt');
    const opener = join(bin, 'xdg-open');
    writeFileSync(opener, `#!/bin/sh\necho "$1" > '${opened}'\n`);
    chmodSync(opener, 0o755);
    const r = await runCli(['report', RUN, '--dir', root, '--out', file, '--open'], {
      env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${file}\n`);
    const text = readFileSync(file, 'utf8');
    expectFits(text);
    expect(text).toContain(`Experiment ${RUN}: FINISHED`);
    if (process.platform === 'linux') {
      expect(readFileSync(opened, 'utf8').trim()).toBe(file);
      // No opener at all: a note, exit 0.
      const none = await runCli(['report', RUN, '--dir', root, '--out', file, '--open'], {
        env: { PATH: join(root, 'no-bin') },
      });
      expect(none.code, none.stderr).toBe(0);
      expect(none.stderr).toContain(`cannot open it (no xdg-open on this system); open ${file} yourself`);
    }
  });

  it('--format html writes <run dir>/report.html; --format markdown the Markdown; --all an index and a page per run', async () => {
    const html = await runCli(['report', RUN, '--dir', root, '--format', 'html'], { timeoutMs: 60_000 });
    expect(html.code, html.stderr).toBe(0);
    const page = join(fixtureRunsDir(), RUN, 'report.html');
    expect(html.stdout).toBe(`${page}\n`);
    expect(statSync(page).size).toBeGreaterThan(1000);

    const md = join(root, 'md', 'report.md');
    const markdown = await runCli(['report', RUN, '--dir', root, '--format', 'markdown', '--out', md], {
      timeoutMs: 60_000,
    });
    expect(markdown.code, markdown.stderr).toBe(0);
    expect(markdown.stdout).toBe(`${md}\n`);
    expect(readFileSync(md, 'utf8')).toContain(RUN);

    const all = join(root, 'all');
    const r = await runCli(['report', '--all', '--dir', root, '--out', all], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${join(all, 'index.html')}\n`);
    const index = readFileSync(join(all, 'index.html'), 'utf8');
    for (const name of [RUN, stable.name]) {
      expect(existsSync(join(all, `${name}.html`)), name).toBe(true);
      expect(index).toContain(`href="${name}.html"`);
    }
    expect(existsSync(join(all, 'notes.html'))).toBe(false);
  });
});
