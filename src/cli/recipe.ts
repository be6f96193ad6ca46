/**
 * `automl recipe <name>`: checks the options, runs the recipe with progress bars on a terminal,
 * and prints what it did (or, with --json, the report as JSON).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Presets, SingleBar } from 'cli-progress';
import { getRecipe, type ArchiveSource, type RecipeProgress, type RecipeReport } from '../../recipes/index.js';
import { AutomlError } from '../util/errors.js';
import type { Output } from './output.js';

export interface RecipeArgs {
  name: string;
  source?: string;
  out?: string;
  'out-dir'?: string;
  stats?: string[];
  refresh?: boolean;
}

/**
 * Reads `--source`: an http(s) URL, a file: URL, or a local path (kept as the user wrote it).
 *
 * @example
 * parseSourceOption('https://example.org/data.zip'); // { kind: 'url', urls: ['https://example.org/data.zip'] }
 * parseSourceOption('~/Downloads/data.zip');        // { kind: 'file', path: '~/Downloads/data.zip' }
 */
export function parseSourceOption(text: string): ArchiveSource {
  if (text.trim().length === 0)
    throw new AutomlError('BAD_OPTION', '--source is empty; give a URL or the path of a local zip file');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { kind: 'file', path: text };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AutomlError(
      'BAD_OPTION',
      `--source ${text} is not a valid URL; give an http(s) URL or the path of a local zip file`,
    );
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return { kind: 'url', urls: [text] };
  if (url.protocol === 'file:') return { kind: 'file', path: fileURLToPath(url) };
  throw new AutomlError(
    'BAD_OPTION',
    `--source ${text}: ${url.protocol.slice(0, -1)} URLs are not supported; give an http(s) URL, or download the file and give its path`,
  );
}

/**
 * The `recipe` command.
 *
 * @example
 * await recipeCommand({ name: 'hydraulic', out: 'h.csv', stats: ['mean', 'std'] }, new Output({}));
 */
export async function recipeCommand(args: RecipeArgs, out: Output): Promise<void> {
  const recipe = getRecipe(args.name);
  const source = args.source !== undefined ? parseSourceOption(args.source) : undefined;
  const outDir = args['out-dir'];
  if (args.out !== undefined && outDir !== undefined) {
    throw new AutomlError(
      'BAD_OPTION',
      `--out and --out-dir are both given; --out names the output file, --out-dir only the folder for the default name ${recipe.name}.csv: give one of them`,
    );
  }
  const outPath = args.out ?? (outDir !== undefined ? join(outDir, `${recipe.name}.csv`) : `${recipe.name}.csv`);
  if (args.refresh && source?.kind === 'file') out.note('note: --refresh has no effect with a local --source file');

  const bars = progress(out);
  let report: RecipeReport;
  try {
    report = await recipe.run({
      source,
      out: outPath,
      stats: args.stats,
      refresh: args.refresh ?? false,
      progress: bars.reporter,
    });
  } finally {
    // A bar left running keeps its render timer, and the process, alive.
    bars.stop();
  }
  out.result(report);
  printReport(out, report);
}

function printReport(out: Output, r: RecipeReport): void {
  const nLabels = getRecipe(r.recipe).labels.length;
  out.info(
    `${out.bold(`wrote ${r.out}`)}: ${r.rows} rows, ${r.columns} columns (${r.columns - nLabels} features: ${r.stats.join(', ')}; ${nLabels} labels)`,
  );
  const how =
    r.sourceKind === 'file'
      ? 'local file'
      : r.cached
        ? `cached copy, no download: ${r.archive}`
        : `downloaded to ${r.archive}`;
  out.info(`  archive  ${r.source}`);
  out.info(`           ${out.dim(how)}`);
  out.info(`  sha256   ${r.sha256}`);
  out.info(`  size     ${megabytes(r.bytes)} (${r.bytes.toLocaleString('en-US')} bytes)`);
  out.info(`  elapsed  ${(r.elapsedMs / 1000).toFixed(1)} s`);
}

function megabytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

/** Notes on stderr always (unless --quiet); progress bars only on a terminal. */
function progress(out: Output): { reporter: RecipeProgress; stop(): void } {
  if (!out.interactive) {
    return {
      reporter: {
        downloadStart: (url, total) =>
          out.note(`downloading ${url}${total !== undefined ? ` (${megabytes(total)})` : ''} …`),
      },
      stop: () => undefined,
    };
  }
  let bar: SingleBar | undefined;
  let started = 0;
  const make = (format: string): SingleBar =>
    new SingleBar(
      { stream: process.stderr, format, hideCursor: true, clearOnComplete: true, barsize: 30, fps: 8 },
      Presets.shades_classic,
    );
  const rate = (bytes: number): string => {
    const secs = (performance.now() - started) / 1000;
    return secs > 0 ? `${megabytes(bytes / secs)}/s` : '';
  };
  const stop = (): void => {
    bar?.stop();
    bar = undefined;
  };
  const reporter: RecipeProgress = {
    downloadStart(url, total) {
      out.note(`downloading ${url}`);
      started = performance.now();
      bar = make(total !== undefined ? '  [{bar}] {percentage}% | {got} of {size} | {rate}' : '  {got} | {rate}');
      bar.start(total ?? 0, 0, { got: megabytes(0), size: total !== undefined ? megabytes(total) : '?', rate: '' });
    },
    downloadProgress(received) {
      bar?.update(received, { got: megabytes(received), rate: rate(received) });
    },
    downloadEnd: stop,
    readStart(total) {
      started = performance.now();
      bar = make('reading   [{bar}] {percentage}% | {file} | {rate}');
      bar.start(total, 0, { file: '', rate: '' });
    },
    readProgress(done, file) {
      bar?.update(done, { file, rate: rate(done) });
    },
    readEnd: stop,
  };
  return { reporter, stop };
}
