/**
 * The `automl` command line as a user meets it: the built binary (dist/src/cli/main.js) runs in
 * a child process with piped stdio, and the tests read what it printed and what it wrote.
 * Expected values are computed here from the files themselves, not taken from the code.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HYDRAULIC_CSV, REPO_ROOT, runCli, type CliResult } from './run-cli.js';

// ---------------------------------------------------------------------------------------------
// The embedded data, read here with plain string splitting (the file has no quotes).

const HYDRAULIC_TEXT = readFileSync(HYDRAULIC_CSV, 'utf8');
const HYDRAULIC_LINES = HYDRAULIC_TEXT.split('\n');
if (HYDRAULIC_LINES.at(-1) === '') HYDRAULIC_LINES.pop();
const HEADER_LINE = HYDRAULIC_LINES[0]!;
const HEADER = HEADER_LINE.split(',');
const DATA_LINES = HYDRAULIC_LINES.slice(1);
const TARGET = 'cool_cond_y';
const TARGET_INDEX = HEADER.indexOf(TARGET);

function field(line: string, index: number): string {
  const f = line.split(',')[index];
  if (f === undefined) throw new Error(`line has no field ${index}: ${line}`);
  return f;
}

function columnValues(name: string): string[] {
  const i = HEADER.indexOf(name);
  if (i < 0) throw new Error(`no column ${name} in the test's own reading`);
  return DATA_LINES.map((l) => field(l, i));
}

/** Counts per distinct value, in order of first appearance. */
function countValues(values: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

const CLASS_COUNTS = countValues(columnValues(TARGET));

// ---------------------------------------------------------------------------------------------
// Helpers

const tmpRoot = mkdtempSync(join(tmpdir(), 'automl-cli-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

let dirNo = 0;
/** A fresh empty folder under the test's temp root. */
function freshDir(label: string): string {
  const d = join(tmpRoot, `${String(dirNo++).padStart(2, '0')}-${label}`);
  mkdirSync(d, { recursive: true });
  return d;
}

/** A fresh folder holding a copy of hydraulic.csv; returns the folder and the copy's path. */
function hydraulicCopy(label: string): { dir: string; data: string } {
  const dir = freshDir(label);
  const data = join(dir, 'hydraulic.csv');
  copyFileSync(HYDRAULIC_CSV, data);
  return { dir, data };
}

function writeCsv(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Lines of a file that ends with '\n', without the empty string after the last newline. */
function fileLines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

/**
 * Checks that `train` and `test` (data lines, header removed) partition `input`: every input
 * line lands in exactly one part, text identical, each part in the input's order.
 */
function expectOrderedPartition(input: readonly string[], train: readonly string[], test: readonly string[]): void {
  expect(train.length + test.length).toBe(input.length);
  let p = 0;
  let q = 0;
  for (const [i, line] of input.entries()) {
    if (p < train.length && train[p] === line) p++;
    else if (q < test.length && test[q] === line) q++;
    else throw new Error(`input data line ${i + 2} is not next in either part: ${line.slice(0, 80)}`);
  }
  expect(p).toBe(train.length);
  expect(q).toBe(test.length);
}

/** What every user-caused error looks like: exit 2, one clear line, no stack, nothing on stdout. */
function expectUserError(r: CliResult, ...mentions: string[]): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.startsWith('automl: error:'), r.stderr).toBe(true);
  expect(r.stderr).not.toContain('    at ');
  expect(r.stderr).not.toContain('internal error');
  for (const m of mentions) expect(r.stderr).toContain(m);
}

/** What a command-line usage error (from the option parser) looks like. */
function expectUsageError(r: CliResult, ...mentions: string[]): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.startsWith('automl: '), r.stderr).toBe(true);
  expect(r.stderr).not.toContain('    at ');
  for (const m of mentions) expect(r.stderr).toContain(m);
}

