/**
 * README "Exit codes": a test per row of the table, on the built binary (dist/), with signals
 * sent by PID to the real process once it has reached a known point (a line on stderr, a file
 * appearing), never after a fixed sleep.
 *
 *   0    finished; `automl serve` stopped by SIGTERM / SIGINT after answering a request in flight
 *   1    an internal error (a broken installation: a module of the package is missing)
 *   2    a user's mistake, for every command
 *   130  `automl run` / `automl score` interrupted by SIGINT (once, twice 0.3 s apart, thrice)
 *   143  the same by SIGTERM
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutomlError } from '../../src/util/errors.js';
import { errorReport, EXIT, signalExitCode } from '../../src/cli/exit.js';
import { RunFiles } from '../../src/search/run-files.js';
import { CLI_MAIN, HYDRAULIC_CSV, REPO_ROOT, childEnv } from './run-cli.js';

type ScorerModule = typeof import('../../src/artifact/scorer.js');

const LONG = 180_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Child {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<Exit>;
}

let dir = '';
const children = new Set<ChildProcess>();

/**
 * `automl <args>` (the built binary, or `main` of another copy) in a child process, stdout and
 * stderr piped; standard input too with `stdin: 'pipe'` (held open until the test ends it).
 */
function start(
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; main?: string; stdin?: 'pipe' } = {},
): Child {
  const child = spawn(process.execPath, [opts.main ?? CLI_MAIN, ...args], {
    cwd: opts.cwd ?? dir,
    env: childEnv(opts.env),
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString('utf8')));
  // 'close': the exit code and every byte of output.
  const exit = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), LONG - 10_000);
  void exit.then(() => clearTimeout(timer));
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Runs `automl <args>` to its end. */
async function cli(
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; main?: string } = {},
): Promise<Exit & { stdout: string; stderr: string }> {
  const c = start(args, opts);
  const exit = await c.exit;
  return { ...exit, stdout: c.stdout(), stderr: c.stderr() };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 20 ms until it holds; fails after `ms` naming what it waited for. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Every file under a folder, recursively (relative paths). */
function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(root, f)).isFile());
}

/** The built scorer (the code the binary runs). */
function scorerModule(): Promise<ScorerModule> {
  return import(pathToFileURL(join(REPO_ROOT, 'dist', 'src', 'artifact', 'scorer.js')).href) as Promise<ScorerModule>;
}

interface Experiment {
  status: string;
  interruptedBy?: string;
  error?: { message: string; code?: string };
  search?: { stoppedBy: string };
}

function experimentOf(out: string, name: string): Experiment {
  return JSON.parse(readFileSync(join(out, 'experiments', 'runs', name, 'experiment.json'), 'utf8')) as Experiment;
}

/** A run long enough to be interrupted (a 30 s budget), with its own output folder. */
function interruptibleRun(label: string): { run: Child; out: string; name: string } {
  const out = mkdtempSync(join(dir, `${label}-`));
  const run = start(['run', '--target', 'valve_cond_y', '--max-runtime', '30', '--json', '--out-dir', out]);
  return { run, out, name: 'valve_cond_y-hydraulic' };
}

/** Waits for the run's first scored candidate: the search is under way. */
function searching(c: Child): Promise<void> {
  return until(() => c.stderr().includes('(best so far)'), 120_000, `the first scored candidate: ${c.stderr()}`);
}

