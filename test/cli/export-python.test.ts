/**
 * `automl export python`, spawned as a user runs it: a folder with the Python runtime
 * (pipelines/runtimes/python/automl_scorer.py) and the pipeline beside it. The exported folder is
 * then run with `python3` (the one on PATH: the standard library only) on rows of the hydraulic
 * data, and its CSV must be `automl score`'s for the same file: the same columns, the same labels,
 * probabilities within 1e-9. Every committed example pipeline over the hydraulic columns is
 * exported. Then bad input: exit 2, and nothing written.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/artifact/scorer.js';
import { pythonRuntimePath } from '../../src/cli/export.js';
import { HYDRAULIC_CSV, REPO_ROOT, runCli, runCommand } from './run-cli.js';

const EXAMPLES = join(REPO_ROOT, 'pipelines', 'examples');
/** The committed examples whose inputs are columns of the hydraulic data set. */
const PIPELINES = ['gbdt', 'glm', 'mlp', 'random-forest', 'ensemble', 'steps'];
const pipelinePath = (name: string): string => join(EXAMPLES, `${name}.pipeline.json`);

let dir = '';
let csv = '';

/** A CSV's header and rows (the files compared here have no quoted fields). */
function readCsv(text: string): { header: string[]; rows: string[][] } {
  const lines = text.trimEnd().split(/\r?\n/);
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

/** Two scored CSVs agree: the same columns and rows; numbers within 1e-9, other cells equal. */
function expectSameScores(python: string, node: string): void {
  const a = readCsv(python);
  const b = readCsv(node);
  expect(a.header).toEqual(b.header);
  expect(a.rows.length).toBe(b.rows.length);
  a.rows.forEach((row, i) => {
    expect(row.length, `row ${i + 1}`).toBe(b.header.length);
    row.forEach((cell, k) => {
      const other = b.rows[i]![k]!;
      const x = Number(cell);
      const y = Number(other);
      if (cell !== '' && other !== '' && Number.isFinite(x) && Number.isFinite(y))
        expect(Math.abs(x - y), `row ${i + 1}, ${b.header[k]}: ${cell} vs ${other}`).toBeLessThanOrEqual(1e-9);
      else expect(cell, `row ${i + 1}, ${b.header[k]}`).toBe(other);
    });
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'automl-export-python-'));
  // Every 73rd row of the data set (all three cooler classes), and one with a missing value.
  const lines = readFileSync(HYDRAULIC_CSV, 'utf8').trimEnd().split('\n');
  const rows = lines.slice(1).filter((_, i) => i % 73 === 0);
  const missing = rows[0]!.split(',');
  missing[0] = '';
  csv = join(dir, 'rows.csv');
  writeFileSync(csv, [lines[0], ...rows, missing.join(',')].join('\n') + '\n');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('automl export python: the folder', () => {
  it('writes automl_scorer.py and pipeline.json side by side, byte for byte, and prints how to run it', async () => {
    const out = join(dir, 'gbdt-py');
    const r = await runCli(['export', 'python', '--pipeline', pipelinePath('gbdt'), '--out', 'gbdt-py'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['automl_scorer.py', 'pipeline.json']);
    expect(readFileSync(join(out, 'automl_scorer.py')).equals(readFileSync(pythonRuntimePath()))).toBe(true);
    expect(readFileSync(join(out, 'pipeline.json')).equals(readFileSync(pipelinePath('gbdt')))).toBe(true);
    const id = loadPipeline(pipelinePath('gbdt')).file.pipelineId;
    expect(r.stdout).toBe(
      [
        'automl export python: wrote automl_scorer.py and pipeline.json in gbdt-py',
        `  for hydraulic-cool_cond_y-gbdt (${id})`,
        'Score a CSV with it (Python 3, standard library only):',
        '  python3 gbdt-py/automl_scorer.py gbdt-py/pipeline.json data.csv',
        '',
      ].join('\n'),
    );
  });

  it('--json prints the result; exporting again gives the same bytes', async () => {
    const r = await runCli(['export', 'python', '--pipeline', pipelinePath('gbdt'), '--out', 'gbdt-py', '--json'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      dir: 'gbdt-py',
      files: {
        'automl_scorer.py': readFileSync(pythonRuntimePath()).length,
        'pipeline.json': readFileSync(pipelinePath('gbdt')).length,
      },
      name: 'hydraulic-cool_cond_y-gbdt',
      pipelineId: loadPipeline(pipelinePath('gbdt')).file.pipelineId,
      command: ['python3', join('gbdt-py', 'automl_scorer.py'), join('gbdt-py', 'pipeline.json'), 'data.csv'],
    });
    expect(readdirSync(join(dir, 'gbdt-py')).sort()).toEqual(['automl_scorer.py', 'pipeline.json']);
    expect(readFileSync(join(dir, 'gbdt-py', 'automl_scorer.py')).equals(readFileSync(pythonRuntimePath()))).toBe(true);
  });
});

describe('automl export python: the exported scorer agrees with automl score', () => {
  it.each(PIPELINES)(
    '%s: python3 DIR/automl_scorer.py DIR/pipeline.json rows.csv is automl score, within 1e-9',
    async (name) => {
      const out = join(dir, 'agree', name);
      const exported = await runCli(['export', 'python', '--pipeline', pipelinePath(name), '--out', out, '--quiet']);
      expect(exported.code, exported.stderr).toBe(0);
      const node = await runCli(['score', '--pipeline', pipelinePath(name), '--data', csv]);
      expect(node.code, node.stderr).toBe(0);
      // Elsewhere than the repository, as a user runs it: python3 on PATH, the standard library only.
      const py = await runCommand('python3', [join(out, 'automl_scorer.py'), join(out, 'pipeline.json'), csv], {
        cwd: dir,
        timeoutMs: 60_000,
      });
      expect(py.code, py.stderr).toBe(0);
      expect(readCsv(py.stdout).rows.length).toBe(readCsv(readFileSync(csv, 'utf8')).rows.length);
      expectSameScores(py.stdout, node.stdout);
    },
    60_000,
  );

  it('--keep copies the column first, as automl score does', async () => {
    const out = join(dir, 'keep');
    const exported = await runCli(['export', 'python', '--pipeline', pipelinePath('gbdt'), '--out', out, '--quiet']);
    expect(exported.code, exported.stderr).toBe(0);
    const node = await runCli(['score', '--pipeline', pipelinePath('gbdt'), '--data', csv, '--keep', 'cool_cond_y']);
    expect(node.code, node.stderr).toBe(0);
    const py = await runCommand(
      'python3',
      [join(out, 'automl_scorer.py'), join(out, 'pipeline.json'), csv, '--keep', 'cool_cond_y'],
      { cwd: dir, timeoutMs: 60_000 },
    );
    expect(py.code, py.stderr).toBe(0);
    expect(readCsv(py.stdout).header[0]).toBe('cool_cond_y');
    expectSameScores(py.stdout, node.stdout);
  }, 60_000);
});

describe('automl export python: bad input writes nothing', () => {
  /** Runs the export in a folder of its own (holding `files`): exit 2, and the folder as it was. */
  async function failing(args: string[], files: string[] = []): Promise<string> {
    const folder = mkdtempSync(join(dir, 'bad-'));
    for (const f of files) writeFileSync(join(folder, f), 'x');
    const r = await runCli(['export', 'python', ...args], { cwd: folder });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(readdirSync(folder).sort()).toEqual([...files].sort());
    return r.stderr;
  }

  it('a missing pipeline file: exit 2 naming it, no folder', async () => {
    expect(await failing(['--pipeline', 'nope.pipeline.json', '--out', 'py'])).toBe(
      'automl: error: pipeline file nope.pipeline.json: no such file; give --pipeline the path of a pipeline file (automl run writes them to pipelines/)\n',
    );
  });

  it('an edited pipeline (checksum broken): exit 2, the loader saying so', async () => {
    const damaged = join(dir, 'damaged.pipeline.json');
    const file = JSON.parse(readFileSync(pipelinePath('gbdt'), 'utf8')) as Record<string, unknown>;
    writeFileSync(damaged, JSON.stringify({ ...file, name: 'edited by hand' }, null, 2));
    expect(await failing(['--pipeline', damaged, '--out', 'py'])).toMatch(
      /^automl: error: \S+damaged\.pipeline\.json was changed after it was exported: .*\(no Python scorer was written\)\n$/,
    );
  });

  it('--out naming a file: exit 2 saying so', async () => {
    expect(await failing(['--pipeline', pipelinePath('gbdt'), '--out', 'py'], ['py'])).toBe(
      'automl: error: --out py: a file is in the way; give a folder for the Python scorer (it is created if need be)\n',
    );
  });

  it('missing options: exit 2 with the usage hint; automl export --help lists python', async () => {
    const r = await runCli(['export', 'python', '--out', 'py'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Missing required argument: pipeline/);
    const help = await runCli(['export', 'python', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n').filter((l) => [...l].length > 80)).toEqual([]);
    expect((await runCli(['export', '--help'])).stdout).toMatch(/^\s*automl export python\s+A folder/m);
  });
});
