/**
 * The AWS Lambda handler (`src/serve/lambda.ts`) and its entry module (`lambda-entry.ts`), invoked
 * in-process with API Gateway proxy events of both payload versions. Every answer is compared with
 * the REST server's (`buildServer`, asked with fastify's `inject`) for the same request: the same
 * status, content type and body text, scores included. The pipeline is the committed example
 * `pipelines/examples/gbdt.pipeline.json` (hydraulic, cool_cond_y), and its conformance file gives
 * the expected probabilities.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadPipeline } from '../../src/artifact/scorer.js';
import { lambdaHandler, LAMBDA_ROUTES, type ApiGatewayResponse, type LambdaHandler } from '../../src/serve/lambda.js';
import { ScoringApi } from '../../src/serve/request.js';
import { buildServer } from '../../src/serve/server.js';
import { REPO_ROOT } from '../cli/run-cli.js';
import { v1, v2 } from './api-gateway-events.js';
import { TUTORIAL_BODY, TUTORIAL_FIELDS, TUTORIAL_ROW } from './tutorial-request.js';

const PIPELINE = join(REPO_ROOT, 'pipelines', 'examples', 'gbdt.pipeline.json');
const INPUTS = JSON.parse(readFileSync(join(REPO_ROOT, 'pipelines', 'examples', 'gbdt.inputs.json'), 'utf8')) as Record<
  string,
  string
>[];
const EXPECTED = JSON.parse(
  readFileSync(join(REPO_ROOT, 'pipelines', 'examples', 'gbdt.expected.json'), 'utf8'),
) as Record<string, number>[];
const OUTPUTS = ['cool_cond_y.3', 'cool_cond_y.20', 'cool_cond_y.100'];

// The tutorial's request (/work/shared/data/hydraulic/README.md, "A sample scoring request"): 16
// fields. The example pipeline also needs cool_eff_pct, so the tutorial's request as is gets a 400
// naming it; with cool_eff_pct added (18.657966666666667, from the data set's row whose psa_bar is
// the tutorial's, line 638 of recipes/hydraulic/hydraulic.csv) it is scored.
const TUTORIAL_PLUS_BODY = JSON.stringify({
  fields: [...TUTORIAL_FIELDS, 'cool_eff_pct'],
  rows: [[...TUTORIAL_ROW, '18.657966666666667']],
});
/** The example's own inputs, in one request. */
const FIELDS = Object.keys(INPUTS[0]!);
const EXAMPLE_BODY = JSON.stringify({ fields: FIELDS, rows: INPUTS.map((r) => FIELDS.map((f) => r[f]!)) });

const scorer = loadPipeline(PIPELINE);
const faults: unknown[] = [];
const handler: LambdaHandler = lambdaHandler(scorer, { onFault: (e) => faults.push(e) });
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildServer(scorer, { onFault: (e) => faults.push(e) });
});
afterAll(async () => {
  await app.close();
});
afterEach(() => {
  expect(faults).toEqual([]);
});

/** The REST server's answer as a proxy response. */
async function rest(method: 'GET' | 'POST', url: string, body?: string): Promise<ApiGatewayResponse> {
  const res = await app.inject({
    method,
    url,
    ...(body === undefined ? {} : { payload: body, headers: { 'content-type': 'application/json' } }),
  });
  return {
    statusCode: res.statusCode,
    // fastify adds `; charset=utf-8` to the request layer's `application/json`; the handler sends
    // the request layer's content type as it is (JSON is UTF-8 by definition).
    headers: {
      'content-type': String(res.headers['content-type']).replace(
        'application/json; charset=utf-8',
        'application/json',
      ),
    },
    body: res.body,
    isBase64Encoded: false,
  };
}

/** POST `body` through both payload versions, with and without a stage, plain and base64: all equal. */
async function scoreEverywhere(body: string): Promise<ApiGatewayResponse> {
  const events = [
    v1('POST', '/score', body),
    v1('POST', '/test/score', body),
    v1('POST', '/score', body, true),
    v2('POST', '/score', body),
    v2('POST', '/test/score', body),
    v2('POST', '/test/score', body, true),
    v2('POST', '/prod/model/score', body),
  ];
  const answers = await Promise.all(events.map((e) => handler(e)));
  for (const a of answers.slice(1)) expect(a).toEqual(answers[0]);
  return answers[0]!;
}

