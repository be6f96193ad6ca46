/**
 * The layering rules of eslint.config.js at work: small snippets, linted as if they were files in
 * the restricted folders (ESLint's Node API, `lintText` with a `filePath`; nothing is written),
 * are reported when they import across a boundary, statically or with a dynamic import(), and a
 * clean snippet is not.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cli/run-cli.js';

const eslint = new ESLint({ cwd: REPO_ROOT });

/** The layering messages (no-restricted-imports / no-restricted-syntax) for `code` as if at `file`. */
async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, file) });
  expect(result, file).toBeDefined();
  // A file the config ignored would report nothing; make sure this one was linted.
  expect(result!.messages.filter((m) => m.message.includes('File ignored'))).toEqual([]);
  expect(
    result!.messages.filter((m) => m.fatal),
    `${file} parses`,
  ).toEqual([]);
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => `${m.ruleId}: ${m.message}`);
}

const LEAVES_ARTIFACT = /src\/artifact \(the scoring side\) imports nothing outside src\/artifact/;
const NO_PACKAGE = /imports no package, only node: built-ins/;
const NO_SEARCH = /never import src\/search or src\/cli/;
const NO_RECIPES = /Only src\/cli imports recipes\//;

describe('layering: src/artifact imports nothing outside it but node: built-ins', () => {
  const cases: [string, string, RegExp, string][] = [
    [
      'src/artifact/x.ts',
      "import { writeFileAtomic } from '../util/fs.js';\nexport const f = writeFileAtomic;\n",
      LEAVES_ARTIFACT,
      'no-restricted-imports',
    ],
    [
      'src/artifact/x.ts',
      "import type { Table } from '../data/table.js';\nexport type T = Table;\n",
      LEAVES_ARTIFACT,
      'no-restricted-imports',
    ],
    [
      'src/artifact/x.ts',
      "export { packageVersion } from '../util/paths.js';\n",
      LEAVES_ARTIFACT,
      'no-restricted-imports',
    ],
    [
      'src/artifact/format/x.ts',
      "import { Rng } from '../../util/random.js';\nexport const r = Rng;\n",
      LEAVES_ARTIFACT,
      'no-restricted-imports',
    ],
    [
      'src/artifact/steps/x.ts',
      "import { RECIPES } from '../../../recipes/index.js';\nexport const r = RECIPES;\n",
      LEAVES_ARTIFACT,
      'no-restricted-imports',
    ],
    [
      'src/artifact/x.ts',
      "import { parse } from 'csv-parse/sync';\nexport const p = parse;\n",
      NO_PACKAGE,
      'no-restricted-imports',
    ],
    ['src/artifact/x.ts', "import fs from 'fs';\nexport const f = fs;\n", NO_PACKAGE, 'no-restricted-imports'],
    [
      'src/artifact/x.ts',
      "export async function f() { return import('../search/experiment.js'); }\n",
      LEAVES_ARTIFACT,
      'no-restricted-syntax',
    ],
    [
      'src/artifact/format/x.ts',
      "export async function f() { return import('../../util/fs.js'); }\n",
      LEAVES_ARTIFACT,
      'no-restricted-syntax',
    ],
    [
      'src/artifact/x.ts',
      "export async function f() { return import('fastify'); }\n",
      NO_PACKAGE,
      'no-restricted-syntax',
    ],
    [
      'src/artifact/x.ts',
      'export async function f(name: string) { return import(name); }\n',
      /a computed import\(\) could load anything/,
      'no-restricted-syntax',
    ],
  ];
  for (const [file, code, message, rule] of cases) {
    it(`reports ${JSON.stringify(code.split('\n')[0])} in ${file} (${rule})`, async () => {
      const errors = await layeringErrors(file, code);
      expect(
        errors.some((e) => e.startsWith(`${rule}: `) && message.test(e)),
        errors.join('\n'),
      ).toBe(true);
    });
  }

  it('accepts imports inside src/artifact, node: built-ins and type-only siblings', async () => {
    expect(
      await layeringErrors(
        'src/artifact/x.ts',
        "import { createHash } from 'node:crypto';\nimport { canonicalJson } from './canonical-json.js';\nimport type { PipelineFile } from './format/pipeline.js';\nexport const f = (p: PipelineFile) => createHash('sha256').update(canonicalJson(p)).digest('hex');\nexport const g = () => import('./scorer.js');\n",
      ),
    ).toEqual([]);
    expect(
      await layeringErrors(
        'src/artifact/format/x.ts',
        "import type { LinearNode } from './linear.js';\nimport { sha256Hex } from '../checksum.js';\nexport type L = LinearNode;\nexport const h = sha256Hex;\n",
      ),
    ).toEqual([]);
    expect(
      await layeringErrors(
        'src/artifact/steps/x.ts',
        "import type { InputField } from '../format/features.js';\nimport { readFileSync } from 'node:fs';\nexport type I = InputField;\nexport const r = readFileSync;\n",
      ),
    ).toEqual([]);
  });
});

