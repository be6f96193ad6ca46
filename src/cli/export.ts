/**
 * `automl export lambda` and `automl export python`.
 *
 * `automl export lambda`: a zip that deploys as is on AWS Lambda (Node.js 22 and 24 runtimes,
 * handler `index.handler`), behind API Gateway. It holds two files: `index.mjs`, the handler
 * bundled at `npm run build` (dist/lambda/index.mjs: scoring code only, no node_modules), and the
 * pipeline as `pipeline.json`, byte for byte. Nothing is bundled here; the pipeline is verified
 * with the scorer's own loader first, so a zip that is written always loads.
 *
 *   --pipeline P ──verify (checksum, structure)──┐
 *   dist/lambda/index.mjs ───────────────────────┴──► yazl (fixed timestamps) ──► temp file ──rename──► --out
 *   --terraform DIR: the recipe that deploys it (terraform.ts), staged and renamed with the zip
 *
 * `automl export python`: the Python runtime (pipelines/runtimes/python/automl_scorer.py) and the
 * verified pipeline, side by side in a folder.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { ZipFile } from 'yazl';
import { ScoringError } from '../artifact/errors.js';
import { parsePipeline } from '../artifact/load.js';
import { PipelineScorer } from '../artifact/scorer.js';
import { AutomlError } from '../util/errors.js';
import { writeFailure } from '../util/fs.js';
import { packageRoot } from '../util/paths.js';
import type { Output } from './output.js';
import {
  checkTerraformDir,
  functionNameFrom,
  terraformRecipe,
  TERRAFORM_FILES,
  writeFilesAtomic,
} from './terraform.js';

/** The handler setting of the Lambda function: `index.mjs`, export `handler`. */
export const LAMBDA_HANDLER = 'index.handler';
/** The Lambda runtimes the zip is made for (Node.js 20's was deprecated in 2026). */
export const LAMBDA_RUNTIMES = ['nodejs22.x', 'nodejs24.x'] as const;
/** Every entry's time: the zip format's first day (DOS time, no extended field), so the same inputs give the same bytes. */
const ZIP_TIME = new Date(1980, 0, 1, 0, 0, 0);
/** AWS's rule for a function name. */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface ExportLambdaArgs {
  pipeline: string;
  out: string;
  name?: string;
  /** A folder for the Terraform recipe that deploys the zip. */
  terraform?: string;
  quiet: boolean;
  json: boolean;
}

export interface ExportPythonArgs {
  pipeline: string;
  out: string;
  quiet: boolean;
  json: boolean;
}

/** The Python runtime's file name, in the package and in the exported folder. */
export const PYTHON_RUNTIME = 'automl_scorer.py';

/** Where `npm run build` leaves the bundled handler in this package. */
export function lambdaBundlePath(): string {
  return join(packageRoot(), 'dist', 'lambda', 'index.mjs');
}

/** Where the package keeps the Python runtime (one file, Python 3 standard library only). */
export function pythonRuntimePath(): string {
  return join(packageRoot(), 'pipelines', 'runtimes', 'python', PYTHON_RUNTIME);
}

function readBytes(path: string, what: string, hint: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a folder'
          : `cannot read it (${(e as Error).message})`;
    throw new AutomlError(code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE', `${what} ${path}: ${why}; ${hint}`);
  }
}

/** The zip's bytes: `index.mjs` and `pipeline.json`, stored with fixed times and modes. */
export function lambdaZip(bundle: Buffer, pipeline: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new ZipFile();
    const options = { mtime: ZIP_TIME, mode: 0o100644, forceDosTimestamp: true, compress: true };
    zip.addBuffer(bundle, 'index.mjs', options);
    zip.addBuffer(pipeline, 'pipeline.json', options);
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (b: Buffer) => chunks.push(b));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.end();
  });
}

/**
 * The pipeline file's bytes, verified with the scorer's own loader (checksum, format version,
 * structure); `what` names the package in the message when it is refused.
 */
function verifiedPipeline(path: string, what: string): { bytes: Buffer; scorer: PipelineScorer } {
  const bytes = readBytes(
    path,
    'pipeline file',
    'give --pipeline the path of a pipeline file (automl run writes them to pipelines/)',
  );
  try {
    return { bytes, scorer: new PipelineScorer(parsePipeline(bytes.toString('utf8'), path)) };
  } catch (e) {
    if (e instanceof ScoringError) throw new AutomlError(e.code, `${e.message} (no ${what} was written)`, { cause: e });
    throw e;
  }
}

/** Creates folders, a file system error told in words a user can act on. */
async function makeFolder(folder: string, forFile: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (e) {
    throw writeFailure(forFile, e);
  }
}

