/**
 * The Python runtime (pipelines/runtimes/python/automl_scorer.py), run by `python3` as a child
 * process: Python 3.9 syntax and the standard library only; every example pipeline of
 * pipelines/examples/ scored to its expected outputs; the checksum, strict members and versions
 * as the TypeScript loader checks them; the command's CSV against `automl score`'s; and its
 * canonical number form against JavaScript's `String(x)`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentChecksum } from '../../src/artifact/checksum.js';
import { loadPipeline } from '../../src/artifact/scorer.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const RUNTIME_DIR = join(ROOT, 'pipelines', 'runtimes', 'python');
const RUNTIME = join(RUNTIME_DIR, 'automl_scorer.py');
const EXAMPLES = join(ROOT, 'pipelines', 'examples');
const CLI_MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const TOLERANCE = 1e-9;

/** Every example pipeline, found in the folder (other examples may be added). */
const NAMES = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.pipeline.json'))
  .map((f) => f.slice(0, -'.pipeline.json'.length))
  .sort();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], input?: string): Run {
  const r = spawnSync(command, args, { cwd: ROOT, input, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a Python snippet with the runtime importable; the snippet's stdout is returned. */
function python(code: string, input?: string): string {
  const r = run('python3', ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(RUNTIME_DIR)})\n${code}`], input);
  if (r.code !== 0) throw new Error(`python3 failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Loads a pipeline object (as JSON on stdin) with the runtime: 'OK <outputs>' or 'ERROR <code>: <message>'. */
function loadInPython(doc: unknown): string {
  return python(
    [
      'import automl_scorer as a',
      'try:',
      '    s = a.load(sys.stdin.read())',
      "    print('OK', ','.join(s.output_names))",
      'except a.ScoringError as e:',
      "    print('ERROR', e.code + ':', e)",
    ].join('\n'),
    typeof doc === 'string' ? doc : JSON.stringify(doc),
  ).trim();
}

/** A CSV text's records (quoted fields, doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/**
 * The largest difference between two CSV outputs whose cells must be equal: text cells as text,
 * number cells to within the tolerance. Throws naming the first cell that differs otherwise.
 */
function csvDifference(ts: string, py: string): number {
  const a = parseCsv(ts);
  const b = parseCsv(py);
  expect(b.length).toBe(a.length);
  expect(b[0]).toEqual(a[0]);
  let worst = 0;
  a.forEach((row, i) => {
    expect(b[i]!.length, `line ${i + 1}`).toBe(row.length);
    row.forEach((cell, j) => {
      const other = b[i]![j]!;
      if (cell === other) return;
      const x = Number(cell);
      const y = Number(other);
      if (!(cell.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)))
        throw new Error(`line ${i + 1}, column ${a[0]![j]}: '${cell}' (TypeScript) against '${other}' (Python)`);
      worst = Math.max(worst, Math.abs(x - y));
    });
  });
  return worst;
}

describe('the Python runtime: one file, Python 3.9, the standard library', () => {
  const source = readFileSync(RUNTIME, 'utf8');

  it('parses as Python 3.9', () => {
    const out = python("import ast; ast.parse(sys.stdin.read(), feature_version=(3, 9)); print('3.9 ok')", source);
    expect(out.trim()).toBe('3.9 ok');
  });

  it('imports nothing outside the standard library', () => {
    const out = python(
      [
        'import ast',
        'tree = ast.parse(sys.stdin.read())',
        'names = set()',
        'for node in ast.walk(tree):',
        '    if isinstance(node, ast.Import):',
        "        names.update(a.name.split('.')[0] for a in node.names)",
        '    elif isinstance(node, ast.ImportFrom):',
        "        names.add((node.module or '').split('.')[0] if node.level == 0 else '.')",
        'print(sorted(names))',
        'print(sorted(n for n in names if n not in sys.stdlib_module_names))',
      ].join('\n'),
      source,
    );
    const [all, outside] = out.trim().split('\n');
    expect(all).toContain("'json'");
    expect(all).toContain("'hashlib'");
    expect(outside).toBe('[]');
  });

  it('ships in the npm package', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('pipelines/runtimes/python/automl_scorer.py');
  });
});

describe('the Python runtime: the conformance fixture (pipelines/examples)', () => {
  it(`scores every example's inputs to its expected outputs within ${TOLERANCE}`, () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(6);
    const out = python(
      [
        'import json, os',
        'import automl_scorer as a',
        `d = ${JSON.stringify(EXAMPLES)}`,
        'result = {}',
        'for name in json.loads(sys.stdin.read()):',
        "    s = a.load(os.path.join(d, name + '.pipeline.json'))",
        "    rows = json.load(open(os.path.join(d, name + '.inputs.json')))",
        "    expected = json.load(open(os.path.join(d, name + '.expected.json')))",
        '    got = s.score_batch(rows)',
        '    one = [s.score(r) for r in rows]',
        '    assert got == one, name',
        '    result[name] = {"names": s.output_names, "rows": len(rows), "got": got, "expected": [[e[c] for c in s.output_names] for e in expected]}',
        'print(json.dumps(result))',
      ].join('\n'),
      JSON.stringify(NAMES),
    );
    const result = JSON.parse(out) as Record<string, { rows: number; got: number[][]; expected: number[][] }>;
    let largest = 0;
    for (const name of NAMES) {
      const r = result[name]!;
      expect(r.rows, name).toBeGreaterThan(0);
      expect(r.got.length, name).toBe(r.expected.length);
      r.got.forEach((row, i) =>
        row.forEach((p, k) => {
          const d = Math.abs(p - r.expected[i]![k]!);
          expect(d, `${name} row ${i} output ${k}`).toBeLessThanOrEqual(TOLERANCE);
          largest = Math.max(largest, d);
        }),
      );
    }
    console.log(`python runtime: ${NAMES.length} examples, largest difference ${largest}`);
  });
});

