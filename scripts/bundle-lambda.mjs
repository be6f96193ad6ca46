/**
 * The AWS Lambda bundle: src/serve/lambda-entry.ts and what it imports, bundled by esbuild into one
 * ES module, dist/lambda/index.mjs (platform node, target node20, not minified). `npm run build`
 * runs it after tsc; `automl export lambda` zips its output with a pipeline.
 *
 * The scoring side never imports training code (the house plan, DESIGN.md), and the bundle is
 * the proof: every input esbuild read must be the Lambda handler, the request layer or the
 * artifact (src/serve/lambda*.ts, src/serve/request.ts, src/artifact/**), and every import left
 * in the output a node: built-in. Anything else fails the build, naming the file.
 *
 *   node scripts/bundle-lambda.mjs [ENTRY] [OUTFILE]   (defaults: the entry above, dist/lambda/index.mjs)
 */
import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ALLOWED = [/^src\/serve\/lambda[^/]*\.ts$/, /^src\/serve\/request\.ts$/, /^src\/artifact\/.+\.ts$/];

const entry = resolve(process.argv[2] ?? join(ROOT, 'src', 'serve', 'lambda-entry.ts'));
const outfile = resolve(process.argv[3] ?? join(ROOT, 'dist', 'lambda', 'index.mjs'));

let result;
try {
  result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: false,
    sourcemap: false,
    legalComments: 'inline',
    metafile: true,
    // Written below, only once the inputs are checked: a refused bundle never reaches dist/.
    write: false,
    logLevel: 'warning',
    banner: {
      js: '// automl AWS Lambda handler (handler: index.handler), bundled by scripts/bundle-lambda.mjs from src/serve/lambda-entry.ts.',
    },
  });
} catch {
  // esbuild has printed its errors.
  process.stderr.write('bundle-lambda: esbuild failed\n');
  process.exit(1);
}

const inputs = Object.keys(result.metafile.inputs).map((p) => relative(ROOT, resolve(ROOT, p)).split('\\').join('/'));
const outside = inputs.filter((p) => !ALLOWED.some((re) => re.test(p)));
const externals = Object.values(result.metafile.outputs)
  .flatMap((o) => o.imports)
  .filter((i) => i.external && !i.path.startsWith('node:') && !builtinModules.includes(i.path))
  .map((i) => i.path);

if (outside.length > 0 || externals.length > 0) {
  const lines = [
    ...outside.map(
      (p) => `  ${p}: outside the scoring side (src/serve/lambda*.ts, src/serve/request.ts, src/artifact/**)`,
    ),
    ...externals.map((p) => `  import '${p}': left external (only Node's built-in modules may be)`),
  ];
  process.stderr.write(
    `bundle-lambda: the Lambda bundle must hold only scoring code, and ${relative(ROOT, entry)} pulls in:\n${lines.join('\n')}\n`,
  );
  process.exit(1);
}

for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.contents);
}
const bytes = result.outputFiles.reduce((s, f) => s + f.contents.length, 0);
process.stdout.write(
  `bundle-lambda: ${relative(ROOT, outfile)}, ${bytes} bytes from ${inputs.length} scoring-side inputs\n`,
);
