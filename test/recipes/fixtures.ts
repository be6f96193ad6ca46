/**
 * Small hydraulic archives in exactly the UCI format (full sample counts per line, files in a
 * sub-folder, macOS clutter beside them), built with yazl, with values whose statistics have
 * closed forms; and a local HTTP server that counts requests.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ZipFile } from 'yazl';
import { HYDRAULIC_SENSORS, type SensorSpec } from '../../recipes/hydraulic/schema.js';

/**
 * How sample j of a cycle is made:
 * - `alternate` (100 Hz and 10 Hz sensors): centre - d, centre + d, centre - d, …
 * - `ramp` (1 Hz sensors): centre + step * (j - (n - 1) / 2), evenly rising
 * - `hundredths` (PS2 only): two-decimal numbers like the real pressures, from integer hundredths
 * All centres, d and step are multiples of 1/8, so sums of the alternate and ramp samples are exact.
 */
export type Pattern = 'alternate' | 'ramp' | 'hundredths';

export function patternOf(sensor: SensorSpec): Pattern {
  if (sensor.file === 'PS2.txt') return 'hundredths';
  return sensor.samples === 60 ? 'ramp' : 'alternate';
}

/** Centre of sensor k's samples in cycle c: the exact mean for alternate and ramp. */
export function centre(k: number, c: number): number {
  return 10 * (k + 1) + 2 * c + 0.25;
}
/** Half the swing of an alternating sensor. */
export function swing(k: number): number {
  return 0.5 + 0.125 * k;
}
/** Rise per sample of a ramp sensor. */
export const STEP = 0.25;

function hundredths(c: number, j: number): number {
  return 15000 + ((c * 7 + j * 13) % 200);
}

export function sampleText(k: number, c: number, j: number): string {
  const sensor = HYDRAULIC_SENSORS[k]!;
  const n = sensor.samples;
  switch (patternOf(sensor)) {
    case 'alternate':
      return String(centre(k, c) + (j % 2 === 0 ? -swing(k) : swing(k)));
    case 'ramp':
      return String(centre(k, c) + STEP * (j - (n - 1) / 2));
    case 'hundredths':
      return (hundredths(c, j) / 100).toFixed(2);
  }
}

/**
 * The exact mean of sensor k in cycle c. For 'hundredths', from the exact integer sum of the
 * hundredths, divided once: the correctly rounded mean of the decimal numbers in the file.
 */
export function expectedMean(k: number, c: number): number {
  const sensor = HYDRAULIC_SENSORS[k]!;
  if (patternOf(sensor) !== 'hundredths') return centre(k, c);
  let sum = 0;
  for (let j = 0; j < sensor.samples; j++) sum += hundredths(c, j);
  return sum / (100 * sensor.samples);
}

/** The five labels of cycle c (values as in the real data). */
export function profileRow(c: number): number[] {
  return [[3, 20, 100][c % 3]!, [100, 90, 80, 73][c % 4]!, c % 3, [130, 115, 100, 90][(c + 1) % 4]!, c % 2];
}

export interface ArchiveSpec {
  cycles: number;
  /** Folder of the data files inside the zip (default `hydraulic`). */
  folder?: string;
  /** Files left out, by name (e.g. 'CE.txt'). */
  omit?: string[];
  /** Changes a file's lines before it is zipped. */
  edit?: Record<string, (lines: string[]) => string[]>;
  /** More entries, path → text. */
  extra?: Record<string, string>;
  /** Deflate the files (default) or store them as they are. */
  compress?: boolean;
}

/** The lines of one file of the archive, before any edit. */
export function fileLines(file: string, cycles: number): string[] {
  if (file === 'profile.txt') return Array.from({ length: cycles }, (_, c) => profileRow(c).join('\t'));
  const k = HYDRAULIC_SENSORS.findIndex((s) => s.file === file);
  const sensor = HYDRAULIC_SENSORS[k]!;
  return Array.from({ length: cycles }, (_, c) =>
    Array.from({ length: sensor.samples }, (_, j) => sampleText(k, c, j)).join('\t'),
  );
}

/** Builds the zip in memory. */
export async function buildArchive(spec: ArchiveSpec): Promise<Buffer> {
  const folder = spec.folder ?? 'hydraulic';
  const zip = new ZipFile();
  const chunks: Buffer[] = [];
  zip.outputStream.on('data', (d: Buffer) => chunks.push(d));
  const done = once(zip.outputStream, 'end');
  zip.addEmptyDirectory(`${folder}/`);
  zip.addBuffer(Buffer.from('Condition monitoring of hydraulic systems (test copy)\n'), `${folder}/description.txt`);
  // macOS clutter that a reader must skip: resource forks, and a __MACOSX copy of a data file.
  zip.addBuffer(Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]), `__MACOSX/${folder}/._PS1.txt`);
  zip.addBuffer(Buffer.from('not data'), `__MACOSX/${folder}/PS1.txt`);
  zip.addBuffer(Buffer.from([0, 5, 22, 7]), `${folder}/._PS2.txt`);
  for (const file of ['profile.txt', ...HYDRAULIC_SENSORS.map((s) => s.file)]) {
    if (spec.omit?.includes(file)) continue;
    let lines = fileLines(file, spec.cycles);
    const edit = spec.edit?.[file];
    if (edit) lines = edit(lines);
    zip.addBuffer(Buffer.from(lines.map((l) => `${l}\n`).join('')), `${folder}/${file}`, {
      compress: spec.compress ?? true,
    });
  }
  for (const [path, text] of Object.entries(spec.extra ?? {})) zip.addBuffer(Buffer.from(text), path);
  zip.end();
  await done;
  return Buffer.concat(chunks);
}

export interface Route {
  status?: number;
  body?: Buffer | string;
  /** Announce this Content-Length, then close the connection after sending what the body holds. */
  contentLength?: number;
  contentType?: string;
  /** Send the headers and the body, then keep the connection open without ending it. */
  hang?: boolean;
}

export interface TestServer {
  readonly base: string;
  /** Every request path, in order. */
  readonly requests: string[];
  url(path: string): string;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 (any free port); unknown paths are 404. */
export async function startServer(routes: Record<string, Route>): Promise<TestServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const route = routes[path];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const body = typeof route.body === 'string' ? Buffer.from(route.body) : (route.body ?? Buffer.alloc(0));
    res.writeHead(route.status ?? 200, {
      'content-type': route.contentType ?? 'application/zip',
      'content-length': String(route.contentLength ?? body.length),
    });
    if (route.hang) {
      res.write(body);
      return;
    }
    if (route.contentLength !== undefined && route.contentLength > body.length) {
      // Let the headers and the first bytes arrive, then drop the connection.
      res.write(body, () => setTimeout(() => res.socket?.destroy(), 30));
      return;
    }
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    requests,
    url: (path) => `${base}${path}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
