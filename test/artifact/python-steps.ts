/**
 * Runs the Python runtime's date and text steps (pipelines/runtimes/python/automl_scorer.py:
 * murmur3, text_tokens, text_grams, text_outputs, date_outputs, text_value, DATE_PARTS) with
 * `python3` on a JSON request, for tests that compare it with the TypeScript scorer bit for bit.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const DIR = join(import.meta.dirname, '..', '..', 'pipelines', 'runtimes', 'python');

/**
 * Evaluates `expression` in Python with `d` the module and `req` the request (JSON), and returns
 * its value as JSON (NaN as null).
 */
export function python<T>(expression: string, req: unknown): T {
  const script = [
    'import json, math, sys',
    `sys.path.insert(0, ${JSON.stringify(DIR)})`,
    'import automl_scorer as d',
    'req = json.loads(sys.stdin.read())',
    `out = ${expression}`,
    'def clean(v):',
    '    if isinstance(v, float) and v != v: return None',
    '    if isinstance(v, (list, tuple)): return [clean(x) for x in v]',
    '    return v',
    'sys.stdout.write(json.dumps(clean(out)))',
  ].join('\n');
  const text = execFileSync('python3', ['-c', script], { input: JSON.stringify(req), encoding: 'utf8' });
  return JSON.parse(text) as T;
}
