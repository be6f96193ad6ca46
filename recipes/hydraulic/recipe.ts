/**
 * `automl recipe hydraulic`, the core: get the archive (download with cache, or a local file),
 * record its sha256, read it into per-cycle statistics and labels, and write one CSV row per
 * cycle under a temporary name renamed into place, so nothing appears when the input is bad.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { AutomlError, errorText } from '../../src/util/errors.js';
import { AtomicFileWriter } from '../../src/util/fs.js';
import { cacheDir } from '../../src/util/paths.js';
import type { ArchiveSource, RecipeProgress, RecipeReport } from '../types.js';
import { downloadArchive } from './download.js';
import { outIsFolder, sourceNotAFile, sourceNotFound, writeFailed, type ArchiveLabel } from './messages.js';
import { readHydraulicArchive, type CycleTable } from './read.js';
import { HYDRAULIC_URLS } from './schema.js';
import type { StatName } from './stats.js';

export interface HydraulicRecipeOptions {
  /** The archive: URLs tried in order, or a local zip (default: the UCI URLs). */
  readonly source?: ArchiveSource;
  /** The output CSV. */
  readonly out: string;
  /** Per-cycle statistics, checked (see parseStats); default `['mean']`. */
  readonly stats?: readonly StatName[];
  /** Download again even if the archive is cached. */
  readonly refresh?: boolean;
  /** Cache root (default `cacheDir()`: `$XDG_CACHE_HOME/automl` or `~/.cache/automl`). */
  readonly cacheDir?: string;
  readonly progress?: RecipeProgress;
}

/**
 * Runs the hydraulic recipe and returns what it did. With the default statistic the output is
 * the embedded hydraulic.csv: 17 cycle means, then the five labels, one row per cycle.
 *
 * @example
 * const r = await runHydraulicRecipe({ out: 'hydraulic.csv' });
 * console.log(r.rows, r.sha256, r.cached);
 * await runHydraulicRecipe({ source: { kind: 'file', path: 'data.zip' }, out: 'h.csv', stats: ['mean', 'std'] });
 */
export async function runHydraulicRecipe(opts: HydraulicRecipeOptions): Promise<RecipeReport> {
  const started = performance.now();
  const source = opts.source ?? { kind: 'url', urls: HYDRAULIC_URLS };
  const stats = opts.stats ?? ['mean'];
  await checkOut(opts.out);

  let archive: string;
  let label: ArchiveLabel;
  let origin: string;
  let cached = false;
  if (source.kind === 'file') {
    await checkSourceFile(source.path);
    archive = source.path;
    origin = source.path;
    label = { name: source.path };
  } else {
    const got = await downloadArchive(source.urls, {
      cacheDir: opts.cacheDir ?? cacheDir(),
      refresh: opts.refresh ?? false,
      progress: opts.progress,
    });
    archive = got.path;
    origin = got.url;
    cached = got.cached;
    label = { name: got.url, cachedAt: got.path };
  }

  const { sha256, bytes } = await hashFile(archive);
  const table = await readHydraulicArchive(archive, { label, stats, progress: opts.progress });
  const header = [...table.featureNames, ...table.labelNames];
  await writeTable(opts.out, header, table);

  return {
    recipe: 'hydraulic',
    out: opts.out,
    rows: table.cycles,
    columns: header.length,
    header,
    stats,
    sourceKind: source.kind,
    source: origin,
    archive,
    sha256,
    bytes,
    cached,
    elapsedMs: Math.round(performance.now() - started),
  };
}

async function checkOut(out: string): Promise<void> {
  try {
    if ((await stat(out)).isDirectory()) throw outIsFolder(out);
  } catch (e) {
    if (e instanceof AutomlError) throw e;
    // Not there yet: it will be created.
  }
}

async function checkSourceFile(path: string): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw sourceNotFound(path);
    throw new AutomlError('FILE_UNREADABLE', `--source ${path}: cannot read the file: ${errorText(e)}`);
  }
  if (st.isDirectory()) throw sourceNotAFile(path);
}

/**
 * sha256 and size of a file, streamed.
 *
 * @example
 * const { sha256, bytes } = await hashFile('data.zip');
 */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      hash.update(chunk);
    }
  } catch (e) {
    throw new AutomlError('FILE_UNREADABLE', `${path}: cannot read the archive: ${errorText(e)}`);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Rows are written in batches of about this many characters. */
const BATCH = 1 << 16;

async function writeTable(out: string, header: readonly string[], table: CycleTable): Promise<void> {
  let writer: AtomicFileWriter;
  try {
    writer = await AtomicFileWriter.open(out);
  } catch (e) {
    throw writeFailed(out, errorText(e));
  }
  try {
    let text = `${header.join(',')}\n`;
    const columns = [...table.features, ...table.labels];
    for (let r = 0; r < table.cycles; r++) {
      for (let c = 0; c < columns.length; c++) {
        text += (c === 0 ? '' : ',') + String(columns[c]![r]!);
      }
      text += '\n';
      if (text.length >= BATCH) {
        await writer.write(text);
        text = '';
      }
    }
    await writer.write(text);
    await writer.commit();
  } catch (e) {
    await writer.abort();
    throw writeFailed(out, errorText(e));
  }
}