describe('the Python runtime: loading as the TypeScript loader does', () => {
  const text = readFileSync(join(EXAMPLES, 'ensemble.pipeline.json'), 'utf8');
  const doc = (): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;
  const resealed = (d: Record<string, unknown>): Record<string, unknown> => ({ ...d, checksum: contentChecksum(d) });

  it('accepts the file re-indented, compacted and with its members reordered', () => {
    const d = doc();
    const reordered = Object.fromEntries(Object.entries(d).reverse());
    expect(loadInPython(JSON.stringify(d))).toBe('OK cool_cond_y.3,cool_cond_y.20,cool_cond_y.100');
    expect(loadInPython(JSON.stringify(reordered, null, 4))).toBe('OK cool_cond_y.3,cool_cond_y.20,cool_cond_y.100');
  });

  it('refuses a file with one number edited (PIPELINE_CHANGED)', () => {
    const edited = text.replace(/"weight": 0\.3\b/, '"weight": 0.31');
    expect(edited).not.toBe(text);
    const out = loadInPython(edited);
    expect(out).toMatch(/^ERROR PIPELINE_CHANGED: the pipeline was changed after it was exported/);
    expect(out).toContain(`stated ${(doc()['checksum'] as string).slice(0, 12)}…`);
  });

  it('computes the checksum the TypeScript side computes, numbers and strings included', () => {
    const d = doc();
    (d['metrics'] as Record<string, unknown>)['edge'] = [
      1e21,
      1e-7,
      5e-324,
      -0,
      0.1,
      1.7976931348623157e308,
      'é\u2028"\\\n\u0001😀',
    ];
    expect(loadInPython(resealed(d))).toBe('OK cool_cond_y.3,cool_cond_y.20,cool_cond_y.100');
  });

  it('refuses an unknown member, naming where it is', () => {
    const d = doc();
    const members = (d['model'] as { members: Record<string, unknown>[] }).members;
    (members[1]!['model'] as Record<string, unknown>)['dropout'] = 0.5;
    const out = loadInPython(resealed(d));
    expect(out).toMatch(/^ERROR PIPELINE_FORMAT: /);
    expect(out).toContain('a member "dropout" in model.members[1].model that format 2.2 does not define');
  });

  it('refuses an unknown model kind, naming where it is', () => {
    const d = doc();
    const members = (d['model'] as { members: Record<string, unknown>[] }).members;
    (members[2]!['model'] as Record<string, unknown>)['kind'] = 'svm';
    expect(loadInPython(resealed(d))).toContain('a model of kind "svm" in model.members[2].model');
  });

  it('refuses a newer major version and a 1.x file, each with what to do', () => {
    const newer = loadInPython(resealed({ ...doc(), formatVersion: '3.0' }));
    expect(newer).toMatch(/^ERROR PIPELINE_VERSION: .*is format version 3\.0, .*reads version 2\.x files/);
    expect(newer).toContain('use a newer automl to score it');
    const older = loadInPython(resealed({ ...doc(), formatVersion: '1.2' }));
    expect(older).toContain('export the pipeline again with this automl');
  });

  it('reads a newer minor version, unless it holds a member this one does not know', () => {
    expect(loadInPython(resealed({ ...doc(), formatVersion: '2.7' }))).toMatch(/^OK /);
    const d = { ...doc(), formatVersion: '2.7', explanations: {} };
    expect(loadInPython(resealed(d))).toContain('the file is format 2.7, newer than this automl');
  });
});

