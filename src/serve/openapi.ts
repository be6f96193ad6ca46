/**
 * The OpenAPI 3 document of the server (`GET /openapi.json`, browsable at `/docs`): H2O's Scoring
 * API v1 as this server implements it, with the served pipeline's own fields in the examples.
 * Written from the specification (`common/swagger/v1openapi3/swagger.yaml` in
 * h2oai/mlops-dai-runtimes), keeping its schema names so that generated clients match.
 */
import type { ScoringApi } from './request.js';

const row = { type: 'array', items: { type: 'string' } };
const detail = {
  type: 'object',
  properties: { detail: { type: 'string', description: 'What was wrong, and what to do.' } },
};
const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
});

/** The document for one served pipeline. */
export function openApiDocument(api: ScoringApi): Record<string, unknown> {
  const info = api.modelInfo();
  const sample = api.sampleRequestObject();
  const security = [{ api_key: [] }];
  return {
    openapi: '3.0.3',
    info: {
      title: `automl scoring API: ${info.name}`,
      description:
        `H2O's Scoring API v1 (v1.2.0-openapi3) for the pipeline '${info.name}' (${info.id}). ` +
        `${info.description}. When the server was started with an API key, send it in the 'api_key' header (every route but /readyz).`,
      version: '1.2.0-openapi3',
    },
    servers: [{ url: '/' }],
    tags: [{ name: 'scoring' }, { name: 'metadata' }, { name: 'health' }, { name: 'contribution' }],
    paths: {
      '/model/id': {
        get: {
          tags: ['metadata'],
          summary: 'Returns model id',
          description: 'The unique id of the pipeline loaded in the server and used for scoring.',
          operationId: 'getModelId',
          security,
          responses: {
            '200': {
              description: 'Successful operation',
              content: { 'text/plain': { schema: { type: 'string' }, example: info.id } },
            },
            '401': error('No or wrong API key'),
          },
        },
      },
      '/model/schema': {
        get: {
          tags: ['metadata'],
          summary: 'Describe a model',
          description: 'Information about the pipeline used for scoring: its input, target and output fields.',
          operationId: 'getModelInfo',
          security,
          responses: {
            '200': {
              description: 'Successful operation',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Model' }, example: info } },
            },
            '401': error('No or wrong API key'),
          },
        },
      },
      '/readyz': {
        get: {
          tags: ['health'],
          summary: 'Readiness check',
          description: 'Answers 200 once the pipeline is loaded and verified. Needs no API key.',
          operationId: 'getReadyz',
          responses: {
            '200': { description: 'Model is ready', content: { 'application/json': { schema: { type: 'string' } } } },
          },
        },
      },
      '/model/sample_request': {
        get: {
          tags: ['metadata'],
          summary: 'Sample scoring request',
          description: 'A scoring request that passes all validations.',
          operationId: 'getSampleRequest',
          security,
          responses: {
            '200': {
              description: 'Successful operation',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/ScoreRequest' }, example: sample },
              },
            },
            '401': error('No or wrong API key'),
          },
        },
      },
      '/model/capabilities': {
        get: {
          tags: ['metadata'],
          summary: 'List capabilities supported by the scorer.',
          operationId: 'getCapabilities',
          security,
          responses: {
            '200': {
              description: 'Successful operation',
              content: {
                'application/json': {
                  schema: { type: 'array', items: { $ref: '#/components/schemas/CapabilityType' } },
                  example: ['SCORE'],
                },
              },
            },
            '401': error('No or wrong API key'),
          },
        },
      },
      '/model/score': {
        get: {
          tags: ['scoring'],
          summary: 'Score on given file',
          description:
            "Scores the rows of a CSV file on the server's disk. Off unless the server was started with --allow-file-scoring DIR, and then only for files under DIR.",
          operationId: 'getScoreByFile',
          security,
          parameters: [
            {
              name: 'file',
              in: 'query',
              required: true,
              schema: { type: 'string' },
              description: 'Path of a CSV file, relative to the file-scoring folder',
            },
          ],
          responses: {
            '200': {
              description: 'Successful operation',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ScoreResponse' } } },
            },
            '400': error('Invalid file or contents'),
            '401': error('No or wrong API key'),
            '403': error('File scoring is off, or the file is outside the allowed folder'),
            '404': error('No such file'),
          },
        },
        post: {
          tags: ['scoring'],
          summary: 'Score on given rows',
          description:
            'Scores the rows sent in the body of the request. Values are strings (JSON numbers are accepted too); an empty string or null is a missing value.',
          operationId: 'getScore',
          security,
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ScoreRequest' }, example: sample } },
          },
          responses: {
            '200': {
              description: 'Successful operation',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ScoreResponse' } } },
            },
            '400': error('Invalid payload'),
            '401': error('No or wrong API key'),
            '413': error('Request body too large'),
            '500': error('Failure operation'),
          },
        },
      },
      '/model/contribution': {
        post: {
          tags: ['contribution'],
          summary: 'Contribution score or Shapley values on given rows',
          description: 'Not supported by this scorer yet: always 501.',
          operationId: 'getContribution',
          security,
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ContributionRequest' } } },
          },
          responses: { '501': error('Implementation not supported'), '401': error('No or wrong API key') },
        },
      },
    },
    components: {
      schemas: {
        Model: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            description: { type: 'string' },
            properties: { $ref: '#/components/schemas/Model_properties' },
            schema: { $ref: '#/components/schemas/ModelSchema' },
          },
        },
        Row: row,
        ScoreRequest: {
          type: 'object',
          required: ['fields', 'rows'],
          properties: {
            requestShapleyValueType: { $ref: '#/components/schemas/ShapleyType' },
            includeFieldsInOutput: {
              type: 'array',
              items: { type: 'string' },
              description:
                'Fields copied from the input row to the output, in their order of appearance in the input row. A field not in `fields` is an error, unless it is the `idField`: then a UUID is generated per row and placed after the other copied fields.',
            },
            noFieldNamesInOutput: { type: 'boolean', description: 'When true, the response has no `fields`.' },
            idField: {
              type: 'string',
              description:
                'The field that identifies a row; when it is not in `fields` and is named in `includeFieldsInOutput`, a UUID is generated per row.',
            },
            fields: {
              type: 'array',
              items: { type: 'string' },
              description:
                'The names of the values in each row, in order; no duplicates; must include every input field of the pipeline (extra fields are allowed).',
            },
            rows: {
              type: 'array',
              items: { $ref: '#/components/schemas/Row' },
              description: 'The rows to score, each with one value per field.',
            },
            requestPredictionIntervals: { type: 'boolean', description: 'Not supported: true is answered 400.' },
          },
        },
        ScoreResponse: {
          type: 'object',
          properties: {
            id: { type: 'string', description: 'The id of the pipeline used for scoring.' },
            fields: {
              type: 'array',
              items: { type: 'string' },
              description:
                'Copied fields, a generated id, then the outputs: `<target>.<class>` per class, or the target for regression.',
            },
            score: {
              type: 'array',
              items: { $ref: '#/components/schemas/Row' },
              description:
                'One row per input row; numbers in full precision (the shortest text that reads back as the same double).',
            },
          },
        },
        ContributionRequest: {
          type: 'object',
          required: ['requestShapleyValueType'],
          properties: {
            requestShapleyValueType: { $ref: '#/components/schemas/ShapleyType' },
            fields: { type: 'array', items: { type: 'string' } },
            rows: { type: 'array', items: { $ref: '#/components/schemas/Row' } },
          },
        },
        ErrorResponse: detail,
        DataField: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            dataType: { type: 'string', enum: ['Bool', 'Int32', 'Int64', 'Float32', 'Float64', 'Str', 'Time64'] },
            example: { type: 'string' },
          },
        },
        ModelSchema: {
          type: 'object',
          properties: {
            inputFields: { type: 'array', items: { $ref: '#/components/schemas/DataField' } },
            targetFields: { type: 'array', items: { $ref: '#/components/schemas/DataField' } },
            outputFields: { type: 'array', items: { $ref: '#/components/schemas/DataField' } },
          },
        },
        ShapleyType: { type: 'string', enum: ['ORIGINAL', 'TRANSFORMED', 'NONE'] },
        ScoringType: { type: 'string', enum: ['REGRESSION', 'CLASSIFICATION', 'BINOMIAL'] },
        CapabilityType: {
          type: 'string',
          enum: ['SCORE', 'SCORE_PREDICTION_INTERVAL', 'CONTRIBUTION_ORIGINAL', 'CONTRIBUTION_TRANSFORMED'],
        },
        Model_properties: {
          type: 'object',
          properties: {
            scoringType: { $ref: '#/components/schemas/ScoringType' },
            scoringResponLabels: { type: 'array', items: { type: 'string' } },
          },
        },
      },
      securitySchemes: { api_key: { type: 'apiKey', name: 'api_key', in: 'header' } },
    },
  };
}
