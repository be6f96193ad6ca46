import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/artifact/scorer.js';
import { REPO_ROOT, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LONG = 120_000;

describe('automl run', () => {
  it(
    'runs a bounded experiment on the embedded data and writes the pipeline and the experiment folder',
    async () => {
      const out = join(dir, 'a');
      const r = await runCli(['run', '--target', 'cool_cond_y', '--max-models', '4', '--out-dir', out, '--json'], {
        timeoutMs: LONG,
      });
      expect(r.code, r.stderr).toBe(0);
      const res = JSON.parse(r.stdout) as {
        status: string;
        rows: { train: number; test: number };
        dropped: { column: string; reason: string }[];
        search: { candidates: number; stoppedBy: string };
        test: { logloss: number; accuracy: number };
        pipelinePath: string;
        experimentDir: string;
      };
      expect(res.status).toBe('finished');
      expect(res.rows).toEqual({ train: 1654, test: 551, droppedMissingTarget: 0 });
      expect(res.dropped.map((d) => d.column)).toEqual(['valve_cond_y', 'pump_leak_y', 'acc_gas_leak_y', 'stable_y']);
      expect(res.dropped[0]!.reason).toBe('another label of the hydraulic recipe');
      expect(res.search).toMatchObject({ candidates: 4, stoppedBy: 'max-models' });
      expect(res.test.logloss).toBeLessThan(0.08);
      expect(res.test.accuracy).toBeGreaterThan(0.98);
      expect(res.pipelinePath).toBe(join(out, 'pipelines', 'cool_cond_y-hydraulic.pipeline.json'));
      const scorer = loadPipeline(res.pipelinePath);
      expect(scorer.outputNames).toEqual(['cool_cond_y.3', 'cool_cond_y.20', 'cool_cond_y.100']);
      expect(scorer.fields.map((f) => f.name)).not.toContain('valve_cond_y');
      // Multiclass: no decision thresholds.
      expect(scorer.thresholds).toBeNull();
      expect(Object.keys(JSON.parse(readFileSync(res.pipelinePath, 'utf8')) as object)).not.toContain('thresholds');
      const exp = res.experimentDir;
      for (const f of ['experiment.json', 'leaderboard.csv', 'test-predictions.csv', 'run.log'])
        expect(existsSync(join(exp, f)), f).toBe(true);
      expect(readFileSync(join(exp, 'leaderboard.csv'), 'utf8').trim().split('\n')).toHaveLength(5);
      const preds = readFileSync(join(exp, 'test-predictions.csv'), 'utf8').trim().split('\n');
      expect(preds[0]).toBe('line,cool_cond_y,cool_cond_y.3,cool_cond_y.20,cool_cond_y.100,cool_cond_y.predicted');
      expect(preds).toHaveLength(552);
    },
    LONG,
  );

  it(
    'with --max-models and a seed: the same pipeline twice, apart from id, times and checksum',
    async () => {
      const strip = (path: string): unknown => {
        const o = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
        delete o['pipelineId'];
        delete o['checksum'];
        const p = o['provenance'] as Record<string, unknown>;
        delete p['fittedAt'];
        delete p['exportedAt'];
        return o;
      };
      const paths: string[] = [];
      for (const d of ['b1', 'b2']) {
        const r = await runCli(
          ['run', '--target', 'stable_y', '--max-models', '3', '--seed', '7', '--out-dir', join(dir, d), '--quiet'],
          { timeoutMs: LONG },
        );
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe('');
        paths.push(join(dir, d, 'pipelines', 'stable_y-hydraulic.pipeline.json'));
      }
      expect(strip(paths[1]!)).toEqual(strip(paths[0]!));
      // Binary: the out-of-fold thresholds of the second class, the same in both runs.
      const t = loadPipeline(paths[0]!).thresholds;
      expect(t?.positiveClass).toBe('1');
      for (const v of [t!.f1, t!.mcc]) expect(v > 0 && v < 1, String(v)).toBe(true);
    },
    LONG,
  );

  it(
    'reads a committed experiment file, with flags overriding it',
    async () => {
      const r = await runCli(
        [
          'run',
          join(REPO_ROOT, 'experiments', 'hydraulic-pump-leak.json'),
          '--max-models',
          '2',
          '--out-dir',
          join(dir, 'c'),
          '--json',
        ],
        { timeoutMs: LONG },
      );
      expect(r.code, r.stderr).toBe(0);
      const res = JSON.parse(r.stdout) as {
        settings: { name: string; target: string; time: number };
        search: { candidates: number };
      };
      expect(res.settings).toMatchObject({ name: 'hydraulic-pump-leak', target: 'pump_leak_y', time: 5 });
      expect(res.search.candidates).toBe(2);
      expect(existsSync(join(dir, 'c', 'pipelines', 'hydraulic-pump-leak.pipeline.json'))).toBe(true);
    },
    LONG,
  );

  it(
    'ends bad input with a clear message and exit code 2',
    async () => {
      const csv = (name: string, text: string): string => {
        const p = join(dir, name);
        writeFileSync(p, text);
        return p;
      };
      const rows = Array.from({ length: 40 }, (_, i) => `${i},${i % 3},x${i % 2}`);
      const good = csv('good.csv', `a,b,y\n${rows.join('\n')}\n`);
      const cases: [string[], RegExp][] = [
        [['run', '--target', 'nope', '--max-models', '1'], /no column 'nope'/],
        [
          [
            'run',
            '--data',
            csv('one.csv', `a,y\n${rows.map((_, i) => `${i},k`).join('\n')}\n`),
            '--target',
            'y',
            '--max-models',
            '1',
          ],
          /has only one class/,
        ],
        [
          [
            'run',
            '--data',
            csv('empty-target.csv', `a,y\n${rows.map((_, i) => `${i},`).join('\n')}\n`),
            '--target',
            'y',
            '--max-models',
            '1',
          ],
          /missing in every row/,
        ],
        [
          ['run', '--data', good, '--target', 'y', '--drop', 'a,b', '--max-models', '1'],
          /no features are left after dropping a, b/,
        ],
        [
          ['run', '--train', good, '--test', csv('other.csv', 'a,c,y\n1,2,x0\n'), '--target', 'y', '--max-models', '1'],
          /the test file lacks columns of the training file: b/,
        ],
        [['run', '--target', 'cool_cond_y', '--time', '11'], /--time must be a whole number from 1 to 10/],
        [['run', '--target', 'cool_cond_y', '--scorer', 'speed'], /--scorer speed is not a metric/],
        [['run', join(dir, 'missing.json')], /no such experiment file/],
      ];
      for (const [args, message] of cases) {
        const r = await runCli([...args, '--out-dir', join(dir, 'bad')], { timeoutMs: LONG });
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    },
    LONG,
  );
});

describe('automl run: the experiment record', () => {
  it(
    'says running, then finished with times and the data file hashes; a run that fails after it started says failed, with the error',
    async () => {
      const { createHash } = await import('node:crypto');
      const ok = join(dir, 'record-ok');
      const r = await runCli(['run', '--target', 'stable_y', '--max-models', '1', '--out-dir', ok, '--quiet'], {
        timeoutMs: LONG,
      });
      expect(r.code, r.stderr).toBe(0);
      const rec = JSON.parse(
        readFileSync(join(ok, 'experiments', 'runs', 'stable_y-hydraulic', 'experiment.json'), 'utf8'),
      ) as Record<string, unknown>;
      const embedded = join(REPO_ROOT, 'recipes', 'hydraulic', 'hydraulic.csv');
      expect(rec['status']).toBe('finished');
      expect(rec['data']).toEqual({
        train: { path: embedded, sha256: createHash('sha256').update(readFileSync(embedded)).digest('hex') },
        test: null,
      });
      expect(Date.parse(rec['finishedAt'] as string)).toBeGreaterThanOrEqual(Date.parse(rec['startedAt'] as string));

      // A file where the pipelines folder should be: the search runs, the export cannot.
      const bad = join(dir, 'record-failed');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(bad, { recursive: true });
      writeFileSync(join(bad, 'pipelines'), 'not a folder');
      const f = await runCli(['run', '--target', 'stable_y', '--max-models', '1', '--out-dir', bad], {
        timeoutMs: LONG,
      });
      expect(f.code).toBe(2);
      const message = `cannot write ${join(bad, 'pipelines', 'stable_y-hydraulic.pipeline.json')} (at ${join(bad, 'pipelines')}): a file is in the way where a folder is needed; move it or choose another --out-dir (EEXIST)`;
      expect(f.stderr.trimEnd().split('\n').at(-1)).toBe(`automl: error: ${message}`);
      expect(f.stderr).not.toMatch(/\n\s+at /);
      const failed = JSON.parse(
        readFileSync(join(bad, 'experiments', 'runs', 'stable_y-hydraulic', 'experiment.json'), 'utf8'),
      ) as Record<string, unknown>;
      expect(failed['status']).toBe('failed');
      expect(failed['error']).toEqual({ message, code: 'WRITE_FAILED' });
      expect(readFileSync(join(bad, 'experiments', 'runs', 'stable_y-hydraulic', 'run.log'), 'utf8')).toContain(
        `failed: ${message}`,
      );
    },
    LONG,
  );
});

describe('automl run: Ctrl-C', () => {
  it(
    'finishes the best pipeline found so far, marked interrupted, and it loads',
    async () => {
      const { spawn } = await import('node:child_process');
      const { CLI_MAIN, childEnv } = await import('./run-cli.js');
      const out = join(dir, 'interrupted');
      const child = spawn(
        process.execPath,
        [CLI_MAIN, 'run', '--target', 'valve_cond_y', '--max-models', '200', '--out-dir', out, '--json'],
        {
          env: childEnv(),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      let sent = false;
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // After the first candidate has been scored, press Ctrl-C once.
        if (!sent && stderr.includes('(best so far)')) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, stderr).toBe(130);
      expect(stderr).toContain('stopping the search');
      const res = JSON.parse(stdout) as {
        status: string;
        search: { candidates: number; stoppedBy: string };
        pipelinePath: string;
      };
      expect(res.status).toBe('interrupted');
      expect(res.search.stoppedBy).toBe('interrupted');
      expect(res.search.candidates).toBeLessThan(200);
      expect(loadPipeline(res.pipelinePath).outputNames).toEqual([
        'valve_cond_y.73',
        'valve_cond_y.80',
        'valve_cond_y.90',
        'valve_cond_y.100',
      ]);
      const experiment = JSON.parse(
        readFileSync(join(out, 'experiments', 'runs', 'valve_cond_y-hydraulic', 'experiment.json'), 'utf8'),
      ) as { status: string };
      expect(experiment.status).toBe('interrupted');
    },
    LONG,
  );
});