function json<T>(r: CliResult): T {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

interface ColumnJson {
  name: string;
  type: 'numeric' | 'categorical';
  missing: number;
  distinct: number;
  min?: number | null;
  mean?: number | null;
  max?: number | null;
  top?: { level: string; count: number }[];
}

interface DescribeJson {
  data: string;
  rows: number;
  sha256: string;
  columns: ColumnJson[];
  target?: { name: string; task: string; classes?: { label: string; count: number }[] };
}

interface SplitJson {
  data: string;
  target: string;
  task: string;
  stratified: boolean;
  ratio: number;
  seed: number;
  train: { path: string; rows: number; classes?: Record<string, number> };
  test: { path: string; rows: number; classes?: Record<string, number> };
}

function column(d: DescribeJson, name: string): ColumnJson {
  const c = d.columns.find((x) => x.name === name);
  if (!c) throw new Error(`describe --json has no column ${name}`);
  return c;
}

// ---------------------------------------------------------------------------------------------

describe('the embedded data, as this test reads it', () => {
  it('has 2205 rows of 22 columns and 732/732/741 rows of cool_cond_y 3/20/100', () => {
    expect(HEADER).toHaveLength(22);
    expect(DATA_LINES).toHaveLength(2205);
    expect(HYDRAULIC_TEXT).not.toContain('"');
    expect(HYDRAULIC_TEXT).not.toContain('\r');
    for (const line of DATA_LINES) expect(line.split(',')).toHaveLength(22);
    expect(new Set(DATA_LINES).size).toBe(DATA_LINES.length);
    expect(Object.fromEntries(CLASS_COUNTS)).toEqual({ '3': 732, '20': 732, '100': 741 });
  });
});

describe('automl --help, --version, usage errors', () => {
  it('--help lists the commands and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^\s*automl describe\s+Describe the columns/m);
    expect(r.stdout).toMatch(/^\s*automl split\s+Split a CSV file/m);
    expect(r.stdout).toMatch(/^\s*automl recipe <name>\s+Run a data recipe/m);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('split --help shows its options and examples', async () => {
    const r = await runCli(['split', '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Examples:');
    const examples = r.stdout.slice(r.stdout.indexOf('Examples:'));
    expect(examples.match(/automl split --data /g)).toHaveLength(4);
    expect(examples).toContain('75/25, stratified, seed 42');
    expect(examples).toContain('--ratio 0.8');
    expect(examples).toContain('--time-column date');
    for (const opt of [
      '--data',
      '--target',
      '--ratio',
      '--seed',
      '--stratify',
      '--out-train',
      '--out-test',
      '--out-dir',
      '--json',
      '--quiet',
    ]) {
      expect(r.stdout).toContain(opt);
    }
  });

  it('--version prints the version from package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
    expect(r.stderr).toBe('');
  });

  it('an unknown option is refused with exit 2, "Unknown argument" on stderr, nothing on stdout', async () => {
    const r = await runCli(['describe', '--bogus']);
    expectUsageError(r, 'Unknown argument: bogus');
    const cwd = freshDir('unknown-opt');
    const s = await runCli(['split', '--target', TARGET, '--bogus', '3'], { cwd });
    expectUsageError(s, 'Unknown argument: bogus');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a mistyped dashed option is reported once, as typed (not also in camelCase)', async () => {
    const cwd = freshDir('unknown-dashed');
    const r = await runCli(['split', '--target', TARGET, '--out-trian', 'x.csv'], { cwd });
    expectUsageError(r, 'Unknown argument: out-trian');
    expect(r.stderr).not.toContain('outTrian');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a closed stdout (automl describe | head) ends quietly, without a stack trace', async () => {
    const r = await runCli(['describe'], { closeStdout: true });
    expect(r.stderr).not.toContain('    at ');
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('no command is refused with exit 2', async () => {
    const r = await runCli([]);
    expectUsageError(r, 'Name a command');
  });

  it('an unknown command is refused with exit 2', async () => {
    const r = await runCli(['frobnicate']);
    expectUsageError(r, 'frobnicate');
  });

  it('split without --target is refused with exit 2 and names the option', async () => {
    const cwd = freshDir('no-target');
    const r = await runCli(['split'], { cwd });
    expectUsageError(r, 'target');
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('automl describe', () => {
  it('without --data describes the embedded hydraulic data, as a table', async () => {
    const r = await runCli(['describe'], { cwd: freshDir('describe-plain') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('the embedded hydraulic data: 2205 rows × 22 columns');
    for (const name of HEADER)
      expect(r.stdout).toMatch(new RegExp(`^${name}\\s+numeric\\s+(feature|label)\\s+0\\s+\\d+`, 'm'));
    // cool_cond_y: numeric, nothing missing, 3 distinct values, from 3 to 100.
    expect(r.stdout).toMatch(/^cool_cond_y\s+numeric\s+label\s+0\s+3\s+3\s+\S+\s+20\s+100\s/m);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('--json gives rows, columns and statistics that match the file', async () => {
    const d = json<DescribeJson>(await runCli(['describe', '--json']));
    expect(d.rows).toBe(2205);
    expect(d.columns.map((c) => c.name)).toEqual(HEADER);
    expect(d.data.endsWith(join('recipes', 'hydraulic', 'hydraulic.csv'))).toBe(true);
    expect(d.sha256).toBe(createHash('sha256').update(readFileSync(HYDRAULIC_CSV)).digest('hex'));
    expect(d.target).toBeUndefined();

    const psa = columnValues('psa_bar').map(Number);
    expect(psa.every(Number.isFinite)).toBe(true);
    const c = column(d, 'psa_bar');
    expect(c.type).toBe('numeric');
    expect(c.missing).toBe(0);
    expect(c.distinct).toBe(new Set(psa).size);
    expect(c.min).toBe(Math.min(...psa));
    expect(c.max).toBe(Math.max(...psa));
    expect(c.mean).toBeCloseTo(psa.reduce((a, b) => a + b, 0) / psa.length, 9);
    // A sanity anchor independent of the arithmetic above.
    expect(c.min).toBeGreaterThan(155);
    expect(c.max).toBeLessThan(181);

    const y = column(d, TARGET);
    expect(y.type).toBe('numeric');
    expect(y.distinct).toBe(3);
    expect(y.min).toBe(3);
    expect(y.max).toBe(100);
  });

  it('--target cool_cond_y --json reports a multiclass task with its classes and counts', async () => {
    const d = json<DescribeJson>(await runCli(['describe', '--target', TARGET, '--json']));
    expect(d.target?.name).toBe(TARGET);
    expect(d.target?.task).toBe('multiclass');
    expect(d.target?.classes).toEqual([
      { label: '3', count: CLASS_COUNTS.get('3') },
      { label: '20', count: CLASS_COUNTS.get('20') },
      { label: '100', count: CLASS_COUNTS.get('100') },
    ]);
    expect(d.target?.classes?.map((k) => k.count)).toEqual([732, 732, 741]);
  });

  it('--target in the text report names the task and the classes', async () => {
    const r = await runCli(['describe', '--target', 'stable_y']);
    expect(r.code, r.stderr).toBe(0);
    const stable = countValues(columnValues('stable_y'));
    expect(r.stdout).toContain(`target stable_y: binary, 2 classes: 0 (${stable.get('0')}), 1 (${stable.get('1')})`);
  });

  it('--type cool_cond_y=categorical reads it as categorical, with its top levels', async () => {
    const d = json<DescribeJson>(await runCli(['describe', '--type', `${TARGET}=categorical`, '--json']));
    const y = column(d, TARGET);
    expect(y.type).toBe('categorical');
    expect(y.missing).toBe(0);
    expect(y.distinct).toBe(3);
    // Most frequent first; ties in order of first appearance in the file.
    const firstSeen = [...CLASS_COUNTS.keys()];
    const expected = [...CLASS_COUNTS.entries()]
      .sort((a, b) => b[1] - a[1] || firstSeen.indexOf(a[0]) - firstSeen.indexOf(b[0]))
      .map(([level, count]) => ({ level, count }));
    expect(y.top).toEqual(expected);
    expect(y.top?.[0]).toEqual({ level: '100', count: 741 });
    // The other columns stay numeric.
    expect(column(d, 'psa_bar').type).toBe('numeric');

    const r = await runCli(['describe', '--type', `${TARGET}=categorical`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${TARGET}\\s+categorical\\s+label\\s+0\\s+3\\s+100 \\(741\\), `, 'm'));
  });

  it('--type a=b is refused with a message that says how to write it', async () => {
    const r = await runCli(['describe', '--type', 'a=b']);
    expectUserError(r, "--type 'a=b'", 'numeric', 'categorical');
    const s = await runCli(['describe', '--type', 'psa_bar']);
    expectUserError(s, "--type 'psa_bar'");
  });

  it('--type naming a column that does not exist is refused and lists the columns', async () => {
    const r = await runCli(['describe', '--type', 'no_such_col=categorical']);
    expectUserError(r, "no column 'no_such_col'", 'psa_bar', 'stable_y');
  });

  describe('--type as a comma list or a repeated option', () => {
    let dir: string;
    let data: string;
    beforeAll(() => {
      dir = freshDir('types');
      // a, b look numeric; c is text.
      data = writeCsv(dir, 'small.csv', 'a,b,c\n1,10,x\n2,20,y\n3,10,x\n4,30,z\n');
    });

    const types = (d: DescribeJson): string[] => d.columns.map((c) => `${c.name}:${c.type}`);

    it('reads the file with inferred types when no --type is given', async () => {
      const d = json<DescribeJson>(await runCli(['describe', '--data', data, '--json']));
      expect(types(d)).toEqual(['a:numeric', 'b:numeric', 'c:categorical']);
    });

    it('a comma list sets each type', async () => {
      const d = json<DescribeJson>(
        await runCli(['describe', '--data', data, '--type', 'a=numeric,b=categorical', '--json']),
      );
      expect(types(d)).toEqual(['a:numeric', 'b:categorical', 'c:categorical']);
      expect(column(d, 'b').top).toEqual([
        { level: '10', count: 2 },
        { level: '20', count: 1 },
        { level: '30', count: 1 },
      ]);
    });

    it('the repeated option sets each type, and options after it still parse', async () => {
      const d = json<DescribeJson>(
        await runCli(['describe', '--type', 'a=categorical', '--type', 'b=categorical', '--data', data, '--json']),
      );
      expect(types(d)).toEqual(['a:categorical', 'b:categorical', 'c:categorical']);
      expect(d.rows).toBe(4);
    });

    it('comma list and repetition combine', async () => {
      const d = json<DescribeJson>(
        await runCli([
          'describe',
          '--data',
          data,
          '--type',
          'a=categorical,b=categorical',
          '--type',
          'c=categorical',
          '--json',
        ]),
      );
      expect(types(d)).toEqual(['a:categorical', 'b:categorical', 'c:categorical']);
    });

    it('=numeric is applied: a text column forced numeric is refused at its file:line', async () => {
      const r = await runCli(['describe', '--data', data, '--type', 'a=numeric,c=numeric']);
      expectUserError(r, `${data}:2:`, "'c'", "'x'");
    });

    it('does not swallow a following word: a stray positional is an error, not a type', async () => {
      const r = await runCli(['describe', '--type', 'x=categorical', 'somethingelse']);
      expectUsageError(r, 'Unknown argument: somethingelse');
      const s = await runCli(['describe', '--data', data, '--type', 'a=categorical', 'b=categorical']);
      expectUsageError(s, 'Unknown argument: b=categorical');
    });
  });
});

describe('automl split (the hydraulic data)', () => {
  let dir: string;
  let data: string;
  let first: CliResult;
  let trainPath: string;
  let testPath: string;
  let trainBytes: Buffer;
  let testBytes: Buffer;

  beforeAll(async () => {
    ({ dir, data } = hydraulicCopy('split'));
    first = await runCli(['split', '--data', data, '--target', TARGET], { cwd: dir });
    trainPath = join(dir, 'hydraulic.train.csv');
    testPath = join(dir, 'hydraulic.test.csv');
    trainBytes = readFileSync(trainPath);
    testBytes = readFileSync(testPath);
  });

  it('exits 0 and writes hydraulic.train.csv and hydraulic.test.csv next to the input, nothing else', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    expect(readdirSync(dir).sort()).toEqual(['hydraulic.csv', 'hydraulic.test.csv', 'hydraulic.train.csv']);
    expect(first.stdout).toMatch(/train\s+1654 rows/);
    expect(first.stdout).toMatch(/test\s+551 rows/);
    expect(first.stdout).toContain('multiclass, stratified, ratio 0.75, seed 42');
    expect(first.stdout).not.toContain('\u001b[');
  });

  it('puts 1654 rows in train and 551 in test, each under the header, each file ending with a newline', () => {
    const train = fileLines(trainPath);
    const test = fileLines(testPath);
    expect(train[0]).toBe(HEADER_LINE);
    expect(test[0]).toBe(HEADER_LINE);
    expect(train).toHaveLength(1 + 1654);
    expect(test).toHaveLength(1 + 551);
    expect(trainBytes.at(-1)).toBe(0x0a);
    expect(testBytes.at(-1)).toBe(0x0a);
    expect(trainBytes.includes(0x0d)).toBe(false);
  });

  it('copies every input line exactly once, text identical, in the original order within each part', () => {
    expectOrderedPartition(DATA_LINES, fileLines(trainPath).slice(1), fileLines(testPath).slice(1));
  });

  it('stratifies: each class sends within one row of 75% of its rows to train', () => {
    const trainCounts = countValues(
      fileLines(trainPath)
        .slice(1)
        .map((l) => field(l, TARGET_INDEX)),
    );
    const testCounts = countValues(
      fileLines(testPath)
        .slice(1)
        .map((l) => field(l, TARGET_INDEX)),
    );
    for (const [label, total] of CLASS_COUNTS) {
      const tr = trainCounts.get(label) ?? 0;
      expect(tr + (testCounts.get(label) ?? 0)).toBe(total);
      expect(Math.abs(tr - 0.75 * total), `class ${label}`).toBeLessThan(1);
    }
    // 732 × 0.75 = 549 exactly; 741 × 0.75 = 555.75, and the total must be round(0.75 × 2205) = 1654.
    expect(Object.fromEntries(trainCounts)).toEqual({ '3': 549, '20': 549, '100': 556 });
  });

  it('the same seed gives byte-identical files', async () => {
    const again = freshDir('split-again');
    const r = await runCli(['split', '--data', data, '--target', TARGET, '--seed', '42', '--out-dir', again], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(again, 'hydraulic.train.csv')).equals(trainBytes)).toBe(true);
    expect(readFileSync(join(again, 'hydraulic.test.csv')).equals(testBytes)).toBe(true);
  });

  it('another seed gives a different split, still stratified and complete', async () => {
    const other = freshDir('split-seed7');
    const r = await runCli(['split', '--data', data, '--target', TARGET, '--seed', '7', '--out-dir', other], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('seed 7');
    const train = fileLines(join(other, 'hydraulic.train.csv'));
    const test = fileLines(join(other, 'hydraulic.test.csv'));
    expect(readFileSync(join(other, 'hydraulic.train.csv')).equals(trainBytes)).toBe(false);
    expect(train).toHaveLength(1655);
    expectOrderedPartition(DATA_LINES, train.slice(1), test.slice(1));
    const counts = countValues(train.slice(1).map((l) => field(l, TARGET_INDEX)));
    expect(Object.fromEntries(counts)).toEqual({ '3': 549, '20': 549, '100': 556 });
    // A different set of rows, not just a different order.
    const before = new Set(fileLines(trainPath).slice(1));
    const shared = train.slice(1).filter((l) => before.has(l)).length;
    expect(shared).toBeLessThan(1654);
  });

  it('--json reports the parts, their rows and their class counts, matching the files', async () => {
    const out = freshDir('split-json');
    const s = json<SplitJson>(
      await runCli(['split', '--data', data, '--target', TARGET, '--out-dir', out, '--json'], { cwd: dir }),
    );
    expect(s.task).toBe('multiclass');
    expect(s.stratified).toBe(true);
    expect(s.ratio).toBe(0.75);
    expect(s.seed).toBe(42);
    expect(s.target).toBe(TARGET);
    expect(s.train.rows).toBe(1654);
    expect(s.test.rows).toBe(551);
    expect(s.train.classes).toEqual({ '3': 549, '20': 549, '100': 556 });
    expect(s.test.classes).toEqual({ '3': 183, '20': 183, '100': 185 });
    expect(s.train.path).toBe(join(out, 'hydraulic.train.csv'));
    expect(s.test.path).toBe(join(out, 'hydraulic.test.csv'));
    expect(readFileSync(s.train.path).equals(trainBytes)).toBe(true);
    expect(readFileSync(s.test.path).equals(testBytes)).toBe(true);
  });

  it('--ratio 0.8 puts round(0.8 × 2205) = 1764 rows in train, each class within one row of 80%', async () => {
    const out = freshDir('split-ratio');
    const s = json<SplitJson>(
      await runCli(['split', '--data', data, '--target', TARGET, '--ratio', '0.8', '--out-dir', out, '--json'], {
        cwd: dir,
      }),
    );
    expect(s.ratio).toBe(0.8);
    expect(s.train.rows).toBe(1764);
    expect(s.test.rows).toBe(441);
    const train = fileLines(join(out, 'hydraulic.train.csv')).slice(1);
    const test = fileLines(join(out, 'hydraulic.test.csv')).slice(1);
    expect(train).toHaveLength(1764);
    expectOrderedPartition(DATA_LINES, train, test);
    const counts = countValues(train.map((l) => field(l, TARGET_INDEX)));
    for (const [label, total] of CLASS_COUNTS) {
      expect(Math.abs((counts.get(label) ?? 0) - 0.8 * total), `class ${label}`).toBeLessThan(1);
      expect(s.train.classes?.[label]).toBe(counts.get(label));
    }
  });

  it('--no-stratify makes a plain random split of the same size', async () => {
    const out = freshDir('split-nostrat');
    const s = json<SplitJson>(
      await runCli(['split', '--data', data, '--target', TARGET, '--no-stratify', '--out-dir', out, '--json'], {
        cwd: dir,
      }),
    );
    expect(s.stratified).toBe(false);
    expect(s.task).toBe('multiclass');
    expect(s.train.rows).toBe(1654);
    expect(s.test.rows).toBe(551);
    const train = fileLines(join(out, 'hydraulic.train.csv')).slice(1);
    const test = fileLines(join(out, 'hydraulic.test.csv')).slice(1);
    expectOrderedPartition(DATA_LINES, train, test);
    const counts = countValues(train.map((l) => field(l, TARGET_INDEX)));
    expect(s.train.classes).toEqual(Object.fromEntries(['3', '20', '100'].map((k) => [k, counts.get(k) ?? 0])));
    expect(readFileSync(join(out, 'hydraulic.train.csv')).equals(trainBytes)).toBe(false);
    const text = await runCli(['split', '--data', data, '--target', TARGET, '--no-stratify', '--out-dir', out], {
      cwd: dir,
    });
    expect(text.stdout).toContain('multiclass, random, ratio 0.75, seed 42');
  });

  it('--out-train and --out-test write exactly there (creating folders), not at the default names', async () => {
    const out = freshDir('split-outs');
    const tr = join(out, 'nested', 'deeper', 'tr.csv');
    const te = join(out, 'te.csv');
    const r = await runCli(['split', '--data', data, '--target', TARGET, '--out-train', tr, '--out-test', te], {
      cwd: out,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(tr).equals(trainBytes)).toBe(true);
    expect(readFileSync(te).equals(testBytes)).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['nested', 'te.csv']);
    expect(readdirSync(join(out, 'nested', 'deeper'))).toEqual(['tr.csv']);
    expect(r.stdout).toContain(tr);
    expect(r.stdout).toContain(te);
  });

  it('relative --out-train/--out-test are relative to the working folder', async () => {
    const cwd = freshDir('split-rel');
    const r = await runCli(
      ['split', '--data', data, '--target', TARGET, '--out-train', 'a.csv', '--out-test', 'sub/b.csv'],
      { cwd },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'a.csv')).equals(trainBytes)).toBe(true);
    expect(readFileSync(join(cwd, 'sub', 'b.csv')).equals(testBytes)).toBe(true);
  });

  it('--out-dir puts the default names in that folder (created if need be)', async () => {
    const cwd = freshDir('split-outdir');
    const r = await runCli(['split', '--data', data, '--target', TARGET, '--out-dir', 'parts/here'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(cwd, 'parts', 'here')).sort()).toEqual(['hydraulic.test.csv', 'hydraulic.train.csv']);
    expect(readFileSync(join(cwd, 'parts', 'here', 'hydraulic.train.csv')).equals(trainBytes)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['hydraulic.csv', 'hydraulic.test.csv', 'hydraulic.train.csv']);
  });

  it('--quiet prints nothing on stdout or stderr and still writes the files', async () => {
    const out = freshDir('split-quiet');
    const r = await runCli(['split', '--data', data, '--target', TARGET, '--out-dir', out, '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    expect(readFileSync(join(out, 'hydraulic.train.csv')).equals(trainBytes)).toBe(true);
    expect(readFileSync(join(out, 'hydraulic.test.csv')).equals(testBytes)).toBe(true);
  });

  it('without --data splits the embedded data into the working folder', async () => {
    const cwd = freshDir('split-embedded');
    const r = await runCli(['split', '--target', TARGET], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('the embedded hydraulic data');
    expect(readdirSync(cwd).sort()).toEqual(['hydraulic.test.csv', 'hydraulic.train.csv']);
    expect(fileLines(join(cwd, 'hydraulic.train.csv'))).toHaveLength(1655);
    expect(fileLines(join(cwd, 'hydraulic.test.csv'))).toHaveLength(552);
    // The same data and seed as the copy: the same parts.
    expect(readFileSync(join(cwd, 'hydraulic.train.csv')).equals(trainBytes)).toBe(true);
    expect(readFileSync(join(cwd, 'hydraulic.test.csv')).equals(testBytes)).toBe(true);
    // Nothing was written inside the package.
    expect(existsSync(join(REPO_ROOT, 'recipes', 'hydraulic', 'hydraulic.train.csv'))).toBe(false);
  });
});

describe('automl split keeps the text of each row as it is', () => {
  // Records as they stand in the file (CRLF line endings, quoted commas, newlines and quotes).
  const RECORDS = [
    '1,"Smith, Jane",x',
    '2,"two\r\nlines",y',
    '3,plain,x',
    '4,"say ""hi""",y',
    '5,"",x',
    '6,"a,b,c",y',
    '7," spaced ",x',
    '8,"three\r\nline\r\nfield",y',
    '9,nine,x',
    '10,"ten, again",y',
    '11,eleven,x',
    '12,"twelve\r\n",y',
    '13,thirteen,x',
    '14,fourteen,y',
    '15,"fifteen ""q""",x',
    '16,sixteen,y',
  ];
  const HEAD = 'id,"name, full",label';

  /** Takes the records of `text` (after the header) in input order; fails on anything else. */
  function recordsOf(text: string): string[] {
    expect(text.startsWith(`${HEAD}\r\n`)).toBe(true);
    let rest = text.slice(HEAD.length + 2);
    const got: string[] = [];
    for (const rec of RECORDS) {
      if (rest.startsWith(`${rec}\r\n`)) {
        got.push(rec);
        rest = rest.slice(rec.length + 2);
      }
    }
    expect(rest).toBe('');
    return got;
  }

  it('preserves CRLF endings and quoted fields with commas and line breaks verbatim', async () => {
    const dir = freshDir('crlf');
    const data = writeCsv(dir, 'quoted.csv', `${HEAD}\r\n${RECORDS.join('\r\n')}\r\n`);
    const s = json<SplitJson>(await runCli(['split', '--data', data, '--target', 'label', '--json'], { cwd: dir }));
    expect(s.task).toBe('binary');
    expect(s.train.rows).toBe(12);
    expect(s.test.rows).toBe(4);
    expect(s.train.classes).toEqual({ x: 6, y: 6 });
    expect(s.test.classes).toEqual({ x: 2, y: 2 });
    const train = recordsOf(readFileSync(join(dir, 'quoted.train.csv'), 'utf8'));
    const test = recordsOf(readFileSync(join(dir, 'quoted.test.csv'), 'utf8'));
    expect(train).toHaveLength(12);
    expect(test).toHaveLength(4);
    expect([...train, ...test].sort()).toEqual([...RECORDS].sort());
  });

  it('writes a newline after the last row even when the input has none', async () => {
    const dir = freshDir('no-final-newline');
    const data = writeCsv(dir, 'short.csv', 'k,v\na,1\nb,2\na,3\nb,4');
    const r = await runCli(['split', '--data', data, '--target', 'k', '--ratio', '0.5'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const train = readFileSync(join(dir, 'short.train.csv'), 'utf8');
    const test = readFileSync(join(dir, 'short.test.csv'), 'utf8');
    expect(train.endsWith('\n')).toBe(true);
    expect(test.endsWith('\n')).toBe(true);
    const lines = [...train.slice(0, -1).split('\n').slice(1), ...test.slice(0, -1).split('\n').slice(1)];
    expect(lines.sort()).toEqual(['a,1', 'a,3', 'b,2', 'b,4']);
    expect(train.split('\n')[0]).toBe('k,v');
  });

  it('keeps a semicolon-delimited file as it is (delimiter detected from the header)', async () => {
    const dir = freshDir('semicolon');
    const rows = ['1;"x;y";a', '2;3,5;b', '3;4;a', '4;5;b', '5;6;a', '6;7;b', '7;8;a', '8;9;b'];
    const data = writeCsv(dir, 'semi.csv', `n;v;y\n${rows.join('\n')}\n`);
    const s = json<SplitJson>(await runCli(['split', '--data', data, '--target', 'y', '--json'], { cwd: dir }));
    expect(s.task).toBe('binary');
    expect(s.train.classes).toEqual({ a: 3, b: 3 });
    const train = fileLines(join(dir, 'semi.train.csv'));
    const test = fileLines(join(dir, 'semi.test.csv'));
    expect(train[0]).toBe('n;v;y');
    expectOrderedPartition(rows, train.slice(1), test.slice(1));
  });

  it('a regression target (many distinct floats) gets a plain random split of round(0.75 n) rows', async () => {
    const dir = freshDir('regression');
    const n = 101;
    const rows = Array.from({ length: n }, (_, i) => `${i},${(i * 1.37 + 0.25).toFixed(3)},${i % 3 === 0 ? 'a' : 'b'}`);
    const data = writeCsv(dir, 'prices.csv', `id,price,kind\n${rows.join('\n')}\n`);
    const s = json<SplitJson>(await runCli(['split', '--data', data, '--target', 'price', '--json'], { cwd: dir }));
    expect(s.task).toBe('regression');
    expect(s.stratified).toBe(false);
    expect(s.train.rows).toBe(Math.round(0.75 * n));
    expect(s.train.rows).toBe(76);
    expect(s.test.rows).toBe(25);
    expect(s.train.classes).toBeUndefined();
    const train = fileLines(join(dir, 'prices.train.csv'));
    const test = fileLines(join(dir, 'prices.test.csv'));
    expect(train[0]).toBe('id,price,kind');
    expectOrderedPartition(rows, train.slice(1), test.slice(1));
    const text = await runCli(
      ['split', '--data', data, '--target', 'price', '--out-dir', freshDir('regression-text')],
      { cwd: dir },
    );
    expect(text.stdout).toContain('(regression, random, ratio 0.75, seed 42)');
  });
});

describe('automl errors: exit 2, one line naming the file and place, no stack, no output files', () => {
  /** Runs a split in a folder that holds only `files`, and checks nothing was added. */
  async function failedSplit(
    label: string,
    files: Record<string, string>,
    args: (dir: string) => string[],
  ): Promise<{ r: CliResult; dir: string }> {
    const dir = freshDir(label);
    for (const [name, text] of Object.entries(files)) writeCsv(dir, name, text);
    const r = await runCli(['split', ...args(dir)], { cwd: dir });
    expect(readdirSync(dir).sort()).toEqual(Object.keys(files).sort());
    return { r, dir };
  }

  it('a missing file', async () => {
    const { r, dir } = await failedSplit('err-missing', {}, (d) => ['--data', join(d, 'nope.csv'), '--target', 'y']);
    expectUserError(r, join(dir, 'nope.csv'), 'no such file');
    const dsc = await runCli(['describe', '--data', join(dir, 'nope.csv')]);
    expectUserError(dsc, join(dir, 'nope.csv'), 'no such file');
  });

  it('an unknown target column: the message lists the columns', async () => {
    const { r, dir } = await failedSplit('err-target', { 'd.csv': 'alpha,beta,gamma\n1,2,x\n3,4,y\n' }, (d) => [
      '--data',
      join(d, 'd.csv'),
      '--target',
      'delta',
    ]);
    expectUserError(r, "no column 'delta'", join(dir, 'd.csv'), 'alpha, beta, gamma');
  });

  it('an unknown target column in the embedded data lists its columns and suggests a close one', async () => {
    const cwd = freshDir('err-target-embedded');
    const r = await runCli(['split', '--target', 'cool_cond'], { cwd });
    expectUserError(r, "no column 'cool_cond'", "'cool_cond_y'", 'psa_bar', 'stable_y');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a row with the wrong number of fields: file:line', async () => {
    const { r, dir } = await failedSplit('err-fields', { 'f.csv': 'a,b,y\n1,2,x\n3,4,y\n5,6\n7,8,x\n' }, (d) => [
      '--data',
      join(d, 'f.csv'),
      '--target',
      'y',
    ]);
    expectUserError(r, `${join(dir, 'f.csv')}:4:`, '2 fields', 'the header has 3');
  });

  it('a row with the wrong number of fields after quoted CRLF line breaks: the physical line', async () => {
    // Line 1 header; lines 2-4 one record (two CRLFs inside quotes); line 5 fine; line 6 short.
    const text = 'a,b\r\n1,"x\r\ny\r\nz"\r\n2,3\r\n4\r\n';
    const { r, dir } = await failedSplit('err-fields-crlf', { 'c.csv': text }, (d) => [
      '--data',
      join(d, 'c.csv'),
      '--target',
      'a',
    ]);
    expectUserError(r, `${join(dir, 'c.csv')}:6:`);
  });

  it('an empty file', async () => {
    const { r, dir } = await failedSplit('err-empty', { 'e.csv': '' }, (d) => [
      '--data',
      join(d, 'e.csv'),
      '--target',
      'y',
    ]);
    expectUserError(r, join(dir, 'e.csv'), 'empty');
  });

  it('a header without data rows', async () => {
    const { r, dir } = await failedSplit('err-header-only', { 'h.csv': 'a,y\n' }, (d) => [
      '--data',
      join(d, 'h.csv'),
      '--target',
      'y',
    ]);
    expectUserError(r, join(dir, 'h.csv'), 'no data rows');
  });

  it('duplicate header names: file:1 and the name', async () => {
    const { r, dir } = await failedSplit('err-dup', { 'dup.csv': 'a,y,b,y\n1,x,2,x\n3,y,4,y\n' }, (d) => [
      '--data',
      join(d, 'dup.csv'),
      '--target',
      'a',
    ]);
    expectUserError(r, `${join(dir, 'dup.csv')}:1:`, "'y'", 'columns 2 and 4');
  });

  it('Infinity in a numeric column: file:line (describe, and split on that column)', async () => {
    const dir = freshDir('err-inf');
    const data = writeCsv(dir, 'inf.csv', 'a,b\n1,2.5\n2,3.5\n3,Infinity\n4,1.5\n');
    const d = await runCli(['describe', '--data', data]);
    expectUserError(d, `${data}:4:`, "'b'", 'Infinity');
    const r = await runCli(['split', '--data', data, '--target', 'b'], { cwd: dir });
    expectUserError(r, `${data}:4:`, "'b'", 'Infinity');
    expect(readdirSync(dir)).toEqual(['inf.csv']);
  });

  it('--ratio 1.5', async () => {
    const { dir, data } = hydraulicCopy('err-ratio');
    const r = await runCli(['split', '--data', data, '--target', TARGET, '--ratio', '1.5'], { cwd: dir });
    expectUserError(r, '--ratio', '1.5');
    expect(readdirSync(dir)).toEqual(['hydraulic.csv']);
    const z = await runCli(['split', '--data', data, '--target', TARGET, '--ratio', '0'], { cwd: dir });
    expectUserError(z, '--ratio', '0');
    expect(readdirSync(dir)).toEqual(['hydraulic.csv']);
  });

  it('a target with one class', async () => {
    const { r } = await failedSplit('err-one-class', { 'one.csv': 'x,y\n1,same\n2,same\n3,same\n4,same\n' }, (d) => [
      '--data',
      join(d, 'one.csv'),
      '--target',
      'y',
    ]);
    expectUserError(r, "'y'", 'one class');
  });

  it('--out-train naming the input file itself is refused, and the input is left as it was', async () => {
    const { dir, data } = hydraulicCopy('err-self');
    const r = await runCli(['split', '--data', data, '--target', TARGET, '--out-train', data], { cwd: dir });
    expectUserError(r, '--out-train', 'input file itself');
    expect(readFileSync(data, 'utf8')).toBe(HYDRAULIC_TEXT);
    expect(readdirSync(dir)).toEqual(['hydraulic.csv']);
  });

  it('--seed that is not a whole number', async () => {
    const { dir, data } = hydraulicCopy('err-seed');
    const r = await runCli(['split', '--data', data, '--target', TARGET, '--seed', '1.5'], { cwd: dir });
    expectUserError(r, '--seed', '1.5');
    expect(readdirSync(dir)).toEqual(['hydraulic.csv']);
  });

  it('a folder given as --data', async () => {
    const dir = freshDir('err-folder');
    const r = await runCli(['describe', '--data', dir]);
    expectUserError(r, dir, 'folder');
  });

  it('an error leaves existing output files untouched', async () => {
    const dir = freshDir('err-keep');
    const data = writeCsv(dir, 'k.csv', 'a,y\n1,x\n2,y\n3\n');
    const before = 'old train\n';
    writeCsv(dir, 'k.train.csv', before);
    const r = await runCli(['split', '--data', data, '--target', 'y'], { cwd: dir });
    expectUserError(r, `${data}:4:`);
    expect(readFileSync(join(dir, 'k.train.csv'), 'utf8')).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['k.csv', 'k.train.csv']);
  });
});