describe('lambdaHandler: scoring', () => {
  it('the example inputs score as the REST server scores them, and to the conformance file exactly', async () => {
    const lambda = await scoreEverywhere(EXAMPLE_BODY);
    expect(lambda).toEqual(await rest('POST', '/model/score', EXAMPLE_BODY));
    expect(lambda.statusCode).toBe(200);
    expect(lambda.headers).toEqual({ 'content-type': 'application/json' });
    expect(lambda.isBase64Encoded).toBe(false);
    const out = JSON.parse(lambda.body) as { id: string; fields: string[]; score: string[][] };
    expect(out.id).toBe(scorer.file.pipelineId);
    expect(out.fields).toEqual(OUTPUTS);
    expect(out.score.map((row) => row.map(Number))).toEqual(EXPECTED.map((e) => OUTPUTS.map((k) => e[k])));
  });

  it("the tutorial's request with cool_eff_pct added: the REST server's scores, the same text", async () => {
    const lambda = await scoreEverywhere(TUTORIAL_PLUS_BODY);
    const server = await rest('POST', '/model/score', TUTORIAL_PLUS_BODY);
    expect(lambda).toEqual(server);
    expect(lambda.statusCode).toBe(200);
    const score = (JSON.parse(lambda.body) as { score: string[][] }).score;
    const direct = JSON.parse(new ScoringApi(scorer).score(TUTORIAL_PLUS_BODY).body) as { score: string[][] };
    expect(score).toEqual(direct.score);
    const row = Object.fromEntries(
      [...TUTORIAL_FIELDS, 'cool_eff_pct'].map((f, j) => [f, JSON.parse(TUTORIAL_PLUS_BODY).rows[0][j]]),
    );
    expect(score[0]!.map(Number)).toEqual(scorer.score(row));
    expect(score[0]!.reduce((s, p) => s + Number(p), 0)).toBeCloseTo(1, 12);
  });

  it("the tutorial's request as is: 400 naming the field this pipeline also needs, as the REST server", async () => {
    const lambda = await scoreEverywhere(TUTORIAL_BODY);
    expect(lambda).toEqual(await rest('POST', '/model/score', TUTORIAL_BODY));
    expect(lambda.statusCode).toBe(400);
    expect(JSON.parse(lambda.body)).toEqual({
      detail:
        "'fields' lacks a field the pipeline needs: cool_eff_pct (extra fields are allowed; a missing value is an empty string or null)",
    });
  });

  const row = FIELDS.map((f) => INPUTS[0]![f]!);
  const bad: [string, string, RegExp][] = [
    ['malformed JSON', '{"fields": ["psa_bar"], "rows": [[', /^the request body is not valid JSON: /],
    ['an empty body', '', /^the request body is empty; /],
    ['an unknown member', JSON.stringify({ fields: FIELDS, rows: [row], colour: 'red' }), /unknown member 'colour'/],
    [
      'a row of the wrong length',
      JSON.stringify({ fields: FIELDS, rows: [row.slice(1)] }),
      /^rows\[0\] has 16 values, but 'fields' names 17/,
    ],
    [
      'a non-numeric cell',
      JSON.stringify({ fields: FIELDS, rows: [row, ['abc', ...row.slice(1)]] }),
      /^rows\[1\], field 'psa_bar': "abc" is not a number/,
    ],
    ['a JSON array', '[1, 2]', /must be a JSON object/],
  ];
  it.each(bad)("%s: 400 with the REST server's detail, through every event kind", async (_kind, body, detail) => {
    const lambda = await scoreEverywhere(body);
    expect(lambda).toEqual(await rest('POST', '/model/score', body));
    expect(lambda.statusCode).toBe(400);
    expect((JSON.parse(lambda.body) as { detail: string }).detail).toMatch(detail);
  });

  it('a POST with no body at all is the empty body the REST server answers', async () => {
    const lambda = await handler({ version: '2.0', rawPath: '/score', requestContext: { http: { method: 'POST' } } });
    expect(lambda).toEqual(await rest('POST', '/model/score'));
    expect(lambda.statusCode).toBe(400);
  });
});

describe('lambdaHandler: metadata routes', () => {
  it.each(['/model/id', '/model/schema', '/model/sample_request', '/model/capabilities'])(
    'GET %s answers as the REST server, with or without a stage, in both payload versions',
    async (path) => {
      const server = await rest('GET', path);
      expect(server.statusCode).toBe(200);
      for (const event of [v1('GET', path), v1('GET', `/prod${path}`), v2('GET', path), v2('GET', `/test${path}`)])
        expect(await handler(event)).toEqual(server);
    },
  );

  it('GET /model/id is the pipeline id as plain text', async () => {
    const res = await handler(v1('GET', '/test/model/id'));
    expect(res).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: scorer.file.pipelineId,
      isBase64Encoded: false,
    });
  });

  it('the sample request it gives scores with 200', async () => {
    const sample = (await handler(v2('GET', '/test/model/sample_request'))).body;
    expect((await handler(v2('POST', '/test/score', sample))).statusCode).toBe(200);
  });
});

