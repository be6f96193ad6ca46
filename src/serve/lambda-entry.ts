/**
 * The Lambda zip's entry module: `handler` over the pipeline file beside this module
 * (`pipeline.json`), or at the path in the `AUTOML_PIPELINE` environment variable. The file is
 * read, verified (checksum, format version, structure) and loaded once per container, when the
 * module is imported, outside the handler; nothing is fetched.
 *
 *   import (cold start) ──loadPipeline──► lambdaHandler ──► handler(event) per request
 *                       └─ fails ──► logged once; every request answered 500 with the loader's message
 *
 * @example
 * // AWS Lambda, runtime Node.js, handler "index.handler", with pipeline.json in the zip:
 * import { handler } from './lambda-entry.js';
 * await handler({ httpMethod: 'GET', path: '/model/id' }); // { statusCode: 200, body: '<pipeline id>', … }
 */
import { fileURLToPath } from 'node:url';
import { loadPipeline } from '../artifact/scorer.js';
import { lambdaHandler, proxyResponse, type ApiGatewayResponse, type LambdaHandler } from './lambda.js';
import { errorResponse } from './request.js';

/** Where the pipeline file is: `AUTOML_PIPELINE` when set, else `pipeline.json` beside this module. */
export const PIPELINE_PATH = process.env['AUTOML_PIPELINE'] || fileURLToPath(new URL('pipeline.json', import.meta.url));

function load(path: string): LambdaHandler {
  try {
    return lambdaHandler(loadPipeline(path));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const detail = `the pipeline could not be loaded, so this function cannot score: ${message}`;
    process.stderr.write(`automl lambda: ${detail}\n`);
    return async (): Promise<ApiGatewayResponse> => proxyResponse(errorResponse(500, detail));
  }
}

/** The Lambda handler (API Gateway proxy integration, payload versions 1.0 and 2.0). */
export const handler: LambdaHandler = load(PIPELINE_PATH);