describe('layering: src/data, src/models, src/features, src/metrics never import src/search or src/cli', () => {
  const cases: [string, string, string][] = [
    [
      'src/data/x.ts',
      "import { runExperiment } from '../search/experiment.js';\nexport const r = runExperiment;\n",
      'no-restricted-imports',
    ],
    [
      'src/models/gbdt/x.ts',
      "import type { Candidate } from '../../search/types.js';\nexport type C = Candidate;\n",
      'no-restricted-imports',
    ],
    [
      'src/features/x.ts',
      "import { fmt } from '../cli/describe.js';\nexport const f = fmt;\n",
      'no-restricted-imports',
    ],
    [
      'src/metrics/x.ts',
      "export async function f() { return import('../search/automl.js'); }\n",
      'no-restricted-syntax',
    ],
    ['src/models/x.ts', "export async function f() { return import('../cli/main.js'); }\n", 'no-restricted-syntax'],
  ];
  for (const [file, code, rule] of cases) {
    it(`reports ${JSON.stringify(code.split('\n')[0])} in ${file} (${rule})`, async () => {
      const errors = await layeringErrors(file, code);
      expect(
        errors.some((e) => e.startsWith(`${rule}: `) && NO_SEARCH.test(e)),
        errors.join('\n'),
      ).toBe(true);
    });
  }

  it('accepts imports among the core folders and of packages', async () => {
    expect(
      await layeringErrors(
        'src/models/x.ts',
        "import type { Table } from '../data/table.js';\nimport { METRICS } from '../metrics/registry.js';\nimport { parse } from 'csv-parse/sync';\nexport type T = Table;\nexport const m = [METRICS, parse];\nexport const t = () => import('@tensorflow/tfjs-core');\n",
      ),
    ).toEqual([]);
  });
});

describe('layering: a model family imports no other family', () => {
  const OTHER_FAMILY = /A model family \(a folder of src\/models\) imports no other family/;
  const cases: [string, string, string][] = [
    [
      'src/models/forest/x.ts',
      "import { TreeLearner } from '../gbdt/tree-learner.js';\nexport const t = TreeLearner;\n",
      'no-restricted-imports',
    ],
    [
      'src/models/trees/x.ts',
      "import type { GbdtParams } from '../gbdt/gbdt.js';\nexport type P = GbdtParams;\n",
      'no-restricted-imports',
    ],
    ['src/models/glm/x.ts', "export async function f() { return import('../mlp/mlp.js'); }\n", 'no-restricted-syntax'],
  ];
  for (const [file, code, rule] of cases) {
    it(`reports ${JSON.stringify(code.split('\n')[0])} in ${file} (${rule})`, async () => {
      const errors = await layeringErrors(file, code);
      expect(
        errors.some((e) => e.startsWith(`${rule}: `) && OTHER_FAMILY.test(e)),
        errors.join('\n'),
      ).toBe(true);
    });
  }

  it('a family may import src/models/trees/, the shared src/models/*.ts and the scoring side', async () => {
    expect(
      await layeringErrors(
        'src/models/forest/x.ts',
        "import { fitBins } from '../trees/binning.js';\nimport type { FitData } from '../types.js';\nimport { TreeScorer } from '../../artifact/tree-scorer.js';\nimport { ForestLearner } from './forest-learner.js';\nexport const g = () => import('../trees/tree.js');\nexport const h = () => import('../types.js');\nexport type D = FitData;\nexport const f = [fitBins, TreeScorer, ForestLearner];\n",
      ),
    ).toEqual([]);
  });
  it('the family rule keeps the core rules: a family still may not import src/search', async () => {
    const errors = await layeringErrors(
      'src/models/gbdt/x.ts',
      "import type { Candidate } from '../../search/types.js';\nexport type C = Candidate;\n",
    );
    expect(
      errors.some((e) => NO_SEARCH.test(e)),
      errors.join('\n'),
    ).toBe(true);
  });
});

describe('layering: nothing in src/ but src/cli imports recipes/', () => {
  const cases: [string, string, string][] = [
    [
      'src/data/x.ts',
      "import { hydraulicDataPath } from '../../recipes/hydraulic/schema.js';\nexport const p = hydraulicDataPath;\n",
      'no-restricted-imports',
    ],
    [
      'src/search/x.ts',
      "import { recipeForColumns } from '../../recipes/index.js';\nexport const r = recipeForColumns;\n",
      'no-restricted-imports',
    ],
    [
      'src/serve/x.ts',
      "export async function f() { return import('../../recipes/index.js'); }\n",
      'no-restricted-syntax',
    ],
    ['src/index.ts', "export { RECIPES } from '../recipes/index.js';\n", 'no-restricted-imports'],
  ];
  for (const [file, code, rule] of cases) {
    it(`reports ${JSON.stringify(code.split('\n')[0])} in ${file} (${rule})`, async () => {
      const errors = await layeringErrors(file, code);
      expect(
        errors.some((e) => e.startsWith(`${rule}: `) && NO_RECIPES.test(e)),
        errors.join('\n'),
      ).toBe(true);
    });
  }

  it('src/cli may import recipes/, and src/search may import the core folders', async () => {
    expect(
      await layeringErrors(
        'src/cli/x.ts',
        "import { recipeForColumns } from '../../recipes/index.js';\nexport const r = recipeForColumns;\nexport const g = () => import('../../recipes/index.js');\n",
      ),
    ).toEqual([]);
    expect(
      await layeringErrors(
        'src/search/x.ts',
        "import { holdoutSplit } from '../split/holdout.js';\nimport { FeatureScorer } from '../artifact/feature-scorer.js';\nexport const h = [holdoutSplit, FeatureScorer];\n",
      ),
    ).toEqual([]);
  });
});
