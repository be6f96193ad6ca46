/**
 * Downloads into the cache: each URL in turn until one works, to a temporary name renamed into
 * place once complete, and reused by later runs without any request.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { errorText } from '../../src/util/errors.js';
import { tempPathFor } from '../../src/util/fs.js';
import type { RecipeProgress } from '../types.js';
import { cacheUnwritable, downloadFailed } from './messages.js';

export interface DownloadOptions {
  /** The cache root, usually `cacheDir()`; archives go to its `downloads/` folder. */
  readonly cacheDir: string;
  /** Download again even when a cached copy exists. */
  readonly refresh?: boolean;
  readonly progress?: RecipeProgress;
  /** Give up on a URL when no data arrives for this long (default 60 s). */
  readonly stallMs?: number;
}

export interface DownloadedArchive {
  /** The archive in the cache. */
  readonly path: string;
  /** The URL it came from. */
  readonly url: string;
  /** True when an earlier download was reused (no request was made). */
  readonly cached: boolean;
  readonly bytes: number;
}

/** One URL did not give a complete zip archive; the next one is tried. */
class UrlFailure extends Error {}

/**
 * Where the download of a URL is cached: `<cacheDir>/downloads/<12 hex of sha256(url)>-<name>`,
 * so that two URLs ending in the same file name never share a copy.
 *
 * @example
 * cachedArchivePath('/home/me/.cache/automl', 'https://example.org/a/data.zip');
 * // '/home/me/.cache/automl/downloads/3f2c…-data.zip'
 */
export function cachedArchivePath(cacheDir: string, url: string): string {
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 12);
  let name = 'archive.zip';
  try {
    const last = new URL(url).pathname.split('/').pop() ?? '';
    const safe = decodeURIComponent(last).replace(/[^A-Za-z0-9._+-]/g, '_');
    if (safe.length > 0) name = safe.slice(-80);
  } catch {
    // An unparsable URL still gets a cache name; fetch will report it.
  }
  return join(cacheDir, 'downloads', `${hash}-${name}`);
}

/**
 * Gets an archive: the first URL already in the cache (no request at all, unless `refresh`),
 * otherwise the first URL that downloads completely. A download is checked against the
 * server's Content-Length and must start like a zip file; a URL that fails (network error,
 * HTTP error, broken off, not a zip) is noted and the next is tried. When all fail, the
 * AutomlError lists each URL with its failure and suggests `--source FILE`.
 *
 * @example
 * const a = await downloadArchive(['https://a.example/data.zip', 'https://b.example/data.zip'], {
 *   cacheDir: cacheDir(),
 * });
 * console.log(a.path, a.url, a.cached);
 */
export async function downloadArchive(urls: readonly string[], opts: DownloadOptions): Promise<DownloadedArchive> {
  if (urls.length === 0) throw new RangeError('downloadArchive: give at least one URL');
  if (!opts.refresh) {
    for (const url of urls) {
      const path = cachedArchivePath(opts.cacheDir, url);
      const bytes = await fileSize(path);
      if (bytes !== undefined) return { path, url, cached: true, bytes };
    }
  }
  const dir = join(opts.cacheDir, 'downloads');
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw cacheUnwritable(dir, errorText(e));
  }
  const failures: { url: string; reason: string }[] = [];
  for (const url of urls) {
    const path = cachedArchivePath(opts.cacheDir, url);
    try {
      const bytes = await fetchTo(url, path, opts);
      return { path, url, cached: false, bytes };
    } catch (e) {
      if (!(e instanceof UrlFailure)) throw e;
      failures.push({ url, reason: e.message });
    }
  }
  let kept: string | undefined;
  for (const url of urls) {
    const path = cachedArchivePath(opts.cacheDir, url);
    if (kept === undefined && (await fileSize(path)) !== undefined) kept = path;
  }
  throw downloadFailed(failures, kept);
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const st = await stat(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

/** The zip local-file-header signature, and the end record of an empty zip. */
const ZIP_MAGIC = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];

async function fetchTo(url: string, dest: string, opts: DownloadOptions): Promise<number> {
  const stallMs = opts.stallMs ?? 60_000;
  const ctrl = new AbortController();
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      ctrl.abort();
    }, stallMs);
  };
  const stallText = (): string =>
    `no data arrived for ${stallMs >= 1000 ? `${Math.round(stallMs / 1000)} s` : `${stallMs} ms`}`;

  arm();
  let res: Response;
  try {
    res = await fetch(url, { signal: ctrl.signal, redirect: 'follow' });
  } catch (e) {
    clearTimeout(timer);
    throw new UrlFailure(stalled ? stallText() : networkReason(e));
  }
  if (!res.ok || !res.body) {
    clearTimeout(timer);
    await res.body?.cancel().catch(() => undefined);
    throw new UrlFailure(res.ok ? 'the server sent an empty response' : `HTTP ${res.status} ${res.statusText}`.trim());
  }

  const encoding = res.headers.get('content-encoding');
  const lengthHeader = res.headers.get('content-length');
  // With a content encoding, Content-Length counts the encoded bytes, not what fetch yields.
  const total =
    lengthHeader !== null && /^\d+$/.test(lengthHeader) && (encoding === null || encoding === 'identity')
      ? Number(lengthHeader)
      : undefined;

  const tmp = tempPathFor(dest);
  let received = 0;
  let head = Buffer.alloc(0);
  // Errors of the response body are the URL's failure; any other error is the local write's.
  let bodyError: unknown;
  const body = res.body;
  async function* counted(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of body) {
        arm();
        received += chunk.length;
        if (head.length < 16) head = Buffer.concat([head, chunk.subarray(0, 16 - head.length)]);
        opts.progress?.downloadProgress?.(received);
        yield chunk;
      }
    } catch (e) {
      bodyError = e;
      throw e;
    }
  }
  opts.progress?.downloadStart?.(url, total);
  try {
    await pipeline(counted, createWriteStream(tmp));
  } catch (e) {
    await rm(tmp, { force: true });
    if (bodyError === undefined && !stalled) throw cacheUnwritable(dest, errorText(e));
    const of = total !== undefined ? ` of ${total}` : '';
    throw new UrlFailure(
      `the download broke off after ${received}${of} bytes (${stalled ? stallText() : networkReason(bodyError)})`,
    );
  } finally {
    clearTimeout(timer);
    opts.progress?.downloadEnd?.();
  }

  if (total !== undefined && received !== total) {
    await rm(tmp, { force: true });
    throw new UrlFailure(
      `incomplete download: ${received} bytes received, the server announced ${total} (Content-Length)`,
    );
  }
  if (!ZIP_MAGIC.some((m) => head.subarray(0, 4).equals(m))) {
    await rm(tmp, { force: true });
    const type = res.headers.get('content-type') ?? 'no content type';
    const start = JSON.stringify(head.toString('latin1').replace(/[^\x20-\x7e]/g, '.'));
    throw new UrlFailure(`the server did not send a zip archive (${type}; it starts with ${start})`);
  }
  try {
    await rename(tmp, dest);
  } catch (e) {
    await rm(tmp, { force: true });
    throw cacheUnwritable(dest, errorText(e));
  }
  return received;
}

/** fetch reports "fetch failed" and puts what happened (ECONNREFUSED, ENOTFOUND, …) in `cause`. */
function networkReason(e: unknown): string {
  const cause = e instanceof Error ? e.cause : undefined;
  if (cause !== undefined) return errorText(cause);
  return errorText(e);
}
