/**
 * `automl score`, spawned as a user runs it: the output CSV (columns, probabilities to the last
 * bit, kept columns, thresholds), messages and diagnostics, bad input, worker threads (the same
 * bytes on any number), standard input, and Ctrl-C / SIGTERM.
 *
 * Pipelines are trained once in beforeAll with `automl run --max-models` (small, seeded).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_MAIN, HYDRAULIC_CSV, REPO_ROOT, childEnv } from './run-cli.js';

type ScorerModule = typeof import('../../src/artifact/scorer.js');
type MetricsModule = typeof import('../../src/metrics/index.js');
type ChecksumModule = typeof import('../../src/artifact/checksum.js');

/** A module of the build, the code the binary runs (typed by its source). */
function fromDist<T>(path: string): Promise<T> {
  return import(pathToFileURL(join(REPO_ROOT, 'dist', path)).href) as Promise<T>;
}

const LONG = 120_000;
const LABELS = ['cool_cond_y', 'valve_cond_y', 'pump_leak_y', 'acc_gas_leak_y', 'stable_y'];

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir = '';
const children = new Set<ChildProcess>();

/** Runs `automl <args>` (the built binary), stdin from `input` or written in `pieces` when given; cwd is the test folder. */
function cli(
  args: readonly string[],
  opts: { input?: Buffer | string; pieces?: readonly Buffer[]; timeoutMs?: number } = {},
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      cwd: dir,
      env: childEnv(),
      stdio: [opts.input === undefined && opts.pieces === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      children.delete(child);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(opts.input);
    } else if (opts.pieces !== undefined) {
      const pieces = opts.pieces;
      child.stdin!.on('error', () => undefined);
      void (async () => {
        for (const piece of pieces) {
          child.stdin!.write(piece);
          await sleep(1000);
        }
        child.stdin!.end();
      })();
    }
  });
}

/**
 * `automl score <args>` with standard input written in pieces, a second apart, so that the
 * command reads the first piece on its own (it prints nothing before it has read the header, so
 * there is no sign to wait for; it starts in a few hundred milliseconds).
 */
function scorePieces(args: readonly string[], pieces: readonly Buffer[]): Promise<Result> {
  return cli(['score', ...args], { pieces });
}

/** `automl score <args>`, expected to succeed. */
async function score(args: readonly string[], opts: { input?: Buffer | string } = {}): Promise<Result> {
  const r = await cli(['score', ...args], opts);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** A CSV without quoted fields as rows of fields (the text must end with a line end). */
function table(text: string): string[][] {
  expect(text.endsWith('\n'), 'the CSV ends with a line end').toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => l.split(','));
}

function csv(header: readonly string[], rows: readonly (readonly string[])[], eol = '\n'): string {
  return [header, ...rows].map((r) => r.join(',')).join(eol) + eol;
}

/** A new, empty folder in the test folder (for --out files: it must stay empty on failure). */
function freshDir(): string {
  return mkdtempSync(join(dir, 'out-'));
}

/** The diagnostics' number format: 4 decimals (tiny ones in e-notation). */
function fmt(v: number | null): string {
  if (v === null) return 'n/a';
  return Math.abs(v) >= 1e-4 || v === 0 ? v.toFixed(4) : v.toExponential(2);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(20);
  }
  return cond();
}

let lib: ScorerModule;
let metrics: MetricsModule;
let checksum: ChecksumModule;
/** Pipeline files: multiclass cool_cond_y, binary stable_y, regression pump_eff, binary y with a categorical input. */
const P = { multi: '', binary: '', regression: '', categorical: '' };
/** The hydraulic data: header names and rows of text. */
let names: string[] = [];
let rows: string[][] = [];
/** The first 60 rows as a file, the bad-value files, the big files. */
const F = { small: '', big: '', bigQuoted: '', bigStray: '', bigBad: '' };
let bigBytes = Buffer.alloc(0);
const REPEAT = 9;
const BAD_ROW = 6; // the 7th data row of small.csv: line 8
const BIG_BAD_LINE = 19_001;

function objects(rs: readonly (readonly string[])[], cols: readonly string[] = names): Record<string, string | null>[] {
  return rs.map((r) => Object.fromEntries(cols.map((n, j) => [n, r[j]!])));
}

/** The library's scores of row objects, as String() texts per row. */
function libraryTexts(pipeline: string, objs: readonly Record<string, unknown>[]): string[][] {
  const scorer = lib.loadPipeline(pipeline);
  const p = scorer.scoreBatch(objs);
  const w = scorer.outputNames.length;
  return objs.map((_, i) => Array.from(p.subarray(i * w, (i + 1) * w), (x) => String(x)));
}

