/**
 * Recorded API Gateway proxy events, as API Gateway sends them to a Lambda function behind a
 * `{proxy+}` resource of stage `test`: payload versions 1.0 (a REST API) and 2.0 (an HTTP API).
 */
/** Payload version 1.0 (a REST API): the resource path, without the stage. */
export function v1(method: string, path: string, body: string | null = null, base64 = false): unknown {
  return {
    version: '1.0',
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
    queryStringParameters: null,
    requestContext: { stage: 'test', path: `/test${path}`, httpMethod: method },
    body: base64 && body !== null ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}

/** Payload version 2.0 (an HTTP API): `rawPath` as requested, stage included unless `$default`. */
export function v2(method: string, rawPath: string, body: string | null = null, base64 = false): unknown {
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: { http: { method, path: rawPath, protocol: 'HTTP/1.1' }, stage: 'test' },
    isBase64Encoded: base64,
  };
  if (body !== null) event['body'] = base64 ? Buffer.from(body).toString('base64') : body;
  return event;
}