/** A path as a POSIX shell reads it: quoted only when it must be. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

export async function exportLambdaCommand(args: ExportLambdaArgs, out: Output): Promise<void> {
  if (!args.out.toLowerCase().endsWith('.zip'))
    throw new AutomlError(
      'BAD_OPTION',
      `--out ${args.out}: the Lambda package is a zip file; give a name ending in .zip (e.g. --out model-lambda.zip)`,
    );
  if (args.name !== undefined && !FUNCTION_NAME.test(args.name))
    throw new AutomlError(
      'BAD_OPTION',
      `--name '${args.name}' is not a Lambda function name: use 1 to 64 letters, digits, hyphens or underscores`,
    );
  if (args.terraform !== undefined && args.terraform.trim() === '')
    throw new AutomlError(
      'BAD_OPTION',
      '--terraform needs a folder for the Terraform recipe (e.g. --terraform deploy)',
    );
  // Before anything is written: the recipe's folder must take it.
  const otherTf = args.terraform === undefined ? [] : checkTerraformDir(args.terraform);

  const { bytes: pipelineBytes, scorer } = verifiedPipeline(args.pipeline, 'Lambda package');
  const bundle = readBytes(
    lambdaBundlePath(),
    'the bundled Lambda handler',
    'this installation of automl is incomplete; in a clone of the repository run npm run build first',
  );

  const file = scorer.file;
  const zip = await lambdaZip(bundle, pipelineBytes);
  const functionName = args.name ?? functionNameFrom(file.name);
  const files: Array<[string, string | Uint8Array]> = [[args.out, zip]];
  await makeFolder(dirname(resolve(args.out)), args.out);
  if (args.terraform !== undefined) {
    const recipe = terraformRecipe({
      dir: args.terraform,
      zip: args.out,
      functionName,
      handler: LAMBDA_HANDLER,
      runtimes: LAMBDA_RUNTIMES,
      pipelineName: file.name,
      pipelineId: file.pipelineId,
    });
    await makeFolder(args.terraform, join(args.terraform, TERRAFORM_FILES[0]));
    for (const name of TERRAFORM_FILES) files.push([join(args.terraform, name), recipe[name]]);
  }
  await writeFilesAtomic(files);

  const label = args.name ?? file.name;
  out.result({
    zip: args.out,
    bytes: zip.length,
    name: label,
    pipelineId: file.pipelineId,
    handler: LAMBDA_HANDLER,
    runtimes: LAMBDA_RUNTIMES,
    entries: { 'index.mjs': bundle.length, 'pipeline.json': pipelineBytes.length },
    ...(args.terraform === undefined
      ? {}
      : {
          terraform: {
            dir: args.terraform,
            files: [...TERRAFORM_FILES],
            functionName,
            otherFiles: otherTf,
          },
        }),
  });
  out.info(`automl export lambda: wrote ${args.out} (${zip.length} bytes) for ${label}`);
  out.info(`  holds index.mjs (${bundle.length} bytes) and pipeline.json (${pipelineBytes.length} bytes)`);
  out.info(`  pipeline ${file.pipelineId}`);
  out.info(`  handler ${LAMBDA_HANDLER}, runtime ${LAMBDA_RUNTIMES.join(' or ')}`);
  if (args.terraform === undefined) return;
  const zipFromDir = relative(resolve(args.terraform), resolve(args.out));
  out.info(`Terraform recipe in ${args.terraform}:`);
  out.info(`  ${TERRAFORM_FILES.join(', ')}`);
  out.info(`  function ${functionName}, stage test, zip ${zipFromDir}`);
  if (otherTf.length > 0) out.info(`  left as they were, read with it: ${otherTf.join(', ')}`);
  out.info('Next (needs AWS credentials):');
  out.info(`  cd ${shellWord(args.terraform)} && terraform init && terraform apply`);
  out.info('  terraform output score_url; terraform output -raw api_key');
}

/**
 * `automl export python`: the Python runtime (one file, standard library only) and the pipeline
 * beside it, in a folder: `python3 DIR/automl_scorer.py DIR/pipeline.json data.csv` scores a CSV.
 * The pipeline is verified with the scorer's loader first, so a folder that is written scores.
 */
export async function exportPythonCommand(args: ExportPythonArgs, out: Output): Promise<void> {
  if (args.out.trim() === '')
    throw new AutomlError('BAD_OPTION', '--out needs a folder for the Python scorer (e.g. --out scorer-py)');
  if (existsSync(args.out) && !statSync(args.out).isDirectory())
    throw new AutomlError(
      'BAD_OPTION',
      `--out ${args.out}: a file is in the way; give a folder for the Python scorer (it is created if need be)`,
    );
  const { bytes: pipelineBytes, scorer } = verifiedPipeline(args.pipeline, 'Python scorer');
  const runtime = readBytes(
    pythonRuntimePath(),
    'the Python runtime',
    'this installation of automl is incomplete (pipelines/runtimes/python/automl_scorer.py ships with the package)',
  );
  const runtimePath = join(args.out, PYTHON_RUNTIME);
  const pipelinePath = join(args.out, 'pipeline.json');
  await makeFolder(args.out, runtimePath);
  await writeFilesAtomic([
    [runtimePath, runtime],
    [pipelinePath, pipelineBytes],
  ]);

  const file = scorer.file;
  out.result({
    dir: args.out,
    files: { [PYTHON_RUNTIME]: runtime.length, 'pipeline.json': pipelineBytes.length },
    name: file.name,
    pipelineId: file.pipelineId,
    command: ['python3', runtimePath, pipelinePath, 'data.csv'],
  });
  out.info(`automl export python: wrote ${PYTHON_RUNTIME} and pipeline.json in ${args.out}`);
  out.info(`  for ${file.name} (${file.pipelineId})`);
  out.info('Score a CSV with it (Python 3, standard library only):');
  const command = `python3 ${shellWord(runtimePath)} ${shellWord(pipelinePath)} data.csv`;
  if (command.length <= 78) out.info(`  ${command}`);
  else {
    out.info(`  python3 ${shellWord(runtimePath)} \\`);
    out.info(`    ${shellWord(pipelinePath)} data.csv`);
  }
}
