import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedArchivePath, downloadArchive } from '../../recipes/hydraulic/index.js';
import { AutomlError } from '../../src/util/errors.js';
import { buildArchive, startServer, type TestServer } from './fixtures.js';

let dir: string;
let server: TestServer;
let zip: Buffer;
/** A URL on a port where nothing listens. */
let refused: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'automl-download-'));
  zip = await buildArchive({ cycles: 2 });
  server = await startServer({
    '/data.zip': { body: zip },
    '/other/data.zip': { body: zip },
    '/fallback.zip': { body: zip },
    '/error.zip': { status: 500, body: 'oops', contentType: 'text/plain' },
    '/page.zip': { body: '<!DOCTYPE html><html>moved</html>', contentType: 'text/html' },
    '/cut.zip': { body: zip.subarray(0, 1000), contentLength: zip.length },
    '/slow.zip': { body: zip.subarray(0, 500), contentLength: zip.length, hang: true },
  });
  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  refused = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/data.zip`;
  closed.close();
  await once(closed, 'close');
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function freshCache(): Promise<string> {
  return mkdtemp(join(dir, 'cache-'));
}

/** Every file left in the downloads folder (no temporary ones may stay behind). */
async function downloads(cache: string): Promise<string[]> {
  return existsSync(join(cache, 'downloads')) ? (await readdir(join(cache, 'downloads'))).sort() : [];
}

async function failure(p: Promise<unknown>): Promise<AutomlError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AutomlError);
    return e as AutomlError;
  }
  throw new Error('expected the download to fail');
}

describe('downloadArchive', () => {
  it('downloads once into the cache, then reuses it without any request', async () => {
    const cache = await freshCache();
    const url = server.url('/data.zip');
    const before = server.requests.length;
    const events: string[] = [];
    const first = await downloadArchive([url], {
      cacheDir: cache,
      progress: {
        downloadStart: (u, total) => events.push(`start ${u} ${total}`),
        downloadProgress: (n) => events.push(`got ${n}`),
        downloadEnd: () => events.push('end'),
      },
    });
    expect(first).toEqual({ path: cachedArchivePath(cache, url), url, cached: false, bytes: zip.length });
    expect(first.path.startsWith(join(cache, 'downloads'))).toBe(true);
    expect(await readFile(first.path)).toEqual(zip);
    expect(server.requests.length - before).toBe(1);
    expect(events[0]).toBe(`start ${url} ${zip.length}`);
    expect(events.at(-2)).toBe(`got ${zip.length}`);
    expect(events.at(-1)).toBe('end');

    const second = await downloadArchive([url], { cacheDir: cache });
    expect(second).toEqual({ ...first, cached: true });
    expect(server.requests.length - before).toBe(1);

    const third = await downloadArchive([url], { cacheDir: cache, refresh: true });
    expect(third.cached).toBe(false);
    expect(server.requests.length - before).toBe(2);
    expect(await downloads(cache)).toEqual([first.path.split('/').pop()]);
  });

  it('falls back to the next URL when the first gives 404, and caches under that URL', async () => {
    const cache = await freshCache();
    const urls = [server.url('/missing/data.zip'), server.url('/fallback.zip')];
    const before = server.requests.length;
    const got = await downloadArchive(urls, { cacheDir: cache });
    expect(got.url).toBe(urls[1]);
    expect(got.cached).toBe(false);
    expect(server.requests.slice(before)).toEqual(['/missing/data.zip', '/fallback.zip']);
    const again = await downloadArchive(urls, { cacheDir: cache });
    expect(again).toEqual({ ...got, cached: true });
    expect(server.requests.length - before).toBe(2);
  });

  it('falls back past a server error, a page that is not a zip, a broken-off download and a refused connection', async () => {
    const cache = await freshCache();
    const urls = [
      refused,
      server.url('/error.zip'),
      server.url('/page.zip'),
      server.url('/cut.zip'),
      server.url('/data.zip'),
    ];
    const got = await downloadArchive(urls, { cacheDir: cache });
    expect(got.url).toBe(server.url('/data.zip'));
    expect(await downloads(cache)).toEqual([cachedArchivePath(cache, got.url).split('/').pop()]);
  });

  it('when every URL fails: names each URL with what went wrong and suggests --source FILE', async () => {
    const cache = await freshCache();
    const urls = [server.url('/missing/data.zip'), refused, server.url('/page.zip'), server.url('/cut.zip')];
    const e = await failure(downloadArchive(urls, { cacheDir: cache }));
    expect(e.code).toBe('DOWNLOAD_FAILED');
    expect(e.message).toContain(`${server.url('/missing/data.zip')}: HTTP 404 Not Found`);
    expect(e.message).toContain(`${refused}: `);
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).toContain(
      `${server.url('/page.zip')}: the server did not send a zip archive (text/html; it starts with "<!DOCTYPE html><")`,
    );
    expect(e.message).toContain(
      `${server.url('/cut.zip')}: the download broke off after 1000 of ${zip.length} bytes (`,
    );
    expect(e.message).toContain('--source FILE');
    expect(await downloads(cache)).toEqual([]);
  });

  it('gives up on a URL that stops sending data', async () => {
    const cache = await freshCache();
    const e = await failure(downloadArchive([server.url('/slow.zip')], { cacheDir: cache, stallMs: 300 }));
    expect(e.message).toContain(
      `${server.url('/slow.zip')}: the download broke off after 500 of ${zip.length} bytes (no data arrived for 300 ms)`,
    );
    expect(await downloads(cache)).toEqual([]);
  });

  it('a failed --refresh keeps the earlier copy and says so', async () => {
    const cache = await freshCache();
    const own = await startServer({ '/data.zip': { body: zip } });
    const url = own.url('/data.zip');
    const first = await downloadArchive([url], { cacheDir: cache });
    await own.close();
    const e = await failure(downloadArchive([url], { cacheDir: cache, refresh: true }));
    expect(e.message).toContain(`${url}: `);
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).toContain(
      `The copy downloaded earlier is still in the cache (${first.path}); run without --refresh to use it.`,
    );
    expect(await readFile(first.path)).toEqual(zip);
    expect(await downloadArchive([url], { cacheDir: cache })).toEqual({ ...first, cached: true });
  });

  it('cache names differ for URLs that end in the same file name', () => {
    const a = cachedArchivePath('/c', 'https://a.example/x/data.zip');
    const b = cachedArchivePath('/c', 'https://b.example/y/data.zip');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^\/c\/downloads\/[0-9a-f]{12}-data\.zip$/);
    expect(
      cachedArchivePath('/c', 'https://x/static/public/447/condition+monitoring+of+hydraulic+systems.zip'),
    ).toMatch(/-condition\+monitoring\+of\+hydraulic\+systems\.zip$/);
  });
});
