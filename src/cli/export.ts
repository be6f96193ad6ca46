/**
 * `automl export lambda`: a zip that deploys as is on AWS Lambda (Node.js 22 and 24 runtimes,
 * handler `index.handler`), behind API Gateway. It holds two files: `index.mjs`, the handler
 * bundled at `npm run build` (dist/lambda/index.mjs: scoring code only, no node_modules), and the
 * pipeline as `pipeline.json`, byte for byte. Nothing is bundled here; the pipeline is verified
 * with the scorer's own loader first, so a zip that is written always loads.
 *
 *   --pipeline P ──verify (checksum, structure)──┐
 *   dist/lambda/index.mjs ───────────────────────┴──► yazl (fixed timestamps) ──► temp file ──rename──► --out
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import { ScoringError } from '../artifact/errors.js';
import { parsePipeline } from '../artifact/load.js';
import { PipelineScorer } from '../artifact/scorer.js';
import { AutomlError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { packageRoot } from '../util/paths.js';
import type { Output } from './output.js';

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
  quiet: boolean;
  json: boolean;
}

/** Where `npm run build` leaves the bundled handler in this package. */
export function lambdaBundlePath(): string {
  return join(packageRoot(), 'dist', 'lambda', 'index.mjs');
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

  const pipelineBytes = readBytes(
    args.pipeline,
    'pipeline file',
    'give --pipeline the path of a pipeline file (automl run writes them to pipelines/)',
  );
  let scorer: PipelineScorer;
  try {
    scorer = new PipelineScorer(parsePipeline(pipelineBytes.toString('utf8'), args.pipeline));
  } catch (e) {
    if (e instanceof ScoringError)
      throw new AutomlError(e.code, `${e.message} (no Lambda package was written)`, { cause: e });
    throw e;
  }
  const bundle = readBytes(
    lambdaBundlePath(),
    'the bundled Lambda handler',
    'this installation of automl is incomplete; in a clone of the repository run npm run build first',
  );

  const zip = await lambdaZip(bundle, pipelineBytes);
  await writeFileAtomic(args.out, zip);

  const file = scorer.file;
  const label = args.name ?? file.name;
  out.result({
    zip: args.out,
    bytes: zip.length,
    name: label,
    pipelineId: file.pipelineId,
    handler: LAMBDA_HANDLER,
    runtimes: LAMBDA_RUNTIMES,
    entries: { 'index.mjs': bundle.length, 'pipeline.json': pipelineBytes.length },
  });
  out.info(`automl export lambda: wrote ${args.out} (${zip.length} bytes) for ${label}`);
  out.info(
    `  holds index.mjs (${bundle.length} bytes) and pipeline.json (${pipelineBytes.length} bytes, ${file.pipelineId})`,
  );
  out.info(`  handler ${LAMBDA_HANDLER}, runtime ${LAMBDA_RUNTIMES.join(' or ')}`);
}
