// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layering the design notes ask for, enforced here (test/lint/layering.test.ts shows each rule
 * at work):
 *   - src/artifact (the pipeline format, its loader, the standalone scorer) imports nothing outside
 *     src/artifact and no package: only node: built-ins;
 *   - src/data, src/models, src/features and src/metrics never import src/search or src/cli;
 *   - nothing in src/ but src/cli imports recipes/.
 * `no-restricted-imports` sees static imports and re-exports; a dynamic `import()` it does not
 * see, so the same regular expressions are applied to `ImportExpression` by `no-restricted-syntax`.
 * Import paths are checked as written (not resolved), so leaving src/artifact is a question of how
 * many `../` a file at a given depth may climb: one config per depth below src/artifact.
 * (A later config replaces an earlier one's options for the same rule, so each file set gets the
 * complete list of what it may not import.)
 */
const SOURCE_EXT = '{ts,mts,cts,js,mjs,cjs}';

/**
 * `selector`: the regex for the dynamic-import selector when `regex` uses what esquery cannot
 * read (a lookahead).
 * @typedef {{ regex: string, message: string, selector?: string }} Restriction
 */

/** @type {Restriction} */
const NO_RECIPES = {
  regex: '^(\\.\\./)+recipes(/|$)',
  message:
    'Only src/cli imports recipes/: core code gets what it needs from a recipe (e.g. its label columns) from the caller.',
};
/** @type {Restriction} */
const NO_SEARCH_OR_CLI = {
  regex: '^(\\.\\./)+(search|cli)(/|$)',
  message:
    'src/data, src/models, src/features and src/metrics never import src/search or src/cli (the search builds on them, not the other way round).',
};
/** @type {Restriction} */
const NO_OTHER_FAMILY = {
  regex: '^\\.\\./(?!trees/)[^./][^/]*/',
  // The same without a lookahead: a folder beside the family's own whose name is not `trees`.
  selector: '^\\.\\.[/]([^./t][^/]*|t[^r/][^/]*|tr[^e/][^/]*|tre[^e/][^/]*|tree[^s/][^/]*|trees[^/]+|t|tr|tre|tree)[/]',
  message:
    'A model family (a folder of src/models) imports no other family: what tree families share lives in src/models/trees/, what all share in src/models/*.ts.',
};
/** @type {Restriction} */
const NO_PACKAGES = {
  regex: '^(?!\\.|node:)',
  message:
    'src/artifact (the scoring side) imports no package, only node: built-ins, so the scorer stays portable and small.',
};
/** @type {(depth: number) => Restriction} */
const leavingArtifact = (depth) => ({
  regex: `^(\\.\\./){${depth + 1}}`,
  message:
    'src/artifact (the scoring side) imports nothing outside src/artifact: the scorer never depends on training code.',
});

/**
 * Both rules for one file set: static imports and re-exports, then dynamic import().
 * @param {Restriction[]} restrictions
 * @param {boolean} [literalOnly] also refuse import() of a computed specifier
 */
function restrict(restrictions, literalOnly = false) {
  return {
    'no-restricted-imports': ['error', { patterns: restrictions.map((r) => ({ regex: r.regex, message: r.message })) }],
    'no-restricted-syntax': [
      'error',
      ...restrictions.map((r) => ({
        // esquery reads the regex between slashes: a slash inside it is written as [/].
        selector: `ImportExpression[source.value=/${r.selector ?? r.regex.replaceAll('/', '[/]')}/]`,
        message: r.message,
      })),
      ...(literalOnly
        ? [
            {
              selector: "ImportExpression[source.type!='Literal']",
              message: 'src/artifact imports only named modules: a computed import() could load anything.',
            },
          ]
        : []),
    ],
  };
}

/** Depths below src/artifact covered: src/artifact/x.ts is depth 0, src/artifact/a/x.ts depth 1, … */
const ARTIFACT_DEPTHS = [0, 1, 2, 3, 4, 5];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'experiments/runs/', 'coverage/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use the seeded RNG in src/util/random.ts.' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // Layering (see the comment at the top).
  {
    files: [`src/**/*.${SOURCE_EXT}`],
    ignores: [`src/cli/**`],
    rules: restrict([NO_RECIPES]),
  },
  {
    files: ['data', 'models', 'features', 'metrics'].map((d) => `src/${d}/**/*.${SOURCE_EXT}`),
    rules: restrict([NO_RECIPES, NO_SEARCH_OR_CLI]),
  },
  {
    files: [`src/models/*/**/*.${SOURCE_EXT}`],
    rules: restrict([NO_RECIPES, NO_SEARCH_OR_CLI, NO_OTHER_FAMILY]),
  },
  // Deeper than ARTIFACT_DEPTHS: no parent import at all (stricter, never looser).
  {
    files: [`src/artifact/**/*.${SOURCE_EXT}`],
    rules: restrict([leavingArtifact(0), NO_PACKAGES], true),
  },
  ...ARTIFACT_DEPTHS.map((depth) => ({
    files: [`src/artifact/${'*/'.repeat(depth)}*.${SOURCE_EXT}`],
    rules: restrict([leavingArtifact(depth), NO_PACKAGES], true),
  })),
);
