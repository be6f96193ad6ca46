/**
 * The Scoring API request layer: H2O's Scoring API v1 (OpenAPI 3, `common/swagger/v1openapi3/
 * swagger.yaml` in h2oai/mlops-dai-runtimes) over one loaded pipeline, with no web framework.
 * The REST server (`server.ts`, fastify) and the AWS Lambda handler both call it, so a request is
 * validated, scored and answered the same way behind either front door.
 *
 *   body text ──parse──► validate (fields, rows, cells, options) ──► columns ──► scorer
 *             ──► {"id", "fields", "score"}  or  {"detail": "<what was wrong>"} with 400
 *
 * It imports only the scorer (and Node's crypto for row ids).
 *
 * @example
 * const api = new ScoringApi(loadPipeline('pipelines/cool.pipeline.json'));
 * const res = api.score('{"fields": ["psa_bar", …], "rows": [["155.5", …]]}');
 * res.status; // 200
 * JSON.parse(res.body).score; // [["0.0004", "0.0011", "0.9985"]]
 */
import { randomUUID } from 'node:crypto';
import { cellNumber, cellString, ScoringError, type PipelineScorer } from '../artifact/scorer.js';

/** An answer: status, content type and the body text. */
export interface ApiResponse {
  status: number;
  contentType: 'application/json' | 'text/plain; charset=utf-8';
  body: string;
}

/** The members of a score request (the spec's `ScoreRequest`). */
export interface ScoreRequest {
  fields: string[];
  rows: (string | number | null)[][];
  includeFieldsInOutput?: string[];
  noFieldNamesInOutput?: boolean;
  idField?: string;
  requestShapleyValueType?: 'ORIGINAL' | 'TRANSFORMED' | 'NONE';
  requestPredictionIntervals?: boolean;
}

/** The spec's `DataField`. */
export interface DataField {
  name: string;
  dataType: 'Bool' | 'Int32' | 'Int64' | 'Float32' | 'Float64' | 'Str' | 'Time64';
  example?: string;
}

/** The spec's `Model` (the answer of `GET /model/schema`). */
export interface ModelInfo {
  id: string;
  name: string;
  description: string;
  properties: { scoringType: 'BINOMIAL' | 'CLASSIFICATION' | 'REGRESSION'; scoringResponLabels: string[] };
  schema: { inputFields: DataField[]; targetFields: DataField[]; outputFields: DataField[] };
}

const REQUEST_MEMBERS = new Set([
  'fields',
  'rows',
  'includeFieldsInOutput',
  'noFieldNamesInOutput',
  'idField',
  'requestShapleyValueType',
  'requestPredictionIntervals',
]);
const SHAPLEY_TYPES = new Set(['ORIGINAL', 'TRANSFORMED', 'NONE']);

/** A request a client got wrong: answered with its status and `{"detail"}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** `{"detail": …}` with a status. */
export function errorResponse(status: number, detail: string): ApiResponse {
  return { status, contentType: 'application/json', body: JSON.stringify({ detail }) };
}

function json(value: unknown, status = 200): ApiResponse {
  return { status, contentType: 'application/json', body: JSON.stringify(value) };
}

