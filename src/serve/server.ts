/**
 * `automl serve`: a REST server speaking H2O's Scoring API v1 over one pipeline file, on fastify.
 * Every scoring route goes through the framework-free request layer (`request.ts`), which the
 * AWS Lambda handler shares; this file adds only what HTTP needs: routes, the API key, body
 * limits, file scoring under one folder, the OpenAPI document and its browsable page, request
 * logging and a graceful stop.
 *
 * @example
 * const server = await startServer(loadPipeline('pipelines/cool.pipeline.json'), { port: 8080 });
 * // curl -X POST -H 'Content-Type: application/json' -d @request.json http://127.0.0.1:8080/model/score
 * await server.close();
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import net from 'node:net';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { PipelineScorer } from '../artifact/scorer.js';
import { scoreCsvStream } from './batch.js';
import { decideDecimal, detectDelimiterBytes, type CsvDelimiter, type DecimalMark } from './csv-records.js';
import { openText, type Encoding } from './decode.js';
import { AutomlError } from '../util/errors.js';
import { openApiDocument } from './openapi.js';
import { ScoringApi, errorResponse, type ApiResponse } from './request.js';

export interface ServeOptions {
  port?: number;
  host?: string;
  /** Largest request body in bytes (default 10 MiB); larger ones are answered 413. */
  maxBodyBytes?: number;
  /** When set, every route but /readyz needs this key in the `api_key` (or `x-api-key`) header. */
  apiKey?: string;
  /** When set, `GET /model/score?file=PATH` scores CSV files under this folder (and nowhere else). */
  allowFileScoringDir?: string;
  /**
   * How those files are read, as `automl score` reads them (README: Input files): gzip and zip
   * always; the encoding (default UTF-8, or as a byte order mark says), the delimiter and the
   * decimal mark (default: detected) when given.
   */
  fileReading?: FileReading;
  /** One line per request (method, path, status, time); nothing when absent. */
  log?: (line: string) => void;
  /** Unexpected faults (answered 500); default: written to stderr. */
  onFault?: (e: unknown, where: string) => void;
}

/** How `GET /model/score?file=` reads a file: `automl serve --encoding / --delimiter / --decimal`. */
export interface FileReading {
  encoding?: Encoding;
  delimiter?: CsvDelimiter;
  decimal?: DecimalMark;
}