describe('the Python runtime: format 2.2 (text fields, date and text steps) as the TypeScript loader reads it', () => {
  const text = readFileSync(join(EXAMPLES, 'date-text.pipeline.json'), 'utf8');
  const doc = (): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;
  const resealed = (d: Record<string, unknown>): Record<string, unknown> => ({ ...d, checksum: contentChecksum(d) });
  const steps = (d: Record<string, unknown>): Record<string, unknown>[] =>
    (d['features'] as { steps: Record<string, unknown>[] }).steps;
  /** The TypeScript loader's answer for the same object: 'OK' or its message. */
  const inTypeScript = (d: unknown): string => {
    try {
      loadPipeline(JSON.stringify(d));
      return 'OK';
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('reads the 2.2 example, and refuses it relabelled 2.1 (it holds text fields and date and text steps)', () => {
    expect(loadInPython(text)).toBe('OK liked.no,liked.yes');
    const older = resealed({ ...doc(), formatVersion: '2.1' });
    const out = loadInPython(older);
    expect(out).toMatch(/^ERROR PIPELINE_FORMAT: /);
    expect(out).toContain(
      'has a text input field or a date or text step, which format 2.1 does not have (they came with 2.2)',
    );
    expect(inTypeScript(older)).toContain('which format 2.1 does not have (they came with 2.2)');
  });

  it('refuses an unknown member of a date or a text step, and a missing one, naming where it is', () => {
    const extra = doc();
    steps(extra)[1]!['stopWords'] = ['the'];
    const out = loadInPython(resealed(extra));
    expect(out).toContain('a member "stopWords" in features.steps[1] that format 2.2 does not define');
    expect(inTypeScript(resealed(extra))).toContain('a member "stopWords" in features.steps[1]');
    const lacking = doc();
    delete steps(lacking)[0]!['format'];
    expect(loadInPython(resealed(lacking))).toContain('has no "format" in features.steps[0]');
  });

  it('checks the steps as the TypeScript scorer does: the same message for a bad value', () => {
    const edits: [string, (d: Record<string, unknown>) => void][] = [
      ['date format', (d) => (steps(d)[0]!['format'] = 'ymd')],
      ['date parts out of order', (d) => (steps(d)[0]!['parts'] = ['month', 'year'])],
      ['text step on a numeric field', (d) => (steps(d)[1]!['column'] = 'amount')],
      ['text seed', (d) => (steps(d)[1]!['seed'] = -1)],
      [
        'text indices not ascending',
        (d) => (steps(d)[1]!['indices'] = [...(steps(d)[1]!['indices'] as number[])].reverse()),
      ],
    ];
    for (const [what, edit] of edits) {
      const d = doc();
      edit(d);
      const ts = inTypeScript(resealed(d));
      expect(ts, what).not.toBe('OK');
      const py = loadInPython(resealed(d));
      expect(py, what).toMatch(/^ERROR PIPELINE_FORMAT: /);
      expect(py.replace(/^ERROR PIPELINE_FORMAT: /, ''), what).toBe(ts);
    }
  });

  it('reads a text cell as text: a number as its JavaScript text, a missing-value text as missing; refuses an object', () => {
    const base = (
      JSON.parse(readFileSync(join(EXAMPLES, 'date-text.inputs.json'), 'utf8')) as Record<string, unknown>[]
    )[3]!;
    const reviews: unknown[] = [null, 'NA', ' null ', '', 7, '7', 'awful refund broken', base['review']];
    const rows = reviews.map((review) => ({ ...base, review }));
    const out = python(
      [
        'import json',
        'import automl_scorer as a',
        `s = a.load(${JSON.stringify(join(EXAMPLES, 'date-text.pipeline.json'))})`,
        'rows = json.loads(sys.stdin.read())',
        'scores = [s.score(r) for r in rows]',
        'try:',
        "    s.score(dict(rows[0], review={'x': 1}))",
        "    bad = 'scored'",
        'except a.ScoringError as e:',
        "    bad = e.code + ': ' + str(e)",
        "print(json.dumps({'scores': scores, 'bad': bad}))",
      ].join('\n'),
      JSON.stringify(rows),
    );
    const r = JSON.parse(out) as { scores: number[][]; bad: string };
    const scorer = loadPipeline(join(EXAMPLES, 'date-text.pipeline.json'));
    rows.forEach((row, i) =>
      scorer
        .score(row)
        .forEach((p, k) => expect(Math.abs(r.scores[i]![k]! - p), `row ${i}`).toBeLessThanOrEqual(TOLERANCE)),
    );
    // The missing forms score as null does, 7 as '7'; the review is read (another one scores differently).
    for (const i of [1, 2, 3]) expect(r.scores[i]).toEqual(r.scores[0]);
    expect(r.scores[4]).toEqual(r.scores[5]);
    expect(r.scores[6]).not.toEqual(r.scores[7]);
    expect(r.bad).toBe(`BAD_VALUE: row 0, field 'review': {"x": 1} is not text; send a string`);
  });
});

describe('the Python runtime: the command against `automl score`', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'automl-python-'));
    if (!existsSync(CLI_MAIN)) {
      const b = run('npm', ['run', 'build']);
      if (b.code !== 0) throw new Error(`npm run build failed: ${b.stderr}`);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A CSV of an example's inputs and more: missing-value tokens, unseen levels, quoted fields, CRLF. */
  function exampleCsv(name: string): { path: string; target: string } {
    const doc = JSON.parse(readFileSync(join(EXAMPLES, `${name}.pipeline.json`), 'utf8')) as {
      target: string;
      classes: string[] | null;
      inputs: { name: string; type: string }[];
    };
    const rows = JSON.parse(readFileSync(join(EXAMPLES, `${name}.inputs.json`), 'utf8')) as Record<string, unknown>[];
    const fields = doc.inputs.map((f) => f.name);
    const quote = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const odd = [
      '',
      'NA',
      ' nan ',
      'null',
      '?',
      ' 1.5 ',
      '1e-3',
      '-0',
      '+2.',
      '.5',
      '0.1000000000000000055511151231257827',
    ];
    const lines = [['id', ...fields, doc.target].map(quote).join(',')];
    for (let i = 0; i < rows.length * 3; i++) {
      const row = rows[i % rows.length]!;
      const cells = doc.inputs.map((f, j) => {
        const v = row[f.name];
        if ((i * 7 + j) % 11 === 0)
          return f.type === 'numeric' ? odd[(i + j) % odd.length]! : ['NA', 'never, seen', ''][i % 3]!;
        return v === null || v === undefined ? '' : String(v);
      });
      const label = doc.classes ? doc.classes[i % doc.classes.length]! : String(i);
      lines.push([`row ${i}, "x"`, ...cells, label].map(quote).join(','));
    }
    const path = join(dir, `${name}.csv`);
    writeFileSync(path, `${lines.join('\r\n')}\r\n`);
    return { path, target: doc.target };
  }

  it(`prints the columns of automl score, numbers within ${TOLERANCE}, with --keep`, () => {
    let largest = 0;
    for (const name of NAMES) {
      const { path, target } = exampleCsv(name);
      const pipeline = join(EXAMPLES, `${name}.pipeline.json`);
      const ts = run('node', [CLI_MAIN, 'score', '--pipeline', pipeline, '--data', path, '--keep', `id,${target}`]);
      expect(ts.code, ts.stderr).toBe(0);
      const py = run('python3', [RUNTIME, pipeline, path, '--keep', 'id', '--keep', target]);
      expect(py.code, py.stderr).toBe(0);
      expect(py.stdout.split('\n')[0]).toBe(ts.stdout.split('\n')[0]);
      largest = Math.max(largest, csvDifference(ts.stdout, py.stdout));
      // The same counts of unseen levels on standard error.
      const unseen = (s: string): string[] => s.split('\n').filter((l) => l.includes('never seen in training'));
      expect(unseen(py.stderr)).toEqual(unseen(ts.stderr));
    }
    console.log(`python runtime CLI: ${NAMES.length} examples, largest difference from automl score ${largest}`);
  });

  it('writes --out under a temporary name, the same CSV as standard output', () => {
    const { path } = exampleCsv('gbdt');
    const pipeline = join(EXAMPLES, 'gbdt.pipeline.json');
    const out = join(dir, 'scores.csv');
    const r = run('python3', [RUNTIME, pipeline, path, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^scored 30 rows of .* → .*scores\.csv\n$/);
    expect(readFileSync(out, 'utf8')).toBe(run('python3', [RUNTIME, pipeline, path, '--quiet']).stdout);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a CSV without a column the pipeline needs: exit 2 and one line naming it', () => {
    const pipeline = join(EXAMPLES, 'gbdt.pipeline.json');
    const doc = JSON.parse(readFileSync(pipeline, 'utf8')) as { inputs: { name: string }[] };
    const names = doc.inputs.map((f) => f.name).filter((n) => n !== 'tsb_temp');
    const path = join(dir, 'lacking.csv');
    writeFileSync(path, `${names.join(',')}\n${names.map(() => '1').join(',')}\n`);
    const r = run('python3', [RUNTIME, pipeline, path]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `automl_scorer: error: ${path} lacks a column the pipeline needs: tsb_temp (extra columns are ignored; a missing value is an empty field)\n`,
    );
  });

  it('a value that is not a number, a missing file, a changed pipeline: exit 2, one line, no traceback', () => {
    const pipeline = join(EXAMPLES, 'glm.pipeline.json');
    const doc = JSON.parse(readFileSync(pipeline, 'utf8')) as { inputs: { name: string }[] };
    const names = doc.inputs.map((f) => f.name);
    const path = join(dir, 'bad.csv');
    writeFileSync(
      path,
      `${names.join(',')}\n${names.map(() => '1').join(',')}\n${names.map((_, j) => (j === 2 ? 'abc' : '1')).join(',')}\n`,
    );
    const bad = run('python3', [RUNTIME, pipeline, path]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${path}:3: field '${names[2]}' holds "abc", which is not a number`);
    const skip = run('python3', [RUNTIME, pipeline, path, '--on-error', 'skip', '--quiet']);
    expect(skip.code).toBe(0);
    expect(skip.stdout.trim().split('\n')).toHaveLength(2);

    const nofile = run('python3', [RUNTIME, join(dir, 'nope.pipeline.json'), path]);
    expect(nofile.code).toBe(2);
    expect(nofile.stderr).toBe(`automl_scorer: error: ${join(dir, 'nope.pipeline.json')}: no such pipeline file\n`);

    const changed = join(dir, 'changed.pipeline.json');
    const edited = JSON.parse(readFileSync(pipeline, 'utf8')) as { model: { intercept: number[] } };
    edited.model.intercept[0]! += 1;
    writeFileSync(changed, JSON.stringify(edited, null, 2));
    const c = run('python3', [RUNTIME, changed, path]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/^automl_scorer: error: .*changed\.pipeline\.json was changed after it was exported/);
    for (const r of [bad, nofile, c]) {
      expect(r.stderr).not.toContain('Traceback');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('the Python runtime: canonical JSON numbers', () => {
  /** Doubles from random bits (a seeded xorshift), and the edge cases. */
  function doubles(): number[] {
    const out = [1e21, 1e-7, 5e-324, -0, 0, 1.7976931348623157e308, 1e-6, 1e20, 123e18, 0.1, 100, 1.5e300, -2.5e-8];
    out.push(2 ** 53, 2 ** 53 + 2, 4.35, 0.000001234, 999999999999999900000, 1 / 3, -1e21, 9.999999999999999e20);
    let s = 0x9e3779b9;
    const next = (): number => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return s >>> 0;
    };
    const view = new DataView(new ArrayBuffer(8));
    while (out.length < 400) {
      view.setUint32(0, next());
      view.setUint32(4, next());
      const x = view.getFloat64(0);
      if (Number.isFinite(x)) out.push(x);
      // Short decimals at every scale too, where the notation changes.
      out.push(Number(`${next() % 1000}e${(next() % 60) - 30}`));
    }
    return out;
  }

  it("writes a few hundred doubles as JavaScript's String(x) does", () => {
    const xs = doubles();
    const bits = xs.map((x) => {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, x);
      return `${view.getUint32(0).toString(16).padStart(8, '0')}${view.getUint32(4).toString(16).padStart(8, '0')}`;
    });
    const out = python(
      [
        'import struct',
        'from automl_scorer import js_number',
        'for h in sys.stdin.read().split():',
        "    print(js_number(struct.unpack('>d', bytes.fromhex(h))[0]))",
      ].join('\n'),
      bits.join('\n'),
    );
    const got = out.trim().split('\n');
    expect(got).toHaveLength(xs.length);
    expect(xs.length).toBeGreaterThanOrEqual(400);
    xs.forEach((x, i) => expect(got[i], bits[i]).toBe(String(x)));
  });
});