/** Where a value sits in the request, for messages: `rows[2]` is the third row. */
function rowName(i: number): string {
  return `rows[${i}]`;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** The Scoring API over one pipeline. Stateless per request; safe to share. */
export class ScoringApi {
  /** The pipeline's id (its `pipelineId`), the answer of `GET /model/id`. */
  readonly modelId: string;
  private readonly info: ModelInfo;
  private readonly sample: ScoreRequest;
  /** The start of a response's JSON text: with the outputs as its fields, and without fields. */
  private readonly idMember: string;
  private readonly prefix: string;
  private readonly prefixWithoutFields: string;

  /**
   * @param scorer the loaded pipeline
   * @param newRowId makes the id of a row whose `idField` the request asks to be generated (default: a random UUID)
   */
  constructor(
    readonly scorer: PipelineScorer,
    private readonly newRowId: () => string = randomUUID,
  ) {
    const file = scorer.file;
    this.modelId = file.pipelineId;
    const scoringType =
      file.task === 'binary' ? 'BINOMIAL' : file.task === 'multiclass' ? 'CLASSIFICATION' : 'REGRESSION';
    this.info = {
      id: file.pipelineId,
      name: file.name,
      description: `automl pipeline '${file.name}': ${file.task} on ${file.target}${file.classes ? ` (classes ${file.classes.join(', ')})` : ''}`,
      properties: { scoringType, scoringResponLabels: [...scorer.outputNames] },
      schema: {
        inputFields: scorer.fields.map((f) => ({ name: f.name, dataType: f.type === 'numeric' ? 'Float64' : 'Str' })),
        targetFields: [{ name: file.target, dataType: file.task === 'regression' ? 'Float64' : 'Str' }],
        outputFields: scorer.outputNames.map((name) => ({ name, dataType: 'Float64' })),
      },
    };
    this.idMember = `{"id":${JSON.stringify(this.modelId)}`;
    this.prefix = `${this.idMember},"fields":${JSON.stringify(scorer.outputNames)},"score":[`;
    this.prefixWithoutFields = `${this.idMember},"score":[`;
    // A request that passes validation: every field the pipeline needs, one row of plain values
    // (0 for a numeric field, the first training level for a categorical one).
    this.sample = {
      fields: scorer.fields.map((f) => f.name),
      rows: [
        scorer.fields.map((f) => (f.type === 'numeric' ? '0' : f.type === 'text' ? '2024-01-01' : (f.levels[0] ?? ''))),
      ],
    };
  }

  /** `GET /model/id`: the pipeline id as plain text. */
  id(): ApiResponse {
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: this.modelId };
  }

  /** `GET /model/schema`. */
  schema(): ApiResponse {
    return json(this.info);
  }

  /** The schema as an object (for the OpenAPI document's examples). */
  modelInfo(): ModelInfo {
    return structuredClone(this.info);
  }

  /** `GET /model/sample_request`: a request that passes validation. */
  sampleRequest(): ApiResponse {
    return json(this.sample);
  }

  /** The sample request as an object. */
  sampleRequestObject(): ScoreRequest {
    return structuredClone(this.sample);
  }

  /** `GET /model/capabilities`. */
  capabilities(): ApiResponse {
    return json(['SCORE']);
  }

  /** `POST /model/contribution`: 501, as the specification answers where a scorer computes no Shapley contributions (capabilities lists SCORE only). */
  contribution(): ApiResponse {
    return errorResponse(
      501,
      'contributions (Shapley values) are not supported by this scorer; GET /model/capabilities lists what is',
    );
  }

  /** `GET /readyz`: the pipeline is loaded and verified once the server exists. */
  ready(): ApiResponse {
    return json('ready');
  }

  /**
   * `POST /model/score`: scores the request body (JSON text, or the already-parsed value).
   * A client's mistake is a 400 with `{"detail"}`; any other fault is passed to `onFault` and
   * answered 500.
   */
  score(body: string | Buffer | unknown, onFault: (e: unknown) => void = () => undefined): ApiResponse {
    try {
      const request =
        typeof body === 'string' || Buffer.isBuffer(body) || body === undefined ? parseBody(body ?? '') : body;
      return { status: 200, contentType: 'application/json', body: this.scoreRequest(this.validate(request)) };
    } catch (e) {
      if (e instanceof ApiError) return errorResponse(e.status, e.detail);
      if (e instanceof ScoringError) return errorResponse(400, e.message);
      onFault(e);
      return errorResponse(500, `internal error while scoring: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Checks a parsed request against the spec and the pipeline; throws ApiError naming what is wrong. */
  validate(request: unknown): ScoreRequest {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new ApiError(
        400,
        `the request must be a JSON object {"fields": [...], "rows": [[...]]}; got ${typeName(request)}`,
      );
    }
    const r = request as Record<string, unknown>;
    let members = 0;
    for (const k in r) {
      if (!REQUEST_MEMBERS.has(k))
        throw new ApiError(
          400,
          `the request has an unknown member '${k}'; a score request has ${[...REQUEST_MEMBERS].join(', ')}`,
        );
      members++;
    }
    if (members === 0)
      throw new ApiError(
        400,
        'the request is empty; send {"fields": [...], "rows": [[...]]} (GET /model/sample_request shows one)',
      );
    const fields = r['fields'];
    if (fields === undefined)
      throw new ApiError(400, "the request has no 'fields': list the names of the values in each row");
    if (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string'))
      throw new ApiError(400, "'fields' must be an array of field names (strings)");
    if (fields.length === 0) throw new ApiError(400, "'fields' is empty; list the names of the values in each row");
    const seen = this.positions(fields as string[]);
    const checked = this.fieldsChecked;
    if (!checked && seen.size < fields.length) {
      const dup = (fields as string[]).find((f, j) => fields.indexOf(f) !== j);
      throw new ApiError(400, `'fields' names '${dup}' twice; each field may appear once`);
    }
    const rows = r['rows'];
    if (rows === undefined)
      throw new ApiError(
        400,
        "the request has no 'rows': send an array of rows, each an array of values in the order of 'fields'",
      );
    if (!Array.isArray(rows))
      throw new ApiError(400, `'rows' must be an array of rows (arrays of values); got ${typeName(rows)}`);
    if (rows.length === 0) throw new ApiError(400, "'rows' is empty; send at least one row to score");
    if (!checked) {
      const missing = this.scorer.fields.filter((f) => !seen.has(f.name)).map((f) => f.name);
      if (missing.length > 0) {
        throw new ApiError(
          400,
          `'fields' lacks ${missing.length === 1 ? 'a field' : `${missing.length} fields`} the pipeline needs: ${missing.join(', ')} (extra fields are allowed; a missing value is an empty string or null)`,
        );
      }
      // The same fields again (a steady client) need not be checked again.
      this.fieldsChecked = true;
    }
    const width = fields.length;
    for (let i = 0; i < rows.length; i++) {
      const row: unknown = rows[i];
      if (!Array.isArray(row))
        throw new ApiError(400, `${rowName(i)} must be an array of values; got ${typeName(row)}`);
      if (row.length !== width)
        throw new ApiError(
          400,
          `${rowName(i)} has ${row.length} value${row.length === 1 ? '' : 's'}, but 'fields' names ${width}; send one value per field`,
        );
    }
    const idField = r['idField'];
    if (idField !== undefined && typeof idField !== 'string')
      throw new ApiError(400, `'idField' must be a field name (a string); got ${typeName(idField)}`);
    const include = r['includeFieldsInOutput'];
    if (include !== undefined) {
      if (!Array.isArray(include) || include.some((f) => typeof f !== 'string'))
        throw new ApiError(400, "'includeFieldsInOutput' must be an array of field names (strings)");
      for (const f of include as string[]) {
        if (!seen.has(f) && f !== idField)
          throw new ApiError(
            400,
            `'includeFieldsInOutput' names '${f}', which is not in 'fields'${idField === undefined ? '' : ` and is not the idField '${idField}'`}`,
          );
      }
    }
    const noNames = r['noFieldNamesInOutput'];
    if (noNames !== undefined && typeof noNames !== 'boolean')
      throw new ApiError(400, `'noFieldNamesInOutput' must be true or false; got ${typeName(noNames)}`);
    const shapley = r['requestShapleyValueType'];
    if (shapley !== undefined) {
      if (typeof shapley !== 'string' || !SHAPLEY_TYPES.has(shapley))
        throw new ApiError(400, "'requestShapleyValueType' must be ORIGINAL, TRANSFORMED or NONE");
      if (shapley !== 'NONE')
        throw new ApiError(
          400,
          `Shapley contributions (${shapley}) are not supported by this scorer; send NONE or leave the member out (GET /model/capabilities lists what is supported)`,
        );
    }
    const intervals = r['requestPredictionIntervals'];
    if (intervals !== undefined) {
      if (typeof intervals !== 'boolean')
        throw new ApiError(400, `'requestPredictionIntervals' must be true or false; got ${typeName(intervals)}`);
      if (intervals)
        throw new ApiError(
          400,
          'prediction intervals are not supported by this scorer; send false or leave the member out',
        );
    }
    return r as unknown as ScoreRequest;
  }

  private lastColumns: {
    n: number;
    numeric: Record<string, Float64Array>;
    categorical: Record<string, Int32Array>;
  } | null = null;

  /**
   * Input columns for n rows. Requests of the size of the last one reuse its arrays (scoring is
   * synchronous and reads them only while it runs): no allocation per request for a steady client.
   */
  private columns(n: number): { numeric: Record<string, Float64Array>; categorical: Record<string, Int32Array> } {
    if (this.lastColumns?.n === n) return this.lastColumns;
    const numeric: Record<string, Float64Array> = {};
    const categorical: Record<string, Int32Array> = {};
    for (const f of this.scorer.fields) {
      if (f.type === 'numeric') numeric[f.name] = new Float64Array(n);
      else if (f.type === 'categorical') categorical[f.name] = new Int32Array(n);
    }
    const cols = { n, numeric, categorical };
    if (n <= 1024) this.lastColumns = cols;
    return cols;
  }

  private lastFields: string[] = [];
  private lastPositions = new Map<string, number>();

  /** Whether the fields of {@link lastFields} passed validation (no duplicate, none missing). */
  private fieldsChecked = false;

  /** Each field's position in a request's rows (the last request's, when the fields are the same). */
  private positions(fields: readonly string[]): Map<string, number> {
    const last = this.lastFields;
    if (fields.length === last.length) {
      let same = true;
      for (let j = 0; j < fields.length && same; j++) same = fields[j] === last[j];
      if (same) return this.lastPositions;
    }
    this.lastFields = [...fields];
    this.lastPositions = new Map(fields.map((f, j) => [f, j]));
    this.fieldsChecked = false;
    return this.lastPositions;
  }

  /** Scores a validated request: the response's JSON text, `{"id", "fields", "score"}`. */
  scoreRequest(req: ScoreRequest): string {
    const { fields, rows } = req;
    const n = rows.length;
    const position = this.positions(fields);
    const { numeric, categorical } = this.columns(n);
    const texts: Record<string, (string | null)[]> = {};
    for (const f of this.scorer.fields) {
      const j = position.get(f.name)!;
      if (f.type === 'numeric') {
        const col = numeric[f.name]!;
        for (let i = 0; i < n; i++) {
          const v = rows[i]![j];
          const x = cellNumber(v);
          if (x === null) {
            throw new ApiError(
              400,
              `${rowName(i)}, field '${f.name}': ${JSON.stringify(v)} is not a number; send a number, a numeric string, or "" / null for a missing value`,
            );
          }
          col[i] = x;
        }
      } else if (f.type === 'text') {
        const col: (string | null)[] = (texts[f.name] = new Array<string | null>(n));
        for (let i = 0; i < n; i++) {
          const v = rows[i]![j];
          const s = cellString(v);
          if (s === undefined)
            throw new ApiError(400, `${rowName(i)}, field '${f.name}': ${typeName(v)} is not text; send a string`);
          col[i] = s;
        }
      } else {
        const col = categorical[f.name]!;
        for (let i = 0; i < n; i++) {
          const v = rows[i]![j];
          if (v === null || v === undefined) col[i] = -1;
          else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
            col[i] = this.scorer.levelCode(f.name, String(v));
          else throw new ApiError(400, `${rowName(i)}, field '${f.name}': ${typeName(v)} is not a category; send text`);
        }
      }
    }
    // Other cells must still be values, not objects or arrays (a wrong JSON type).
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      for (let j = 0; j < row.length; j++) {
        const v = row[j];
        if (v !== null && typeof v === 'object')
          throw new ApiError(
            400,
            `${rowName(i)}, field '${fields[j]}': ${typeName(v)} is not a value; send a string, a number or null`,
          );
      }
    }
    const pred = this.scorer.scoreColumns({ nRows: n, numeric, categorical, text: texts });
    const width = this.scorer.outputNames.length;

    // Copied fields first, in the order of appearance in the input row; then a generated id when
    // the idField is asked for but not sent; then the scores. Written as JSON text directly: a
    // number's shortest round-trip text needs no escaping.
    const include = req.includeFieldsInOutput;
    const copied = include && include.length > 0 ? fields.flatMap((f, j) => (include.includes(f) ? [j] : [])) : [];
    const generateId =
      req.idField !== undefined && include !== undefined && include.includes(req.idField) && !position.has(req.idField);
    let text = req.noFieldNamesInOutput === true ? this.prefixWithoutFields : '';
    if (req.noFieldNamesInOutput !== true) {
      text =
        copied.length === 0 && !generateId
          ? this.prefix
          : `${this.idMember},"fields":${JSON.stringify([...copied.map((j) => fields[j]!), ...(generateId ? [req.idField!] : []), ...this.scorer.outputNames])},"score":[`;
    }
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      let line = i === 0 ? '[' : ',[';
      for (const j of copied) {
        const v = row[j];
        line += `${JSON.stringify(v === null || v === undefined ? '' : String(v))},`;
      }
      if (generateId) line += `"${this.newRowId()}",`;
      const o = i * width;
      for (let k = 0; k < width; k++) line += k === 0 ? `"${pred[o]}"` : `,"${pred[o + k]}"`;
      text += `${line}]`;
    }
    return `${text}]}`;
  }
}

/** The request body as JSON: an empty body and malformed JSON are the client's mistakes. */
export function parseBody(body: string | Buffer): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '')
    throw new ApiError(400, 'the request body is empty; send a JSON object {"fields": [...], "rows": [[...]]}');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, `the request body is not valid JSON: ${(e as Error).message}`);
  }
}
