/**
 * Reading a pipeline file: JSON, the format's name and major version, then the checksum. A file
 * of another major version, or one changed after export, is refused with a message that says so.
 */
import { readFileSync } from 'node:fs';
import { splitChecksum, sha256Hex } from './checksum.js';
import { ScoringError } from './errors.js';
import { PIPELINE_FORMAT, PIPELINE_FORMAT_VERSION, type PipelineFile } from './format/pipeline.js';

const MAJOR = Number(PIPELINE_FORMAT_VERSION.split('.')[0]);

/** Reads and checks a pipeline file. */
export function readPipelineFile(path: string): PipelineFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new ScoringError('PIPELINE_UNREADABLE', code === 'ENOENT' ? `${path}: no such pipeline file` : `${path}: cannot read the pipeline file (${String((e as Error).message)})`);
  }
  return parsePipeline(text, path);
}

/** Parses and checks a pipeline file's text; `source` names it in messages. */
export function parsePipeline(text: string, source = 'the pipeline'): PipelineFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ScoringError('PIPELINE_NOT_JSON', `${source} is not valid JSON (${(e as Error).message}); is it a pipeline file?`);
  }
  const file = checkHeader(value, source);
  const parts = splitChecksum(text.replace(/\r\n/g, '\n'));
  if (!parts) {
    throw new ScoringError('PIPELINE_NO_CHECKSUM', `${source} has no checksum as its last member; export the pipeline again (automl writes it)`);
  }
  const actual = sha256Hex(parts.body);
  if (actual !== parts.stated) {
    throw new ScoringError(
      'PIPELINE_CHANGED',
      `${source} was changed after it was exported: its content does not match its checksum (stated ${parts.stated.slice(0, 12)}…, content ${actual.slice(0, 12)}…); export it again instead of editing it`,
    );
  }
  return file;
}

/** Checks an already parsed pipeline object, re-serialising it the way the exporter does. */
export function checkPipelineObject(value: unknown, source = 'the pipeline'): PipelineFile {
  const file = checkHeader(value, source);
  const { checksum, ...body } = file;
  const actual = sha256Hex(JSON.stringify(body, null, 2));
  if (actual !== checksum) {
    throw new ScoringError(
      'PIPELINE_CHANGED',
      `${source} was changed after it was exported: its content does not match its checksum (stated ${String(checksum).slice(0, 12)}…, content ${actual.slice(0, 12)}…)`,
    );
  }
  return file;
}

function checkHeader(value: unknown, source: string): PipelineFile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ScoringError('PIPELINE_FORMAT', `${source} is not a pipeline file: it holds no JSON object`);
  }
  const v = value as Partial<PipelineFile>;
  if (v.format !== PIPELINE_FORMAT) {
    throw new ScoringError('PIPELINE_FORMAT', `${source} is not a pipeline file: its "format" is ${JSON.stringify(v.format)}, not "${PIPELINE_FORMAT}"`);
  }
  const m = /^(\d+)\.(\d+)$/.exec(String(v.formatVersion));
  if (!m) throw new ScoringError('PIPELINE_VERSION', `${source} has format version ${JSON.stringify(v.formatVersion)}; expected MAJOR.MINOR such as ${PIPELINE_FORMAT_VERSION}`);
  if (Number(m[1]) !== MAJOR) {
    throw new ScoringError(
      'PIPELINE_VERSION',
      `${source} is format version ${v.formatVersion}, and this scorer reads version ${MAJOR}.x files (it writes ${PIPELINE_FORMAT_VERSION}); ${Number(m[1]) > MAJOR ? 'use a newer automl to score it' : 'export the pipeline again with this automl'}`,
    );
  }
  for (const key of ['pipelineId', 'target', 'task', 'inputs', 'features', 'model', 'checksum'] as const) {
    if (v[key] === undefined) throw new ScoringError('PIPELINE_FORMAT', `${source} has no "${key}"; it is not a complete pipeline file`);
  }
  if (v.task !== 'binary' && v.task !== 'multiclass' && v.task !== 'regression') {
    throw new ScoringError('PIPELINE_FORMAT', `${source} has task ${JSON.stringify(v.task)}; expected binary, multiclass or regression`);
  }
  if (v.task !== 'regression' && !(Array.isArray(v.classes) && v.classes.length >= 2)) {
    throw new ScoringError('PIPELINE_FORMAT', `${source} is a ${v.task} pipeline without its class labels`);
  }
  return v as PipelineFile;
}