/** The finished run of beforeAll: exit 0 and a pipeline the other rows score and serve. */
let finished: Exit & { stdout: string; stderr: string };
let pipeline = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'automl-exit-'));
  finished = await cli(['run', '--target', 'cool_cond_y', '--max-models', '2', '--json']);
  pipeline = join(dir, 'pipelines', 'cool_cond_y-hydraulic.pipeline.json');
}, LONG);

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('exit code 0: finished', () => {
  it('automl run that ends by itself: 0, status finished', () => {
    expect(finished.code, finished.stderr).toBe(0);
    const res = JSON.parse(finished.stdout) as { status: string; search: { stoppedBy: string } };
    expect(res.status).toBe('finished');
    expect(res.search.stoppedBy).toBe('max-models');
    expect(experimentOf(dir, 'cool_cond_y-hydraulic').status).toBe('finished');
    expect(existsSync(pipeline)).toBe(true);
  });

  it('automl serve stopped by SIGTERM answers the request in flight, then exits 0', async () => {
    const s = start(['serve', '--pipeline', pipeline, '--port', '0']);
    await until(() => /listening on http:\/\/[^:]+:(\d+)/.test(s.stdout()), 30_000, 'the listening line');
    const port = Number(/listening on http:\/\/[^:]+:(\d+)/.exec(s.stdout())![1]);
    const fields = (JSON.parse(readFileSync(pipeline, 'utf8')) as { inputs: { name: string }[] }).inputs.map(
      (f) => f.name,
    );
    const [head, ...lines] = readFileSync(HYDRAULIC_CSV, 'utf8').trim().split('\n');
    const names = head!.split(',');
    const rows = lines.map((l) => {
      const cells = l.split(',');
      return fields.map((f) => cells[names.indexOf(f)]!);
    });
    const body = JSON.stringify({ fields, rows });
    // The request goes with Expect: 100-continue: the server's "100 Continue" says it has the
    // request in hand. Then SIGTERM; the body is sent only once the server says it is stopping.
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/model/score',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            expect: '100-continue',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (b: Buffer) => chunks.push(b));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('continue', () => {
        process.kill(s.child.pid!, 'SIGTERM');
        until(() => s.stderr().includes('SIGTERM: finishing requests in flight'), 10_000, 'the stopping line').then(
          () => req.end(body),
          reject,
        );
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    const res = await answered;
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect((JSON.parse(res.text) as { score: unknown[] }).score).toHaveLength(rows.length);
    expect(await s.exit).toEqual({ code: 0, signal: null });
    expect(s.stderr()).toContain('automl serve: stopped');
  }, 60_000);

  it('automl serve stopped by SIGINT: 0', async () => {
    const s = start(['serve', '--pipeline', pipeline, '--port', '0']);
    await until(() => s.stdout().includes('listening on'), 30_000, 'the listening line');
    process.kill(s.child.pid!, 'SIGINT');
    expect(await s.exit).toEqual({ code: 0, signal: null });
    expect(s.stderr()).toContain('SIGINT: finishing requests in flight');
  }, 60_000);
});

describe("exit code 2: a user's mistake, for every command", () => {
  const cases: [string, string[], string][] = [
    [
      'run',
      ['run', '--target', 'cool_cond_y', '--time', 'abc'],
      "--time must be a whole number from 1 to 10; got 'abc'",
    ],
    ['run (no such target)', ['run', '--target', 'nope', '--max-models', '1'], "no column 'nope'"],
    ['score', ['score', '--pipeline', 'nope.json', '--data', 'x.csv', '--threads', 'abc'], '--threads'],
    ['serve', ['serve', '--pipeline', 'nope.json', '--port', '70000'], '--port must be a whole number from 0 to 65535'],
    ['split', ['split', '--target', 'cool_cond_y', '--ratio', 'abc'], '--ratio must be a number between 0 and 1'],
    ['describe', ['describe', '--data', 'nope.csv'], 'nope.csv: no such file'],
    ['recipe', ['recipe', 'hydraulic', '--source', 'nope.zip'], 'nope.zip: no such file'],
    ['report', ['report', 'nope'], "no run 'nope'"],
    ['list', ['list', '--limit', '3'], 'Unknown argument: limit'],
    ['export', ['export', 'lambda', '--pipeline', 'nope.json', '--out', 'x.tar'], '.zip'],
  ];
  it.each(cases)('%s: exit 2, one message, no stack trace', async (_name, args, message) => {
    const r = await cli(args);
    expect(r.code, r.stderr).toBe(EXIT.mistake);
    // The message is one line of its own, `automl: …` (after the run's first note, for run).
    const line = r.stderr.split('\n').find((l) => l.includes(message));
    expect(line?.startsWith('automl: '), r.stderr).toBe(true);
    expect(r.stderr).not.toContain('    at ');
    expect(r.stderr).not.toContain('internal error');
    expect(r.stdout).toBe('');
  });
});

