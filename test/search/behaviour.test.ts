/**
 * Behaviour unchanged: `automl run` on each of the five hydraulic targets, run deterministically
 * (`--max-models 4 --seed 42 --threads 1`), exports the same pipeline as the one recorded in
 * test/search/expected/behaviour.json. A refactoring that should change nothing must keep this
 * test passing without touching the expectation.
 *
 * The pipeline file is compared after removing what legitimately differs between two runs of
 * the same command (checked by running it twice): `pipelineId` (a fresh UUID), `checksum` (it
 * covers the id and the times), `provenance.fittedAt` / `provenance.exportedAt`, and, so that a
 * version bump alone is not a change of behaviour, `formatVersion` and `provenance.toolVersion`.
 * What is recorded per target is the sha256 of the RFC 8785 canonical JSON of that normalised
 * pipeline, plus a few readable fields (model kind, number of trees or coefficients, test
 * logloss) so that a failure says roughly what changed.
 *
 * To regenerate the expectation after an intended change of behaviour, run
 *
 *   npm run build && UPDATE_EXPECTED=1 npx vitest run test/search/behaviour.test.ts
 *
 * and commit test/search/expected/behaviour.json with the change that explains it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/artifact/canonical-json.js';
import { runCli } from '../cli/run-cli.js';

const TARGETS = ['cool_cond_y', 'valve_cond_y', 'pump_leak_y', 'acc_gas_leak_y', 'stable_y'] as const;
const EXPECTED_PATH = join(dirname(fileURLToPath(import.meta.url)), 'expected', 'behaviour.json');
const UPDATE = process.env['UPDATE_EXPECTED'] === '1';
const LONG = 120_000;

/** What is recorded per target. */
interface Summary {
  modelKind: string;
  /** Trees of a tree ensemble (summed over members of an ensemble), else null. */
  trees: number | null;
  /** Weights plus intercepts of a linear model (summed over members), else null. */
  coefficients: number | null;
  testLogloss: number;
  /** sha256 of the canonical JSON of the normalised pipeline. */
  sha256: string;
}

type Json = Record<string, unknown>;

/** The pipeline without what varies between two identical runs. */
function normalisePipeline(file: Json): Json {
  const copy = structuredClone(file);
  delete copy['pipelineId'];
  delete copy['checksum'];
  delete copy['formatVersion'];
  const provenance = copy['provenance'] as Json | undefined;
  if (provenance) {
    delete provenance['fittedAt'];
    delete provenance['exportedAt'];
    delete provenance['toolVersion'];
  }
  return copy;
}

function countModel(node: Json): { trees: number; coefficients: number } {
  let trees = 0;
  let coefficients = 0;
  if (Array.isArray(node['trees'])) trees += node['trees'].length;
  if (node['kind'] === 'linear') {
    coefficients += (node['weights'] as unknown[]).length + (node['intercept'] as unknown[]).length;
  }
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const item of value) {
        if (item && typeof item === 'object' && !Array.isArray(item) && 'kind' in item) {
          const sub = countModel(item as Json);
          trees += sub.trees;
          coefficients += sub.coefficients;
        }
      }
    } else if (value && typeof value === 'object' && 'kind' in value) {
      const sub = countModel(value as Json);
      trees += sub.trees;
      coefficients += sub.coefficients;
    }
  }
  return { trees, coefficients };
}

function summarise(file: Json): Summary {
  const model = file['model'] as Json;
  const { trees, coefficients } = countModel(model);
  const metrics = file['metrics'] as { test: { logloss: number } };
  return {
    modelKind: String(model['kind']),
    trees: trees > 0 ? trees : null,
    coefficients: coefficients > 0 ? coefficients : null,
    testLogloss: metrics.test.logloss,
    sha256: createHash('sha256')
      .update(canonicalJson(normalisePipeline(file)), 'utf8')
      .digest('hex'),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'automl-behaviour-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runTarget(target: string): Promise<Summary> {
  const out = join(dir, target);
  const r = await runCli(
    ['run', '--target', target, '--max-models', '4', '--seed', '42', '--threads', '1', '--out-dir', out, '--quiet'],
    { timeoutMs: LONG },
  );
  if (r.code !== 0) throw new Error(`automl run --target ${target} exited with ${r.code}: ${r.stderr}`);
  const pipelines = join(out, 'pipelines');
  const files = readdirSync(pipelines).filter((f) => f.endsWith('.pipeline.json'));
  if (files.length !== 1) throw new Error(`expected one pipeline in ${pipelines}, found ${files.join(', ')}`);
  return summarise(JSON.parse(readFileSync(join(pipelines, files[0]!), 'utf8')) as Json);
}

describe('behaviour unchanged: automl run on the hydraulic targets', () => {
  it(
    'exports the recorded pipeline for each of the five targets',
    async () => {
      const summaries = await Promise.all(TARGETS.map((t) => runTarget(t)));
      const actual: Record<string, Summary> = Object.fromEntries(TARGETS.map((t, i) => [t, summaries[i]!]));
      if (UPDATE) {
        writeFileSync(EXPECTED_PATH, JSON.stringify(actual, null, 2) + '\n');
        return;
      }
      if (!existsSync(EXPECTED_PATH)) {
        throw new Error(`${EXPECTED_PATH} does not exist; run with UPDATE_EXPECTED=1 to record it`);
      }
      const expected = JSON.parse(readFileSync(EXPECTED_PATH, 'utf8')) as Record<string, Summary>;
      for (const t of TARGETS) expect(actual[t], t).toEqual(expected[t]);
      expect(Object.keys(expected).sort()).toEqual([...TARGETS].sort());
    },
    LONG,
  );
});