describe('lambdaHandler: routes and events it cannot answer', () => {
  it('an unknown route is a 404 naming the path and listing the routes', async () => {
    const cases: [unknown, string][] = [
      [v1('GET', '/test/nothing'), 'GET /test/nothing'],
      [v2('POST', '/a/b/score'), 'POST /a/b/score'],
      [v2('GET', '/'), 'GET /'],
    ];
    for (const [event, line] of cases) {
      const res = await handler(event);
      expect(res.statusCode).toBe(404);
      expect(res.headers).toEqual({ 'content-type': 'application/json' });
      expect(JSON.parse(res.body)).toEqual({ detail: `no route ${line}; the routes are: ${LAMBDA_ROUTES.join(', ')}` });
    }
  });

  it('a known route asked with the wrong method is a 405 saying which method it answers', async () => {
    const get = await handler(v1('GET', '/test/score'));
    expect(get.statusCode).toBe(405);
    expect(get.headers).toEqual({ 'content-type': 'application/json', allow: 'POST' });
    expect(JSON.parse(get.body)).toEqual({ detail: 'GET is not allowed on /test/score; /score answers POST' });
    const post = await handler(v2('POST', '/model/schema', '{}'));
    expect(post.statusCode).toBe(405);
    expect(post.headers['allow']).toBe('GET');
    expect(JSON.parse(post.body)).toEqual({
      detail: 'POST is not allowed on /model/schema; /model/schema answers GET',
    });
  });

  it('a malformed event is a 400 saying what is missing, never a throw', async () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /must be an API Gateway proxy event \(an object\); got a undefined/],
      [null, /got null/],
      ['GET /score', /got a string/],
      [[], /got an array/],
      [{}, /no HTTP method.*payload version 1\.0 needs 'httpMethod' and 'path'/],
      [{ httpMethod: 'GET' }, /no HTTP path/],
      [
        { version: '2.0', rawPath: '/score' },
        /no HTTP method.*payload version 2\.0 needs 'requestContext\.http\.method' and 'rawPath'/,
      ],
      [{ version: '2.0', requestContext: { http: { method: 'GET' } } }, /no HTTP path/],
      [{ version: '2.0', requestContext: 'x', rawPath: '/score' }, /no HTTP method/],
    ];
    for (const [event, detail] of cases) {
      const res = await handler(event);
      expect(res.statusCode, JSON.stringify(event)).toBe(400);
      expect((JSON.parse(res.body) as { detail: string }).detail).toMatch(detail);
    }
  });
});

describe('lambda-entry: the pipeline loaded once per container', () => {
  const dir = mkdtempSync(join(tmpdir(), 'automl-lambda-'));
  const saved = process.env['AUTOML_PIPELINE'];
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env['AUTOML_PIPELINE'];
    else process.env['AUTOML_PIPELINE'] = saved;
  });

  /** A fresh import of the entry module (a cold start) with AUTOML_PIPELINE set, or unset. */
  async function coldStart(path: string | undefined): Promise<{ handler: LambdaHandler; logged: string[] }> {
    if (path === undefined) delete process.env['AUTOML_PIPELINE'];
    else process.env['AUTOML_PIPELINE'] = path;
    const logged: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    try {
      vi.resetModules();
      const mod = await import('../../src/serve/lambda-entry.js');
      return { handler: mod.handler, logged };
    } finally {
      spy.mockRestore();
    }
  }

  it('with AUTOML_PIPELINE at a good file it answers as the handler does', async () => {
    const copy = join(dir, 'good.pipeline.json');
    writeFileSync(copy, readFileSync(PIPELINE));
    const { handler: entry, logged } = await coldStart(copy);
    expect(logged).toEqual([]);
    expect(await entry(v1('POST', '/test/score', TUTORIAL_PLUS_BODY))).toEqual(
      await rest('POST', '/model/score', TUTORIAL_PLUS_BODY),
    );
    expect(await entry(v2('GET', '/test/model/id'))).toEqual(await rest('GET', '/model/id'));
  });

  it('with a damaged file (checksum broken) every request is a 500 naming the problem, logged once', async () => {
    const damaged = join(dir, 'damaged.pipeline.json');
    const file = JSON.parse(readFileSync(PIPELINE, 'utf8')) as Record<string, unknown>;
    writeFileSync(damaged, JSON.stringify({ ...file, name: 'edited by hand' }, null, 2));
    const loaderMessage = ((): string => {
      try {
        loadPipeline(damaged);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('the damaged pipeline loaded');
    })();
    expect(loaderMessage).toMatch(/^\S+damaged\.pipeline\.json was changed after it was exported: .*checksum/);
    const { handler: entry, logged } = await coldStart(damaged);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^automl lambda: the pipeline could not be loaded/);
    const events = [
      v1('POST', '/test/score', TUTORIAL_PLUS_BODY),
      v2('GET', '/test/model/id'),
      v2('GET', '/nothing'),
      {},
    ];
    for (const event of events) {
      const res = await entry(event);
      expect(res.statusCode).toBe(500);
      expect(res.headers).toEqual({ 'content-type': 'application/json' });
      const { detail } = JSON.parse(res.body) as { detail: string };
      expect(detail).toBe(`the pipeline could not be loaded, so this function cannot score: ${loaderMessage}`);
    }
    expect(logged).toHaveLength(1);
  });

  it('without AUTOML_PIPELINE it reads pipeline.json beside the module (none here: a 500 saying so)', async () => {
    const { handler: entry, logged } = await coldStart(undefined);
    const expected = join(REPO_ROOT, 'src', 'serve', 'pipeline.json');
    expect(logged).toEqual([
      `automl lambda: the pipeline could not be loaded, so this function cannot score: ${expected}: no such pipeline file\n`,
    ]);
    const res = await entry(v1('GET', '/model/id'));
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body)).toEqual({
      detail: `the pipeline could not be loaded, so this function cannot score: ${expected}: no such pipeline file`,
    });
  });
});