function pipelineIn(folder: string): string {
  const d = join(dir, folder, 'pipelines');
  const files = readdirSync(d).filter((f) => f.endsWith('.pipeline.json'));
  expect(files).toHaveLength(1);
  return join(d, files[0]!);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'automl-score-'));
  [lib, metrics, checksum] = await Promise.all([
    fromDist<ScorerModule>('src/artifact/scorer.js'),
    fromDist<MetricsModule>('src/metrics/index.js'),
    fromDist<ChecksumModule>('src/artifact/checksum.js'),
  ]);
  const lines = readFileSync(HYDRAULIC_CSV, 'utf8').trimEnd().split(/\r?\n/);
  names = lines[0]!.split(',');
  rows = lines.slice(1).map((l) => l.split(','));

  // A small table with a categorical input whose level decides the class.
  let catText = 'x1,color,y\n';
  for (let i = 0; i < 200; i++) {
    const color = ['red', 'green', 'blue'][i % 3]!;
    const x = ((i * 37) % 101) / 10;
    catText += `${x},${color},${color === 'red' || x > 8 ? 'yes' : 'no'}\n`;
  }
  writeFileSync(join(dir, 'cat.csv'), catText);

  const train = (args: string[], out: string): Promise<Result> =>
    cli(['run', ...args, '--seed', '42', '--out-dir', join(dir, out), '--quiet'], { timeoutMs: LONG });
  const runs = await Promise.all([
    train(['--target', 'cool_cond_y', '--drop', 'cool_eff_pct', '--max-models', '3'], 'multi'),
    train(['--target', 'stable_y', '--max-models', '2'], 'binary'),
    train(
      ['--target', 'pump_eff', '--task', 'regression', '--drop', LABELS.join(','), '--max-models', '2'],
      'regression',
    ),
    train(['--train', join(dir, 'cat.csv'), '--target', 'y', '--max-models', '2'], 'categorical'),
  ]);
  for (const r of runs) expect(r.code, r.stderr).toBe(0);
  P.multi = pipelineIn('multi');
  P.binary = pipelineIn('binary');
  P.regression = pipelineIn('regression');
  P.categorical = pipelineIn('categorical');

  F.small = join(dir, 'small.csv');
  writeFileSync(F.small, csv(names, rows.slice(0, 60)));
  const big: string[][] = [];
  for (let k = 0; k < REPEAT; k++) big.push(...rows);
  F.big = join(dir, 'big.csv');
  bigBytes = Buffer.from(csv(names, big));
  writeFileSync(F.big, bigBytes);
  // Quoted fields of every kind in a kept text column, CRLF line ends.
  const notes = ['plain', '"a, b"', '"two\nlines"', '"say ""hi"""', '""', '"x\r\ny"'];
  F.bigQuoted = join(dir, 'big-quoted.csv');
  // Some labels missing, some not a class, some a class written another way (3.0 for 3).
  const yCol = names.indexOf('cool_cond_y');
  const label = (r: string[], i: number): string =>
    i % 997 === 500 ? '' : i % 1009 === 600 ? 'seven' : i % 101 === 50 ? `${r[yCol]}.0` : r[yCol]!;
  writeFileSync(
    F.bigQuoted,
    csv(
      ['note', ...names],
      big.map((r, i) => [notes[i % notes.length]!, ...r.map((v, j) => (j === yCol ? label(r, i) : v))]),
      '\r\n',
    ),
  );
  // One stray quote inside an unquoted field early on, quoted line breaks further down.
  F.bigStray = join(dir, 'big-stray.csv');
  writeFileSync(
    F.bigStray,
    csv(
      ['note', ...names],
      big.map((r, i) => [i === 5 ? '12" pipe' : i % 50 === 7 ? '"two\nlines"' : 'p', ...r]),
    ),
  );
  F.bigBad = join(dir, 'big-bad.csv');
  writeFileSync(
    F.bigBad,
    csv(
      names,
      big.map((r, i) => (i === BIG_BAD_LINE - 2 ? ['abc', ...r.slice(1)] : r)),
    ),
  );
  expect(bigBytes.length).toBeGreaterThanOrEqual(5 * 1024 * 1024);
}, LONG);

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('automl score: the output', () => {
  it('multiclass: the header <target>.<class>… <target>.predicted, one row per data row, the most probable class predicted', async () => {
    const r = await score(['--pipeline', P.multi, '--data', HYDRAULIC_CSV]);
    const t = table(r.stdout);
    expect(t[0]).toEqual(['cool_cond_y.3', 'cool_cond_y.20', 'cool_cond_y.100', 'cool_cond_y.predicted']);
    expect(t).toHaveLength(rows.length + 1);
    const classes = ['3', '20', '100'];
    for (const row of t.slice(1)) {
      const p = row.slice(0, 3).map(Number);
      let best = 0;
      for (let k = 1; k < 3; k++) if (p[k]! > p[best]!) best = k;
      expect(row[3]).toBe(classes[best]);
    }
  });

  it("probabilities are the library's scoreBatch values as String() text, each reading back as the same double", async () => {
    const r = await score(['--pipeline', P.multi, '--data', HYDRAULIC_CSV]);
    const t = table(r.stdout).slice(1);
    expect(t.map((row) => row.slice(0, 3))).toEqual(libraryTexts(P.multi, objects(rows)));
    const notRoundTripping = t.flatMap((row) => row.slice(0, 3)).filter((s) => String(Number(s)) !== s);
    expect(notRoundTripping).toEqual([]);
  });

  it('--keep cool_cond_y,psa_bar: the kept columns first, as written in the file', async () => {
    const plain = table((await score(['--pipeline', P.multi, '--data', HYDRAULIC_CSV])).stdout);
    const t = table(
      (await score(['--pipeline', P.multi, '--data', HYDRAULIC_CSV, '--keep', 'cool_cond_y,psa_bar'])).stdout,
    );
    expect(t[0]).toEqual([
      'cool_cond_y',
      'psa_bar',
      'cool_cond_y.3',
      'cool_cond_y.20',
      'cool_cond_y.100',
      'cool_cond_y.predicted',
    ]);
    const y = names.indexOf('cool_cond_y');
    const psa = names.indexOf('psa_bar');
    expect(t.slice(1).map((row) => row.slice(0, 2))).toEqual(rows.map((row) => [row[y]!, row[psa]!]));
    expect(t.slice(1).map((row) => row.slice(2))).toEqual(plain.slice(1));
  });

  it('stdout and --out hold the same bytes; without --out the messages go to stderr and stdout is pure CSV, with it they go to stdout', async () => {
    const toStdout = await score(['--pipeline', P.multi, '--data', HYDRAULIC_CSV]);
    const lines = toStdout.stdout.slice(0, -1).split('\n');
    expect(
      lines.every((l) => /^(cool_cond_y\.\w+,){3}cool_cond_y\.predicted$|^([0-9.e-]+,){3}(3|20|100)$/.test(l)),
    ).toBe(true);
    expect(toStdout.stderr).toMatch(new RegExp(`^scored 2,205 rows of ${escapeRe(HYDRAULIC_CSV)} in \\d+\\.\\d s`));
    expect(toStdout.stderr).toContain('diagnostics on 2205 rows with a known cool_cond_y:');

    const out = join(freshDir(), 'scores.csv');
    const toFile = await score(['--pipeline', P.multi, '--data', HYDRAULIC_CSV, '--out', out]);
    expect(readFileSync(out, 'utf8')).toBe(toStdout.stdout);
    expect(toFile.stderr).toBe('');
    expect(toFile.stdout).toMatch(
      new RegExp(`^scored 2,205 rows of ${escapeRe(HYDRAULIC_CSV)} in .* → ${escapeRe(out)}\n`),
    );
    expect(toFile.stdout).toContain('diagnostics on 2205 rows with a known cool_cond_y:');
  });

  it('--data=- reads standard input: the same scores as the file', async () => {
    const file = await score(['--pipeline', P.multi, '--data', F.small]);
    const stdin = await score(['--pipeline', P.multi, '--data=-'], { input: readFileSync(F.small) });
    expect(stdin.stdout).toBe(file.stdout);
    expect(stdin.stderr).toMatch(/^scored 60 rows of standard input in /);
  });

  it('--data - (a separate word, as --help documents it) reads standard input', async () => {
    const file = await score(['--pipeline', P.multi, '--data', F.small]);
    const r = await cli(['score', '--pipeline', P.multi, '--data', '-'], { input: readFileSync(F.small) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(file.stdout);
  });
});

describe('automl score: delimiters and byte order marks', () => {
  it('a semicolon file and a tab file (detected, or given with --delimiter) score as the comma file; so does one with a byte order mark', async () => {
    const base = (await score(['--pipeline', P.multi, '--data', F.small])).stdout;
    const small = rows.slice(0, 60);
    const semi = join(dir, 'semi.csv');
    writeFileSync(semi, [names, ...small].map((r) => r.join(';')).join('\n') + '\n');
    const tab = join(dir, 'tab.tsv');
    writeFileSync(tab, [names, ...small].map((r) => r.join('\t')).join('\r\n') + '\r\n');
    const bom = join(dir, 'bom.csv');
    writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(F.small)]));
    for (const args of [
      ['--data', semi],
      ['--data', semi, '--delimiter', ';'],
      ['--data', tab],
      ['--data', tab, '--delimiter', 'tab'],
      ['--data', bom],
    ]) {
      expect((await score(['--pipeline', P.multi, ...args])).stdout, args.join(' ')).toBe(base);
    }
  });

  it('standard input that arrives in pieces (a byte order mark split, a header cut before its first delimiter): the same scores, on 1 and 2 threads', async () => {
    const base = (await score(['--pipeline', P.multi, '--data', F.small])).stdout;
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(F.small)]);
    const semi = Buffer.from([names, ...rows.slice(0, 60)].map((r) => r.join(';')).join('\n') + '\n');
    const wrong: string[] = [];
    for (const threads of ['1', '2']) {
      for (const [what, pieces] of [
        ['BOM split after 2 bytes', [withBom.subarray(0, 2), withBom.subarray(2)]],
        ['semicolon header cut after "psa_bar"', [semi.subarray(0, 7), semi.subarray(7)]],
      ] as const) {
        const r = await scorePieces(['--pipeline', P.multi, '--data=-', '--threads', threads, '--quiet'], pieces);
        if (r.code !== 0 || r.stdout !== base)
          wrong.push(`${what}, ${threads} thread(s): exit ${r.code}, ${r.stderr.trim()}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('automl score: diagnostics', () => {
  it('prints logloss, accuracy, MCC, AUC, per-class lines and the confusion matrix; --metrics JSON equals classificationReport of the output and the labels', async () => {
    const mPath = join(freshDir(), 'm.json');
    const r = await score(['--pipeline', P.multi, '--data', HYDRAULIC_CSV, '--metrics', mPath]);
    const classes = ['3', '20', '100'];
    const yCol = names.indexOf('cool_cond_y');
    const y = Float64Array.from(rows.map((row) => classes.indexOf(row[yCol]!)));
    expect(y.every((k) => k >= 0)).toBe(true);
    const proba = Float64Array.from(
      table(r.stdout)
        .slice(1)
        .flatMap((row) => row.slice(0, 3).map(Number)),
    );
    const report = metrics.classificationReport(y, proba, classes);

    const m = JSON.parse(readFileSync(mPath, 'utf8')) as {
      rows: number;
      threshold: number | null;
      pipelineId: string;
      diagnostics: {
        kind: string;
        rows: number;
        logloss: number;
        accuracy: number;
        mcc: number;
        auc: number | null;
        confusion: number[][];
        perClass: unknown[];
        macro: unknown;
      };
    };
    expect(m.rows).toBe(rows.length);
    expect(m.threshold).toBeNull();
    expect(m.pipelineId).toBe(lib.loadPipeline(P.multi).file.pipelineId);
    const d = m.diagnostics;
    expect(d.kind).toBe('classification');
    expect(d.rows).toBe(rows.length);
    expect(d.logloss).toBe(report.logloss);
    expect(d.accuracy).toBe(report.accuracy);
    expect(d.mcc).toBe(report.mcc);
    expect(d.auc).toBe(report.auc);
    expect(d.confusion).toEqual(report.confusion);
    expect(d.perClass).toEqual(report.perClass);
    expect(d.macro).toEqual(report.macro);
    expect(d.confusion.flat().reduce((a, b) => a + b, 0)).toBe(rows.length);

    const err = r.stderr.split('\n');
    expect(err).toContain('diagnostics on 2205 rows with a known cool_cond_y:');
    expect(err).toContain(
      `  logloss ${fmt(report.logloss)}   accuracy ${fmt(report.accuracy)}   MCC ${fmt(report.mcc)}   AUC ${fmt(report.auc)}`,
    );
    expect(err.some((l) => /^\s+class\s+precision\s+recall\s+F1\s+support$/.test(l))).toBe(true);
    for (const c of report.perClass) {
      const re = new RegExp(
        `^  ${c.label}\\s+${escapeRe(fmt(c.precision))}\\s+${escapeRe(fmt(c.recall))}\\s+${escapeRe(fmt(c.f1))}\\s+${c.support}$`,
      );
      expect(
        err.some((l) => re.test(l)),
        `a line for class ${c.label}`,
      ).toBe(true);
    }
    expect(err).toContain('  confusion (rows: actual, columns: predicted)');
    report.confusion.forEach((counts, k) => {
      const re = new RegExp(`^  ${classes[k]}\\s+${counts.join('\\s+')}$`);
      expect(
        err.some((l) => re.test(l)),
        `the confusion row of ${classes[k]}`,
      ).toBe(true);
    });
  });

  it('regression: one <target> column (<target>.predicted when the target is kept), the library values; RMSE, MAE and R² printed and in --metrics', async () => {
    const mPath = join(freshDir(), 'm.json');
    const r = await score(['--pipeline', P.regression, '--data', HYDRAULIC_CSV, '--metrics', mPath]);
    const t = table(r.stdout);
    expect(t[0]).toEqual(['pump_eff']);
    expect(t.slice(1)).toEqual(libraryTexts(P.regression, objects(rows)));
    const yCol = names.indexOf('pump_eff');
    const y = Float64Array.from(rows.map((row) => Number(row[yCol])));
    const pred = Float64Array.from(t.slice(1).map((row) => Number(row[0])));
    const report = metrics.regressionReport(y, pred);
    const d = (
      JSON.parse(readFileSync(mPath, 'utf8')) as {
        diagnostics: { kind: string; rows: number; rmse: number; mae: number; r2: number };
      }
    ).diagnostics;
    expect(d).toEqual({ kind: 'regression', rows: rows.length, rmse: report.rmse, mae: report.mae, r2: report.r2 });
    expect(r.stderr.split('\n')).toContain(
      `  RMSE ${fmt(report.rmse)}   MAE ${fmt(report.mae)}   R² ${fmt(report.r2)}`,
    );
    expect(report.r2).toBeGreaterThan(0.9);

    const kept = table(
      (await score(['--pipeline', P.regression, '--data', HYDRAULIC_CSV, '--keep', 'pump_eff'])).stdout,
    );
    expect(kept[0]).toEqual(['pump_eff', 'pump_eff.predicted']);
    expect(kept.slice(1).map((row) => row[0])).toEqual(rows.map((row) => row[yCol]));
    expect(kept.slice(1).map((row) => [row[1]!])).toEqual(t.slice(1));
  });
});

describe('automl score: binary thresholds', () => {
  it('--threshold 0.3 predicts the second class exactly when its probability is >= 0.3 (and changes some predictions); the diagnostics at that threshold', async () => {
    const plain = table((await score(['--pipeline', P.binary, '--data', HYDRAULIC_CSV])).stdout);
    expect(plain[0]).toEqual(['stable_y.0', 'stable_y.1', 'stable_y.predicted']);
    const mPath = join(freshDir(), 'm.json');
    const r = await score(['--pipeline', P.binary, '--data', HYDRAULIC_CSV, '--threshold', '0.3', '--metrics', mPath]);
    const t = table(r.stdout);
    expect(t[0]).toEqual(plain[0]);
    expect(t.map((row) => row.slice(0, 2))).toEqual(plain.map((row) => row.slice(0, 2)));
    for (const row of t.slice(1)) expect(row[2], row.join(',')).toBe(Number(row[1]) >= 0.3 ? '1' : '0');
    for (const row of plain.slice(1)) expect(row[2], row.join(',')).toBe(Number(row[1]) > Number(row[0]) ? '1' : '0');
    const changed = t.slice(1).filter((row, i) => row[2] !== plain[i + 1]![2]);
    expect(changed.length, 'rows with 0.3 <= p < 0.5 exist in this data and model').toBeGreaterThan(0);
    for (const row of changed) expect(row[2]).toBe('1');
    expect(r.stderr).toContain('predicted class: 1 from p ≥ 0.3\n');

    const yCol = names.indexOf('stable_y');
    const confusion = [
      [0, 0],
      [0, 0],
    ];
    t.slice(1).forEach((row, i) => confusion[Number(rows[i]![yCol])]![row[2] === '1' ? 1 : 0]!++);
    const m = JSON.parse(readFileSync(mPath, 'utf8')) as {
      threshold: number;
      diagnostics: { atThreshold: { threshold: number; confusion: number[][] } };
    };
    expect(m.threshold).toBe(0.3);
    expect(m.diagnostics.atThreshold.threshold).toBe(0.3);
    expect(m.diagnostics.atThreshold.confusion).toEqual(confusion);
  });

  it('best-f1 and best-mcc use the out-of-fold thresholds in the pipeline file; a file without them is refused clearly', async () => {
    const text = readFileSync(P.binary, 'utf8');
    const file = JSON.parse(text) as {
      thresholds?: { positiveClass: string; f1: number; mcc: number };
      checksum?: string;
    };
    expect(file.thresholds, 'automl run writes out-of-fold thresholds into binary pipelines').toBeDefined();
    const thresholds = file.thresholds!;
    expect(thresholds.positiveClass).toBe('1');
    for (const [option, value] of [
      ['best-f1', thresholds.f1],
      ['best-mcc', thresholds.mcc],
    ] as const) {
      const mPath = join(freshDir(), 'm.json');
      const r = await score([
        '--pipeline',
        P.binary,
        '--data',
        HYDRAULIC_CSV,
        '--threshold',
        option,
        '--metrics',
        mPath,
      ]);
      for (const row of table(r.stdout).slice(1))
        expect(row[2], `${option}: ${row.join(',')}`).toBe(Number(row[1]) >= value ? '1' : '0');
      expect(r.stderr).toContain(`predicted class: 1 from p ≥ ${option} (${value}, chosen out of fold)`);
      expect((JSON.parse(readFileSync(mPath, 'utf8')) as { threshold: number }).threshold).toBe(value);
    }

    // The same pipeline without its thresholds (as an older automl wrote it), checksum made anew.
    delete file.thresholds;
    delete file.checksum;
    const old = join(dir, 'no-thresholds.pipeline.json');
    writeFileSync(old, checksum.withChecksum(JSON.stringify(file, null, 2)));
    expect(lib.loadPipeline(old).thresholds).toBeNull();
    for (const option of ['best-f1', 'best-mcc']) {
      const r = await cli(['score', '--pipeline', old, '--data', HYDRAULIC_CSV, '--threshold', option]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(
        `automl: error: --threshold ${option}: the pipeline file holds no out-of-fold thresholds`,
      );
    }
    // A probability still works with it.
    await score(['--pipeline', old, '--data', F.small, '--threshold', '0.5']);
  });

  it('refuses --threshold 2, abc, -0.5 and empty (exit 2), and --threshold on a multiclass or regression pipeline', async () => {
    for (const value of ['2', 'abc', '-0.5', '', 'NaN', 'Infinity']) {
      const r = await cli(['score', '--pipeline', P.binary, '--data', F.small, '--threshold', value]);
      expect(r.code, value).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `automl: error: --threshold must be a probability from 0 to 1, best-f1 or best-mcc; got '${value}'\n`,
      );
    }
    const multi = await cli(['score', '--pipeline', P.multi, '--data', F.small, '--threshold', '0.5']);
    expect(multi.code).toBe(2);
    expect(multi.stdout).toBe('');
    expect(multi.stderr).toContain(
      'automl: error: --threshold applies to binary targets; cool_cond_y is a multiclass target',
    );
    const regression = await cli(['score', '--pipeline', P.regression, '--data', F.small, '--threshold', 'best-f1']);
    expect(regression.code).toBe(2);
    expect(regression.stderr).toContain(
      'automl: error: --threshold applies to binary targets; pump_eff is a regression target',
    );
  });
});

describe('automl score: columns and values', () => {
  it('a missing needed column: exit 2 naming it; an extra column is ignored; shuffled columns give the same scores', async () => {
    const base = (await score(['--pipeline', P.multi, '--data', F.small])).stdout;
    const small = rows.slice(0, 60);
    const write = (name: string, header: string[], rs: string[][]): string => {
      const p = join(dir, name);
      writeFileSync(p, csv(header, rs));
      return p;
    };
    const drop = names.indexOf('psb_bar');
    const missing = write(
      'missing-col.csv',
      names.filter((_, j) => j !== drop),
      small.map((r) => r.filter((_, j) => j !== drop)),
    );
    const r = await cli(['score', '--pipeline', P.multi, '--data', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`automl: error: ${missing} lacks a column the pipeline needs: psb_bar`);

    const extra = write(
      'extra-col.csv',
      ['comment', ...names, 'junk'],
      small.map((r, i) => [`row ${i}`, ...r, 'abc']),
    );
    expect((await score(['--pipeline', P.multi, '--data', extra])).stdout).toBe(base);

    const order = names.map((_, j) => (j * 7) % names.length); // a permutation: 7 and 22 are coprime
    expect(new Set(order).size).toBe(names.length);
    const shuffled = write(
      'shuffled.csv',
      order.map((j) => names[j]!),
      small.map((r) => order.map((j) => r[j]!)),
    );
    expect((await score(['--pipeline', P.multi, '--data', shuffled])).stdout).toBe(base);
  });

  it('a value that is not a number: exit 2 with file:line and the field; no --out file and no temporary file left', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(
      bad,
      csv(
        names,
        rows.slice(0, 60).map((r, i) => (i === BAD_ROW ? ['abc', ...r.slice(1)] : r)),
      ),
    );
    const outDir = freshDir();
    const r = await cli(['score', '--pipeline', P.multi, '--data', bad, '--out', join(outDir, 'scores.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `automl: error: ${bad}:${BAD_ROW + 2}: field 'psa_bar' holds "abc", which is not a number`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('--on-error skip leaves the row out and reports it; --on-error missing scores it with the value missing, as the library does with null', async () => {
    const bad = join(dir, 'bad2.csv');
    const small = rows.slice(0, 60);
    writeFileSync(
      bad,
      csv(
        names,
        small.map((r, i) => (i === BAD_ROW ? ['abc', ...r.slice(1)] : r)),
      ),
    );
    const base = table((await score(['--pipeline', P.multi, '--data', F.small])).stdout);

    const skip = await score(['--pipeline', P.multi, '--data', bad, '--on-error', 'skip']);
    expect(table(skip.stdout)).toEqual(base.filter((_, i) => i !== BAD_ROW + 1));
    expect(skip.stderr).toContain(
      `skipped 1 row with a value that is not a number (--on-error skip): line ${BAD_ROW + 2} psa_bar="abc"`,
    );
    expect(skip.stderr).toMatch(/^scored 59 rows of /);

    const missing = await score(['--pipeline', P.multi, '--data', bad, '--on-error', 'missing']);
    const t = table(missing.stdout);
    expect(t).toHaveLength(61);
    expect(t.filter((_, i) => i !== BAD_ROW + 1)).toEqual(base.filter((_, i) => i !== BAD_ROW + 1));
    const withNull = objects([small[BAD_ROW]!]).map((o) => ({ ...o, psa_bar: null }));
    expect(t[BAD_ROW + 1]!.slice(0, 3)).toEqual(libraryTexts(P.multi, withNull)[0]);
    expect(missing.stderr).toContain(
      `scored 1 row with a value that is not a number as missing (--on-error missing): line ${BAD_ROW + 2} psa_bar="abc"`,
    );
  });

  it('a level never seen in training is scored as missing and counted on stderr (a missing value is not counted)', async () => {
    const data = join(dir, 'cat-new.csv');
    const values = [
      ['1', 'red'],
      ['2', 'purple'],
      ['3', ''],
      ['4', 'PURPLE'],
      ['5', 'blue'],
      ['6', 'NA'],
    ];
    writeFileSync(data, csv(['x1', 'color'], values));
    const r = await score(['--pipeline', P.categorical, '--data', data]);
    const t = table(r.stdout);
    expect(t[0]).toEqual(['y.no', 'y.yes', 'y.predicted']);
    expect(t.slice(1).map((row) => row.slice(0, 2))).toEqual(
      libraryTexts(P.categorical, objects(values, ['x1', 'color'])),
    );
    const asNull = values.map(([x, c]) => ({ x1: x!, color: c === 'purple' || c === 'PURPLE' ? null : c! }));
    expect(t.slice(1).map((row) => row.slice(0, 2))).toEqual(libraryTexts(P.categorical, asNull));
    expect(r.stderr).toContain("'color': 2 rows with a level never seen in training, scored as missing");

    const json = await score([
      '--pipeline',
      P.categorical,
      '--data',
      data,
      '--out',
      join(freshDir(), 's.csv'),
      '--json',
    ]);
    expect((JSON.parse(json.stdout) as { unseenLevels: Record<string, number> }).unseenLevels).toEqual({ color: 2 });
  });
});

describe('automl score: files', () => {
  it('--metrics on a file without the target column: exit 2, nothing written', async () => {
    const yCol = names.indexOf('cool_cond_y');
    const noTarget = join(dir, 'no-target.csv');
    writeFileSync(
      noTarget,
      csv(
        names.filter((_, j) => j !== yCol),
        rows.slice(0, 20).map((r) => r.filter((_, j) => j !== yCol)),
      ),
    );
    // Without --metrics, fine: scores and no diagnostics.
    const ok = await score(['--pipeline', P.multi, '--data', noTarget]);
    expect(table(ok.stdout)).toHaveLength(21);
    expect(ok.stderr).not.toContain('diagnostics');
    const outDir = freshDir();
    const r = await cli([
      'score',
      '--pipeline',
      P.multi,
      '--data',
      noTarget,
      '--metrics',
      join(outDir, 'm.json'),
      '--out',
      join(outDir, 's.csv'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `automl: error: ${noTarget} has no column 'cool_cond_y', the target, which the diagnostics (--metrics) need`,
    );
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('a missing --data file: exit 2', async () => {
    const r = await cli(['score', '--pipeline', P.multi, '--data', join(dir, 'nope.csv')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `automl: error: ${join(dir, 'nope.csv')}: no such file; name the CSV file to score with --data (or - for standard input)\n`,
    );
  });

  it('an empty file: exit 2 saying so, no --out file; a header-only file: exit 0 and the output header alone', async () => {
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    const outDir = freshDir();
    const r = await cli(['score', '--pipeline', P.multi, '--data', empty, '--out', join(outDir, 's.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`automl: error: ${empty} is empty; it needs a header line and rows to score\n`);
    expect(readdirSync(outDir)).toEqual([]);

    const header = 'cool_cond_y.3,cool_cond_y.20,cool_cond_y.100,cool_cond_y.predicted\n';
    for (const [name, text] of [
      ['header-only.csv', `${names.join(',')}\n`],
      ['header-only-no-eol.csv', names.join(',')],
      ['header-only-crlf.csv', `${names.join(',')}\r\n\r\n`],
    ] as const) {
      const p = join(dir, name);
      writeFileSync(p, text);
      const s = await score(['--pipeline', P.multi, '--data', p]);
      expect(s.stdout, name).toBe(header);
      expect(s.stderr, name).toMatch(/^scored 0 rows of /);
      const out = join(freshDir(), 's.csv');
      await score(['--pipeline', P.multi, '--data', p, '--out', out]);
      expect(readFileSync(out, 'utf8'), name).toBe(header);
    }
  });
});

describe('automl score: worker threads', () => {
  it('a 5 MB file: the same bytes and diagnostics on 1 and 2 threads, and the same scores as the small file row for row', async () => {
    const outs: string[] = [];
    const ms: Record<string, unknown>[] = [];
    for (const threads of [1, 2]) {
      const d = freshDir();
      await score([
        '--pipeline',
        P.multi,
        '--data',
        F.big,
        '--threads',
        String(threads),
        '--out',
        join(d, 's.csv'),
        '--metrics',
        join(d, 'm.json'),
        '--quiet',
      ]);
      outs.push(readFileSync(join(d, 's.csv'), 'utf8'));
      const m = JSON.parse(readFileSync(join(d, 'm.json'), 'utf8')) as Record<string, unknown>;
      delete m['seconds'];
      delete m['out'];
      ms.push(m);
    }
    expect(outs[1] === outs[0], 'the same bytes on 1 and 2 threads').toBe(true);
    expect(ms[1]).toEqual(ms[0]);
    const once = (await score(['--pipeline', P.multi, '--data', HYDRAULIC_CSV])).stdout;
    const body = once.slice(once.indexOf('\n') + 1);
    expect(
      outs[0] === once.slice(0, once.indexOf('\n') + 1) + body.repeat(REPEAT),
      'the big file is the hydraulic rows 9 times; so are its scores',
    ).toBe(true);
  });

  it('with --keep and quoted fields (delimiters, doubled quotes, line breaks, CRLF) and odd labels: the same bytes, messages and diagnostics on 1 and 2 threads, kept text quoted back as needed', async () => {
    const outs: string[] = [];
    const messages: string[] = [];
    const ms: Record<string, unknown>[] = [];
    for (const threads of [1, 2]) {
      const d = freshDir();
      const r = await score([
        '--pipeline',
        P.multi,
        '--data',
        F.bigQuoted,
        '--keep',
        'note,cool_cond_y',
        '--threads',
        String(threads),
        '--out',
        join(d, 's.csv'),
        '--metrics',
        join(d, 'm.json'),
      ]);
      outs.push(readFileSync(join(d, 's.csv'), 'utf8'));
      messages.push(r.stdout.replace(/^scored .*\n/, ''));
      const m = JSON.parse(readFileSync(join(d, 'm.json'), 'utf8')) as Record<string, unknown>;
      delete m['seconds'];
      delete m['out'];
      ms.push(m);
    }
    expect(outs[1] === outs[0], 'the same bytes on 1 and 2 threads').toBe(true);
    expect(messages[1]).toBe(messages[0]);
    expect(ms[1]).toEqual(ms[0]);
    const bigRows = rows.length * REPEAT;
    const missing = Math.floor((bigRows - 1 - 500) / 997) + 1;
    expect(messages[0]).toContain(`${missing} rows without a cool_cond_y (left out of the diagnostics)`);
    expect(messages[0]).toMatch(
      /\d+ rows with cool_cond_y 'seven', not a class of the pipeline \(left out of the diagnostics\)/,
    );
    const plain = (await score(['--pipeline', P.multi, '--data', HYDRAULIC_CSV, '--keep', 'cool_cond_y'])).stdout.split(
      '\n',
    );
    const expected = [
      'note,cool_cond_y,cool_cond_y.3,cool_cond_y.20,cool_cond_y.100,cool_cond_y.predicted',
      `plain,${plain[1]}`,
      `"a, b",${plain[2]}`,
      `"two\nlines",${plain[3]}`,
      `"say ""hi""",${plain[4]}`,
      `,${plain[5]}`,
      `"x\r\ny",${plain[6]}`,
    ];
    expect(outs[0]!.startsWith(`${expected.join('\n')}\n`)).toBe(true);
  });

  it('binary with --threshold: the same bytes on 1 and 2 threads', async () => {
    const outs: string[] = [];
    for (const threads of [1, 2]) {
      const out = join(freshDir(), 's.csv');
      await score([
        '--pipeline',
        P.binary,
        '--data',
        F.big,
        '--threshold',
        '0.3',
        '--threads',
        String(threads),
        '--out',
        out,
        '--quiet',
      ]);
      outs.push(readFileSync(out, 'utf8'));
    }
    expect(outs[1] === outs[0], 'the same bytes on 1 and 2 threads').toBe(true);
  });

  it('a stray quote inside an unquoted field, with quoted line breaks further on: the same result on 1 and 2 threads', async () => {
    const results: { code: number | null; out: string; error: string }[] = [];
    for (const threads of [1, 2]) {
      const outDir = freshDir();
      const r = await cli([
        'score',
        '--pipeline',
        P.multi,
        '--data',
        F.bigStray,
        '--keep',
        'note',
        '--threads',
        String(threads),
        '--out',
        join(outDir, 's.csv'),
        '--quiet',
      ]);
      const files = readdirSync(outDir);
      results.push({
        code: r.code,
        out: files.includes('s.csv') ? readFileSync(join(outDir, 's.csv'), 'utf8') : '',
        error: r.stderr,
      });
    }
    expect(results[1]!.error).toBe(results[0]!.error);
    expect(results[1]!.code).toBe(results[0]!.code);
    expect(results[1]!.out === results[0]!.out, 'the same bytes on 1 and 2 threads').toBe(true);
  });

  it('a bad value late in the big file: the same file:line on 1 and 2 threads, no --out file left', async () => {
    for (const threads of [1, 2]) {
      const outDir = freshDir();
      const r = await cli([
        'score',
        '--pipeline',
        P.multi,
        '--data',
        F.bigBad,
        '--threads',
        String(threads),
        '--out',
        join(outDir, 's.csv'),
      ]);
      expect(r.code, `${threads} threads`).toBe(2);
      expect(r.stderr, `${threads} threads`).toBe(
        `automl: error: ${F.bigBad}:${BIG_BAD_LINE}: field 'psa_bar' holds "abc", which is not a number; fix the value, or score with --on-error skip (leave such rows out) or --on-error missing (score them with the value missing)\n`,
      );
      expect(readdirSync(outDir)).toEqual([]);
    }
  });

  it('the big file through standard input on 2 threads equals the file output', async () => {
    const file = await score(['--pipeline', P.multi, '--data', F.big, '--threads', '1', '--quiet']);
    // `--data=-`: the separate-word form `--data -` is covered (and refused today) above.
    const stdin = await score(['--pipeline', P.multi, '--data=-', '--threads', '2', '--quiet'], { input: bigBytes });
    expect(stdin.stdout === file.stdout, 'the same bytes').toBe(true);
    expect(stdin.stdout.length).toBeGreaterThan(1_000_000);
  });
});

describe('automl score: interrupted', () => {
  /**
   * Scores the big file from standard input into --out: half of it is sent, the signal once the
   * command has opened its output (a temporary file), then the rest.
   */
  async function interrupt(
    signal: NodeJS.Signals,
    threads: number,
  ): Promise<{ code: number | null; killedBy: NodeJS.Signals | null; stderr: string; left: string[] }> {
    const outDir = freshDir();
    const child = spawn(
      process.execPath,
      [
        CLI_MAIN,
        'score',
        '--pipeline',
        P.multi,
        '--data=-',
        '--out',
        join(outDir, 'scores.csv'),
        '--threads',
        String(threads),
      ],
      {
        cwd: dir,
        env: childEnv(),
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    );
    children.add(child);
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdin.on('error', () => undefined);
    const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (code, sig) => {
        children.delete(child);
        resolve([code, sig]);
      }),
    );
    const half = bigBytes.length >> 1;
    await new Promise<void>((resolve) => child.stdin.write(bigBytes.subarray(0, half), () => resolve()));
    const opened = await waitFor(() => readdirSync(outDir).some((f) => f.endsWith('.tmp')), 20_000);
    expect(opened, `the output's temporary file appears; stderr: ${stderr}`).toBe(true);
    child.kill(signal);
    await sleep(500);
    child.stdin.end(bigBytes.subarray(half));
    const [code, killedBy] = await closed;
    return { code, killedBy, stderr, left: readdirSync(outDir) };
  }

  it('SIGINT while scoring into --out: exit 130, no output file and no temporary file (one thread and two)', async () => {
    for (const threads of [1, 2]) {
      const r = await interrupt('SIGINT', threads);
      expect({ code: r.code, killedBy: r.killedBy }, `${threads} threads: ${r.stderr}`).toEqual({
        code: 130,
        killedBy: null,
      });
      expect(r.stderr).toMatch(/interrupted \(SIGINT\) after \d+ rows; .*scores\.csv was not written/);
      expect(r.left).toEqual([]);
    }
  });

  it('SIGTERM while scoring into --out: exit 143, no output file and no temporary file (one thread and two)', async () => {
    for (const threads of [1, 2]) {
      const r = await interrupt('SIGTERM', threads);
      expect({ code: r.code, killedBy: r.killedBy }, `${threads} threads: ${r.stderr}`).toEqual({
        code: 143,
        killedBy: null,
      });
      expect(r.stderr).toMatch(/interrupted \(SIGTERM\) after \d+ rows; .*scores\.csv was not written/);
      expect(r.left).toEqual([]);
    }
  });
});