describe('exit code 2: a bad AUTOML_GBDT_KERNEL', () => {
  it('automl run refuses it before it starts, naming the variable and its values', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'automl-kernel-'));
    const r = await cli(['run', '--target', 'cool_cond_y', '--max-models', '1'], {
      env: { AUTOML_GBDT_KERNEL: 'simd' },
    });
    expect(r.code, r.stderr).toBe(EXIT.mistake);
    expect(r.stderr).toContain("automl: error: AUTOML_GBDT_KERNEL must be 'wasm' or 'ts', got 'simd'");
    expect(r.stderr).not.toContain('    at ');
    expect(readdirSync(cwd)).toEqual([]);
  }, 60_000);
});

describe('exit codes 130 / 143: automl run interrupted', () => {
  it(
    'one SIGINT: the best pipeline so far is written, status interrupted, exit 130',
    async () => {
      const { run, out, name } = interruptibleRun('sigint');
      await searching(run);
      process.kill(run.child.pid!, 'SIGINT');
      const exit = await run.exit;
      expect(exit, run.stderr()).toEqual({ code: 130, signal: null });
      expect(run.stderr()).toContain('automl: SIGINT: stopping the search');
      const res = JSON.parse(run.stdout()) as { status: string; interruptedBy: string; pipelinePath: string };
      expect(res.status).toBe('interrupted');
      expect(res.interruptedBy).toBe('SIGINT');
      const experiment = experimentOf(out, name);
      expect(experiment.status).toBe('interrupted');
      expect(experiment.interruptedBy).toBe('SIGINT');
      const { loadPipeline } = await scorerModule();
      expect(loadPipeline(res.pipelinePath).outputNames).toEqual([
        'valve_cond_y.73',
        'valve_cond_y.80',
        'valve_cond_y.90',
        'valve_cond_y.100',
      ]);
      const log = readFileSync(join(out, 'experiments', 'runs', name, 'run.log'), 'utf8');
      expect(log).toMatch(/interrupted \(SIGINT\): .*the pipeline is the best found by then/);
      expect(filesUnder(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    },
    LONG,
  );

  it(
    'one SIGTERM (kill PID): the same, exit 143',
    async () => {
      const { run, out, name } = interruptibleRun('sigterm');
      await searching(run);
      process.kill(run.child.pid!, 'SIGTERM');
      const exit = await run.exit;
      expect(exit, run.stderr()).toEqual({ code: 143, signal: null });
      const experiment = experimentOf(out, name);
      expect(experiment.status).toBe('interrupted');
      expect(experiment.interruptedBy).toBe('SIGTERM');
      expect(existsSync(join(out, 'pipelines', `${name}.pipeline.json`))).toBe(true);
      expect(existsSync(join(out, 'experiments', 'runs', name, 'run.log'))).toBe(true);
    },
    LONG,
  );

  it(
    'two SIGINTs 0.3 s apart: exit 130, experiment.json interrupted, run.log written, no file half-written',
    async () => {
      const { run, out, name } = interruptibleRun('twice');
      await searching(run);
      process.kill(run.child.pid!, 'SIGINT');
      await sleep(300);
      // On a quiet machine the first interrupt can finish the run within 0.3 s: then there is no
      // second one to send, and the run must have ended as after one.
      const sentTwice = run.child.exitCode === null && run.child.signalCode === null;
      if (sentTwice) process.kill(run.child.pid!, 'SIGINT');
      const exit = await run.exit;
      // A later signal can land while the process is already exiting with 130, after Node has
      // closed its signal handlers: the shell then sees it killed by SIGINT, status 130 alike.
      expect(
        [exit.code === 130 && exit.signal === null, exit.code === null && exit.signal === 'SIGINT'],
        run.stderr(),
      ).toContain(true);
      const experiment = experimentOf(out, name);
      expect(experiment.status).toBe('interrupted');
      expect(experiment.interruptedBy).toBe('SIGINT');
      const runDir = join(out, 'experiments', 'runs', name);
      const log = readFileSync(join(runDir, 'run.log'), 'utf8');
      const pipelineFile = join(out, 'pipelines', `${name}.pipeline.json`);
      if (experiment.error) {
        // The second interrupt was seen before the pipeline was finished: none is written, the
        // candidates so far are in leaderboard.csv, and the reason is in the log and on stderr.
        // (A second signal that lands while the finished run is exiting is not seen: no note then.)
        expect(sentTwice).toBe(true);
        expect(run.stderr()).toContain('automl: SIGINT again: skipping what is left');
        expect(experiment.error.code).toBe('INTERRUPTED');
        expect(experiment.error.message).toMatch(/^interrupted again \(SIGINT\) before .*: no pipeline was written/);
        expect(existsSync(pipelineFile)).toBe(false);
        expect(readFileSync(join(runDir, 'leaderboard.csv'), 'utf8').split('\n')[0]).toMatch(/^id,family,/);
        expect(log).toContain('interrupted: interrupted again (SIGINT)');
        expect(run.stderr()).toContain('automl: error: interrupted again (SIGINT)');
      } else {
        // Seen only once the pipeline was finished: it is complete.
        const { loadPipeline } = await scorerModule();
        expect(loadPipeline(pipelineFile).file.target).toBe('valve_cond_y');
        expect(log).toMatch(/interrupted \(SIGINT\)/);
      }
      expect(filesUnder(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    },
    LONG,
  );

  it(
    'three interrupts: quits at once, still 130 by the first signal, status and run.log written',
    async () => {
      const { run, out, name } = interruptibleRun('thrice');
      await searching(run);
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGINT'] as const) {
        // The run may already have ended between two signals (a quick finish): none to send then.
        if (run.child.exitCode !== null || run.child.signalCode !== null) break;
        process.kill(run.child.pid!, signal);
        await sleep(30);
      }
      const exit = await run.exit;
      // A later signal can land while the process is already exiting with 130, after Node has
      // closed its signal handlers: the shell then sees it killed by SIGINT, status 130 alike.
      expect(
        [exit.code === 130 && exit.signal === null, exit.code === null && exit.signal === 'SIGINT'],
        run.stderr(),
      ).toContain(true);
      const experiment = experimentOf(out, name);
      expect(experiment.status).toBe('interrupted');
      expect(experiment.interruptedBy).toBe('SIGINT');
      expect(readFileSync(join(out, 'experiments', 'runs', name, 'run.log'), 'utf8')).toMatch(/^interrupted: /m);
      expect(filesUnder(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    },
    LONG,
  );
});

describe('exit codes 130 / 143: automl score interrupted', () => {
  let big = '';
  beforeAll(() => {
    // About 40 MB: the hydraulic rows over and over, long enough to be interrupted mid-way.
    const [head, ...lines] = readFileSync(HYDRAULIC_CSV, 'utf8').trim().split('\n');
    const block = `${lines.join('\n')}\n`;
    big = join(dir, 'big.csv');
    writeFileSync(big, `${head}\n${block.repeat(60)}`);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s while writing --out: exit %i, neither the output nor its temporary file is left',
    async (signal, code) => {
      const out = join(dir, `scores-${signal}`);
      mkdirSync(out);
      const s = start(['score', '--pipeline', pipeline, '--data', big, '--out', join(out, 'scores.csv')]);
      // The known point: the output's temporary file has its first bytes.
      await until(
        () => readdirSync(out).some((f) => f.endsWith('.tmp') && statSync(join(out, f)).size > 0),
        60_000,
        'the temporary output file',
      );
      process.kill(s.child.pid!, signal);
      expect(await s.exit, s.stderr()).toEqual({ code, signal: null });
      expect(s.stderr()).toMatch(
        new RegExp(`interrupted \\(${signal}\\) after \\d+ rows; .*scores\\.csv was not written`),
      );
      expect(readdirSync(out)).toEqual([]);
    },
    120_000,
  );
});

describe('exit codes 130 / 143: automl score --data - while standard input stays open', () => {
  /**
   * `automl score --data - --out` fed by a process that keeps the pipe open: rows enough for the
   * output's first bytes, then nothing more and no end. The scoring waits for input that does
   * not come; an interrupt must still end it at once.
   */
  async function waitingOnStdin(label: string): Promise<{ s: Child; out: string }> {
    const out = join(dir, `held-${label}`);
    mkdirSync(out);
    const s = start(['score', '--pipeline', pipeline, '--data', '-', '--out', join(out, 'scores.csv')], {
      stdin: 'pipe',
    });
    // What is still in the pipe when automl exits cannot be written: EPIPE, as expected.
    s.child.stdin!.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
    const [head, ...lines] = readFileSync(HYDRAULIC_CSV, 'utf8').trim().split('\n');
    // About 20,000 rows (several chunks of 8,192): some are scored and written while the rest wait.
    s.child.stdin!.write(`${head}\n${`${lines.join('\n')}\n`.repeat(10)}`);
    await until(
      () => readdirSync(out).some((f) => f.endsWith('.tmp') && statSync(join(out, f)).size > 0),
      60_000,
      `the temporary output's first bytes: ${s.stderr()}`,
    );
    return { s, out };
  }

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s: exit %i at once, the temporary output removed, standard input still open',
    async (signal, code) => {
      const { s, out } = await waitingOnStdin(signal);
      const sent = Date.now();
      process.kill(s.child.pid!, signal);
      expect(await s.exit, s.stderr()).toEqual({ code, signal: null });
      expect(Date.now() - sent).toBeLessThan(10_000);
      expect(s.child.stdin!.writableEnded).toBe(false);
      expect(s.stderr()).toMatch(
        new RegExp(`automl: error: interrupted \\(${signal}\\) after \\d+ rows; .*scores\\.csv was not written`),
      );
      expect(readdirSync(out)).toEqual([]);
    },
    120_000,
  );

  it('a second signal right after the first: the exit code by the first seen, no temporary file left', async () => {
    const { s, out } = await waitingOnStdin('twice');
    process.kill(s.child.pid!, 'SIGINT');
    process.kill(s.child.pid!, 'SIGTERM');
    const exit = await s.exit;
    // Sent back to back, the two may reach the process in either order (the kernel hands each
    // to any of its threads): the first one seen decides, 130 for SIGINT, 143 for SIGTERM.
    const said =
      /automl: (SIGINT|SIGTERM) again: stopping now; .*scores\.csv was not written/.exec(s.stderr()) ??
      /interrupted \((SIGINT|SIGTERM)\) after \d+ rows/.exec(s.stderr());
    expect(said, s.stderr()).not.toBeNull();
    // "X again" names the second signal; "interrupted (X)" the first (the second came too late).
    const first = said![0].includes('again') ? (said![1] === 'SIGINT' ? 'SIGTERM' : 'SIGINT') : said![1];
    expect(exit, s.stderr()).toEqual({ code: first === 'SIGINT' ? 130 : 143, signal: null });
    expect(readdirSync(out)).toEqual([]);
  }, 120_000);
});

describe('exit code 1: an internal error', () => {
  /**
   * A genuine one, without a test hook: a broken installation, a copy of the package with one of
   * its modules missing. `automl describe` cannot load its command: not the user's mistake.
   */
  let brokenMain = '';
  beforeAll(() => {
    const pkg = join(dir, 'broken');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    cpSync(join(REPO_ROOT, 'dist', 'src'), join(pkg, 'dist', 'src'), { recursive: true });
    cpSync(join(REPO_ROOT, 'dist', 'recipes'), join(pkg, 'dist', 'recipes'), { recursive: true });
    cpSync(join(REPO_ROOT, 'package.json'), join(pkg, 'package.json'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(pkg, 'node_modules'));
    rmSync(join(pkg, 'dist', 'src', 'cli', 'describe.js'));
    brokenMain = join(pkg, 'dist', 'src', 'cli', 'main.js');
  });

  it('exits 1 with a message asking for a bug report; the stack trace only with AUTOML_DEBUG=1', async () => {
    const r = await cli(['describe'], { main: brokenMain });
    expect(r.code, r.stderr).toBe(EXIT.internalError);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/^automl: internal error: Cannot find module '.*describe\.js'/);
    expect(lines[1]).toBe('This is a bug in automl 0.1.0, not a mistake of yours: please report it,');
    expect(lines[2]).toBe('with the command you ran and the stack trace (AUTOML_DEBUG=1 prints it).');
    expect(r.stderr).not.toContain('    at ');
    expect(r.stdout).toBe('');

    const debug = await cli(['describe'], { main: brokenMain, env: { AUTOML_DEBUG: '1' } });
    expect(debug.code).toBe(EXIT.internalError);
    expect(debug.stderr).toContain('the stack trace (below).');
    expect(debug.stderr).toMatch(/\n {4}at /);
    // The same installation runs a command whose modules are all there.
    const ok = await cli(['--version'], { main: brokenMain });
    expect(ok.code).toBe(0);
  }, 60_000);
});

describe('errorReport (the function main.ts ends every failed command with)', () => {
  it('maps each kind of error to its code and text', () => {
    expect(errorReport(new AutomlError('BAD_OPTION', '--time must be …'))).toEqual({
      code: 2,
      text: 'automl: error: --time must be …\n',
    });
    expect(errorReport(new AutomlError('INTERRUPTED', 'interrupted'), { signal: 'SIGTERM' }).code).toBe(143);
    expect(errorReport(new AutomlError('INTERRUPTED', 'interrupted'), { signal: null }).code).toBe(130);
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    const quiet = errorReport(bug, { version: '9.9.9' });
    expect(quiet.code).toBe(1);
    expect(quiet.text).toBe(
      [
        "automl: internal error: Cannot read properties of undefined (reading 'x')",
        'This is a bug in automl 9.9.9, not a mistake of yours: please report it,',
        'with the command you ran and the stack trace (AUTOML_DEBUG=1 prints it).',
        '',
      ].join('\n'),
    );
    const loud = errorReport(bug, { debug: true });
    expect(loud.text).toContain(bug.stack!);
    for (const line of quiet.text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect([signalExitCode('SIGINT'), signalExitCode('SIGTERM')]).toEqual([130, 143]);
  });
});

describe('RunFiles: what a failed or interrupted run leaves', () => {
  it('an internal error: experiment.json says failed, run.log ends with the message and the stack', async () => {
    const files = new RunFiles(join(dir, 'unit-fail'), 'r');
    await files.start({ target: 'y' }, { train: null, test: null });
    files.logLines.push('    0.0s  target y');
    const bug = new TypeError('x is not a function');
    await files.fail(bug);
    const experiment = JSON.parse(readFileSync(join(files.dir, 'experiment.json'), 'utf8')) as Experiment;
    expect(experiment.status).toBe('failed');
    expect(experiment.error).toEqual({ message: 'x is not a function' });
    const log = readFileSync(join(files.dir, 'run.log'), 'utf8');
    expect(log).toBe(`    0.0s  target y\nfailed: x is not a function\n${bug.stack!}\n`);
  });

  it('a last interrupt writes experiment.json (interrupted, with the signal) and run.log at once', async () => {
    const files = new RunFiles(join(dir, 'unit-now'), 'r');
    files.interruptNow('quit', 'SIGINT'); // not started: nothing to write
    expect(existsSync(files.dir)).toBe(false);
    await files.start({ target: 'y' }, { train: null, test: null });
    files.logLines.push('    0.0s  target y');
    files.interruptNow('quit at once on a third interrupt (SIGINT)', 'SIGTERM');
    const experiment = JSON.parse(readFileSync(join(files.dir, 'experiment.json'), 'utf8')) as Experiment;
    expect(experiment.status).toBe('interrupted');
    expect(experiment.interruptedBy).toBe('SIGTERM');
    expect(experiment.error).toEqual({ message: 'quit at once on a third interrupt (SIGINT)', code: 'INTERRUPTED' });
    expect(readFileSync(join(files.dir, 'run.log'), 'utf8')).toBe(
      '    0.0s  target y\ninterrupted: quit at once on a third interrupt (SIGINT)\n',
    );
    expect(readdirSync(files.dir).sort()).toEqual(['experiment.json', 'run.log']);
  });
});