export interface RunningServer {
  app: FastifyInstance;
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  url: string;
  port: number;
  /** Stops accepting connections and waits for requests in flight. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY = 10 * 1024 * 1024;

/** The routes, for the 404 message. */
const ROUTES = [
  'POST /model/score',
  'GET /model/score?file=PATH',
  'GET /model/id',
  'GET /model/schema',
  'GET /model/sample_request',
  'GET /model/capabilities',
  'POST /model/contribution',
  'GET /readyz',
  'GET /openapi.json',
  'GET /docs',
];

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Builds the fastify app (not listening). */
export async function buildServer(scorer: PipelineScorer, opts: ServeOptions = {}): Promise<FastifyInstance> {
  const api = new ScoringApi(scorer);
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const onFault =
    opts.onFault ??
    ((e: unknown, where: string) =>
      process.stderr.write(
        `automl serve: internal error in ${where}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      ));
  const app = Fastify({ logger: false, bodyLimit: maxBody, forceCloseConnections: 'idle', return503OnClosing: false });

  // Stopping: answers carry `Connection: close`, so that clients holding a keep-alive connection
  // let go once their request is answered, and the server is not kept waiting for them.
  const drain: Drain = { closing: false, inFlight: 0, idle: [] };
  drains.set(app, drain);
  app.addHook('preClose', (done) => {
    drain.closing = true;
    done();
  });
  // Answers still being written out: ended, but not yet handed to the operating system in full
  // (large ones). A graceful stop waits for them (see stopServer). Counted only where it happens,
  // after the answer is sent: any per-request listener costs a sixth of the req/s.
  const flushed = (): void => {
    if (--drain.inFlight === 0) for (const wake of drain.idle.splice(0)) wake();
  };
  const watchFlush = (reply: FastifyReply): void => {
    const socket = reply.raw.socket;
    if (!socket || socket.writableLength === 0) return;
    drain.inFlight++;
    let done = false;
    const end = (): void => {
      if (done) return;
      done = true;
      flushed();
    };
    socket.once('drain', end);
    socket.once('close', end);
  };
  const send = (reply: FastifyReply, res: ApiResponse): FastifyReply => {
    if (drain.closing) reply.header('connection', 'close');
    reply.code(res.status).header('content-type', res.contentType).send(res.body);
    watchFlush(reply);
    return reply;
  };

  // Bodies reach the request layer as text, whatever their content type: it parses the JSON and
  // answers malformed JSON with {"detail"}, as the Lambda handler does.
  app.removeAllContentTypeParsers();
  const asText = (
    _req: FastifyRequest,
    body: string | Buffer,
    done: (err: Error | null, body?: unknown) => void,
  ): void => done(null, body);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, asText);
  app.addContentTypeParser('*', { parseAs: 'string' }, asText);

  if (opts.apiKey !== undefined) {
    const expected = digest(opts.apiKey);
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.url === '/readyz' || req.url.startsWith('/readyz?')) return;
      const given = req.headers['api_key'] ?? req.headers['x-api-key'];
      const key = Array.isArray(given) ? given[0] : given;
      // Compared as digests of equal length, in constant time.
      if (key === undefined || !timingSafeEqual(digest(key), expected)) {
        return send(
          reply,
          errorResponse(
            401,
            key === undefined
              ? "this server needs an API key: send it in the 'api_key' header"
              : "the API key in the 'api_key' header is not this server's key",
          ),
        );
      }
    });
  }

  if (opts.log) {
    const log = opts.log;
    app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
      log(
        `${new Date().toISOString()} ${req.ip} ${req.method} ${req.url.split('?')[0]} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`,
      );
    });
  }

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return send(
        reply,
        errorResponse(
          413,
          `the request body is larger than this server accepts (${maxBody} bytes); send fewer rows per request, or start the server with a larger --max-body`,
        ),
      );
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return send(reply, errorResponse(err.statusCode, `bad request: ${err.message}`));
    }
    onFault(err, `${req.method} ${req.url}`);
    return send(reply, errorResponse(500, `internal error: ${err.message}`));
  });
  app.setNotFoundHandler((req, reply) =>
    send(
      reply,
      errorResponse(404, `no route ${req.method} ${req.url.split('?')[0]}; the routes are: ${ROUTES.join(', ')}`),
    ),
  );

  // A POST with no body and no content type reaches here with no body at all: an empty body.
  const scoreFault = (e: unknown): void => onFault(e, 'POST /model/score');
  app.post('/model/score', (req, reply) => send(reply, api.score((req.body as string | undefined) ?? '', scoreFault)));
  app.get('/model/score', async (req, reply) =>
    send(
      reply,
      await scoreFile(
        api,
        (req.query as Record<string, unknown>)['file'],
        opts.allowFileScoringDir,
        opts.fileReading ?? {},
        onFault,
      ),
    ),
  );
  app.get('/model/id', (_req, reply) => send(reply, api.id()));
  app.get('/model/schema', (_req, reply) => send(reply, api.schema()));
  app.get('/model/sample_request', (_req, reply) => send(reply, api.sampleRequest()));
  app.get('/model/capabilities', (_req, reply) => send(reply, api.capabilities()));
  app.post('/model/contribution', (_req, reply) => send(reply, api.contribution()));
  app.get('/readyz', (_req, reply) => send(reply, api.ready()));

  const document = openApiDocument(api);
  app.get('/openapi.json', (_req, reply) =>
    reply.header('content-type', 'application/json').send(JSON.stringify(document)),
  );
  // The browsable page: swagger-ui from the npm package, served from this server (no CDN).
  const { default: swagger } = await import('@fastify/swagger');
  const { default: swaggerUi } = await import('@fastify/swagger-ui');
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { validatorUrl: null, deepLinking: false },
    staticCSP: true,
  });
  return app;
}

/** Builds the app and starts listening (127.0.0.1:8080 unless told otherwise). */
export async function startServer(scorer: PipelineScorer, opts: ServeOptions = {}): Promise<RunningServer> {
  const app = await buildServer(scorer, opts);
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port ?? 8080, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (opts.port ?? 8080);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { app, port, url: `http://${shownHost}:${port}`, close: () => stopServer(app) };
}

/** A server's answers still being written out, and whether it is stopping. */
interface Drain {
  closing: boolean;
  inFlight: number;
  /** Called when the last answer being written out has been handed to the operating system. */
  idle: (() => void)[];
}
const drains = new WeakMap<FastifyInstance, Drain>();

/**
 * A graceful stop: no new connections, requests in flight answered to the last byte, then the
 * server closed. Node's `server.close()` destroys the connections it deems idle, and a connection
 * whose answer has been ended but not yet written out counts as idle: a large answer would be cut.
 * So the listening socket is closed first, answers still being written out are waited for, and
 * only then is fastify closed (a request still being received or handled keeps its connection
 * busy, and its answer goes out with `Connection: close`).
 */
export async function stopServer(app: FastifyInstance, maxWaitMs = 60_000): Promise<void> {
  const drain = drains.get(app);
  if (drain) {
    drain.closing = true;
    // Stop accepting connections, without touching open ones.
    net.Server.prototype.close.call(app.server);
    if (drain.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, maxWaitMs);
        drain.idle.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
  await app.close();
}

/**
 * `GET /model/score?file=PATH`: scores a CSV file on the server's disk, only under the folder the
 * server was started with (`--allow-file-scoring DIR`); a path that leaves it, by `..` or by a
 * symbolic link, is refused. The file is read through the shared decoder (`decode.ts`), as
 * `automl score` reads it: gzip, a zip holding one CSV, the encoding, delimiter and decimal mark
 * the server was started with (or detected); a file it refuses is answered 400 with its message,
 * which names the file as it was asked for, never the server's path.
 */
async function scoreFile(
  api: ScoringApi,
  file: unknown,
  dir: string | undefined,
  reading: FileReading,
  onFault: (e: unknown, where: string) => void,
): Promise<ApiResponse> {
  if (dir === undefined)
    return errorResponse(
      403,
      'scoring files on the server is off; start the server with --allow-file-scoring DIR to allow files under DIR, or POST rows to /model/score',
    );
  if (typeof file !== 'string' || file === '')
    return errorResponse(
      400,
      "name the CSV file to score: GET /model/score?file=PATH (a path under the server's file-scoring folder)",
    );
  const outside = errorResponse(
    403,
    `${file} is outside the folder this server may read (--allow-file-scoring); only files under it can be scored`,
  );
  const inside = (root: string, path: string): boolean => {
    const rel = relative(root, path);
    return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  };
  const root = await realpath(dir);
  // Refused by its name first (so that nothing is told of files outside the folder), then by
  // where it really is (a symbolic link may point out of the folder).
  const asked = resolve(root, file);
  if (!inside(root, asked)) return outside;
  let path: string;
  try {
    path = await realpath(asked);
  } catch {
    return errorResponse(404, `no such file: ${file} (paths are relative to the server's file-scoring folder)`);
  }
  if (!inside(root, path)) return outside;
  if (!(await stat(path)).isFile()) return errorResponse(400, `${file} is not a file`);
  // The server's own path stays out of the answers: messages name the file as it was asked for.
  const asAsked = (text: string): string => text.split(path).join(file);
  try {
    const input = await openText(path, reading.encoding ? { encoding: reading.encoding } : {});
    const { decimal } = decideDecimal(
      input.head.toString('utf8'),
      reading.delimiter ?? detectDelimiterBytes(input.head),
      reading.decimal,
    );
    const score: string[][] = [];
    await scoreCsvStream(api.scorer, input.chunks(), {
      source: asAsked(input.name),
      decimal,
      ...(reading.delimiter ? { delimiter: reading.delimiter } : {}),
      onRows: (chunk) => {
        const width = api.scorer.outputNames.length;
        for (let i = 0; i < chunk.n; i++) {
          const out: string[] = new Array(width);
          for (let k = 0; k < width; k++) out[k] = String(chunk.pred[i * width + k]);
          score.push(out);
        }
      },
    });
    return {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ id: api.modelId, fields: [...api.scorer.outputNames], score }),
    };
  } catch (e) {
    // The file's faults (not text, not UTF-8, a damaged archive, a malformed CSV, a value that is
    // not a number): the client's to fix, 400.
    if (e instanceof AutomlError || (e instanceof Error && e.name === 'ScoringError'))
      return errorResponse(400, asAsked(e.message));
    if (
      e instanceof Error &&
      'code' in e &&
      typeof (e as { code: unknown }).code === 'string' &&
      (e as { code: string }).code.startsWith('CSV_')
    )
      return errorResponse(400, asAsked(e.message));
    onFault(e, 'GET /model/score');
    return errorResponse(500, `internal error while scoring ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
