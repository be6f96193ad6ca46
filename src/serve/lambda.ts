/**
 * The AWS Lambda handler: H2O's Scoring API behind API Gateway (proxy integration), payload
 * versions 1.0 (REST APIs) and 2.0 (HTTP APIs), over one loaded pipeline. Every answer comes from
 * the REST server's own request layer (`request.ts`); this file only reads the event and writes
 * the proxy response.
 *
 *   event ──method, path, body (base64 decoded)──► route (after an optional stage prefix)
 *         ──► ScoringApi ──► {statusCode, headers: {content-type}, body, isBase64Encoded: false}
 *
 * Routes: `POST /score` (the tutorial's `…/test/score`; `/model/score`, the REST server's path,
 * too), `GET /model/id`, `/model/schema`, `/model/sample_request`, `/model/capabilities`. A path
 * is matched as it is, then without its first segment (the stage: `/test/score`, `/prod/model/id`).
 * An unknown route is a 404 and a known one asked with another method a 405, each with
 * `{"detail"}`; an event with no method or path is a 400. The handler never throws.
 *
 * It imports only the request layer and the scorer, so that it bundles small.
 *
 * @example
 * const handler = lambdaHandler(loadPipeline('pipelines/cool.pipeline.json'));
 * const res = await handler({ httpMethod: 'POST', path: '/score', body: '{"fields": […], "rows": [[…]]}' });
 * res.statusCode; // 200
 * JSON.parse(res.body).score; // [["0.0004", "0.0011", "0.9985"]]
 */
import type { PipelineScorer } from '../artifact/scorer.js';
import { errorResponse, ScoringApi, type ApiResponse } from './request.js';

/** An API Gateway proxy event, either payload version; only the members the handler reads. */
export interface ApiGatewayEvent {
  /** `'2.0'` for an HTTP API's payload version 2.0; absent or `'1.0'` otherwise. */
  version?: string;
  /** Payload version 1.0. */
  httpMethod?: string;
  /** Payload version 1.0: the resource path (without the stage for a REST API). */
  path?: string;
  /** Payload version 2.0: the path as requested (with the stage, unless it is `$default`). */
  rawPath?: string;
  requestContext?: { http?: { method?: string; path?: string }; stage?: string; path?: string };
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** The proxy integration's response. */
export interface ApiGatewayResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** A Lambda handler for API Gateway; `context` (Lambda's) is accepted and not needed. */
export type LambdaHandler = (event: unknown, context?: unknown) => Promise<ApiGatewayResponse>;

export interface LambdaOptions {
  /** Unexpected faults (answered 500); default: written to stderr, which Lambda sends to CloudWatch. */
  onFault?: (e: unknown, where: string) => void;
}

type Method = 'GET' | 'POST';
type Answer = (api: ScoringApi, body: string | Buffer) => ApiResponse;

/** The routes, for the 404 message (in this order). */
export const LAMBDA_ROUTES = [
  'POST /score',
  'POST /model/score',
  'GET /model/id',
  'GET /model/schema',
  'GET /model/sample_request',
  'GET /model/capabilities',
] as const;

/** The API Gateway response of a request layer answer. */
export function proxyResponse(res: ApiResponse, extraHeaders: Record<string, string> = {}): ApiGatewayResponse {
  return {
    statusCode: res.status,
    headers: { 'content-type': res.contentType, ...extraHeaders },
    body: res.body,
    isBase64Encoded: false,
  };
}

/** The method and path of an event of either payload version, or a detail saying what is missing. */
function requestLine(event: unknown): { method: string; path: string } | string {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    return `the Lambda event must be an API Gateway proxy event (an object); got ${event === null ? 'null' : Array.isArray(event) ? 'an array' : `a ${typeof event}`}`;
  const e = event as ApiGatewayEvent;
  const context = typeof e.requestContext === 'object' && e.requestContext !== null ? e.requestContext : {};
  const v2 = e.version === '2.0';
  const method = v2 ? context.http?.method : e.httpMethod;
  const path = v2 ? (e.rawPath ?? context.http?.path) : e.path;
  const where = v2
    ? "payload version 2.0 needs 'requestContext.http.method' and 'rawPath'"
    : "payload version 1.0 needs 'httpMethod' and 'path'";
  if (typeof method !== 'string' || method === '' || typeof path !== 'string' || path === '')
    return `the event has no HTTP ${typeof method !== 'string' || method === '' ? 'method' : 'path'}; is this Lambda behind API Gateway with proxy integration? (${where})`;
  return { method: method.toUpperCase(), path };
}

/** The route a path names: as it is, then without its first segment (the stage). */
function routeOf(routes: Map<string, Map<Method, Answer>>, path: string): [string, Map<Method, Answer>] | undefined {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const own = routes.get(trimmed);
  if (own) return [trimmed, own];
  const slash = trimmed.indexOf('/', 1);
  if (trimmed.startsWith('/') && slash > 0) {
    const rest = trimmed.slice(slash);
    const staged = routes.get(rest);
    if (staged) return [rest, staged];
  }
  return undefined;
}

/**
 * A Lambda handler over one loaded pipeline, for API Gateway's proxy integration. One
 * {@link ScoringApi} serves every request of the container.
 *
 * @example
 * export const handler = lambdaHandler(loadPipeline(new URL('pipeline.json', import.meta.url).pathname));
 */
export function lambdaHandler(scorer: PipelineScorer, opts: LambdaOptions = {}): LambdaHandler {
  const api = new ScoringApi(scorer);
  const onFault =
    opts.onFault ??
    ((e: unknown, where: string) =>
      process.stderr.write(
        `automl lambda: internal error in ${where}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      ));
  const score: Answer = (a, body) => a.score(body, (e) => onFault(e, 'POST /score'));
  const routes = new Map<string, Map<Method, Answer>>([
    ['/score', new Map([['POST', score]])],
    ['/model/score', new Map([['POST', score]])],
    ['/model/id', new Map([['GET', (a) => a.id()]])],
    ['/model/schema', new Map([['GET', (a) => a.schema()]])],
    ['/model/sample_request', new Map([['GET', (a) => a.sampleRequest()]])],
    ['/model/capabilities', new Map([['GET', (a) => a.capabilities()]])],
  ]);

  return async (event: unknown): Promise<ApiGatewayResponse> => {
    try {
      const line = requestLine(event);
      if (typeof line === 'string') return proxyResponse(errorResponse(400, line));
      const { method, path } = line;
      const route = routeOf(routes, path);
      if (!route)
        return proxyResponse(
          errorResponse(404, `no route ${method} ${path}; the routes are: ${LAMBDA_ROUTES.join(', ')}`),
        );
      const [name, methods] = route;
      const answer = methods.get(method as Method);
      if (!answer) {
        const allowed = [...methods.keys()].join(', ');
        return proxyResponse(errorResponse(405, `${method} is not allowed on ${path}; ${name} answers ${allowed}`), {
          allow: allowed,
        });
      }
      const e = event as ApiGatewayEvent;
      const raw = typeof e.body === 'string' ? e.body : '';
      return proxyResponse(answer(api, e.isBase64Encoded === true ? Buffer.from(raw, 'base64') : raw));
    } catch (e) {
      onFault(e, 'the Lambda handler');
      return proxyResponse(errorResponse(500, `internal error: ${e instanceof Error ? e.message : String(e)}`));
    }
  };
}
