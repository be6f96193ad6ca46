/**
 * Reading a pipeline file: JSON, the format's name and major version, the checksum, then its
 * structure, strictly. A file of another major version, one changed after export, or one with a
 * member or kind this scorer does not know is refused with a message that says so.
 */
import { readFileSync } from 'node:fs';
import { contentChecksum } from './checksum.js';
import { ScoringError } from './errors.js';
import { PIPELINE_FORMAT, PIPELINE_FORMAT_VERSION, type PipelineFile } from './format/pipeline.js';
import { isTask, TASKS_TEXT } from './tasks.js';
import { checkStructure } from './validate.js';

const MAJOR = Number(PIPELINE_FORMAT_VERSION.split('.')[0]);

/** Reads and checks a pipeline file. */
export function readPipelineFile(path: string): PipelineFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new ScoringError(
      'PIPELINE_UNREADABLE',
      code === 'ENOENT'
        ? `${path}: no such pipeline file`
        : `${path}: cannot read the pipeline file (${String((e as Error).message)})`,
    );
  }
  return parsePipeline(text, path);
}

/** Parses and checks a pipeline file's text; `source` names it in messages. */
export function parsePipeline(text: string, source = 'the pipeline'): PipelineFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ScoringError(
      'PIPELINE_NOT_JSON',
      `${source} is not valid JSON (${(e as Error).message}); is it a pipeline file?`,
    );
  }
  return checkPipelineObject(value, source);
}

/**
 * Checks a parsed pipeline file (from any text of it: the checksum covers its canonical JSON, so
 * indentation and member order do not matter).
 */
export function checkPipelineObject(value: unknown, source = 'the pipeline'): PipelineFile {
  const v = checkHeader(value, source);
  const stated = v['checksum'];
  if (stated === undefined)
    throw new ScoringError(
      'PIPELINE_NO_CHECKSUM',
      `${source} has no "checksum"; it is not a complete pipeline file (export it again)`,
    );
  if (typeof stated !== 'string' || !/^[0-9a-f]{64}$/.test(stated)) {
    throw new ScoringError(
      'PIPELINE_NO_CHECKSUM',
      `${source} has a "checksum" that is not a sha256 in hex (${JSON.stringify(stated)}); export the pipeline again`,
    );
  }
  // Members and kinds before the checksum: an unknown member is named, whether a newer automl
  // wrote it or someone added it.
  checkStructure(v, source);
  let actual: string;
  try {
    actual = contentChecksum(v);
  } catch (e) {
    throw new ScoringError('PIPELINE_FORMAT', `${source} is not a JSON value (${(e as Error).message})`);
  }
  if (actual !== stated) {
    throw new ScoringError(
      'PIPELINE_CHANGED',
      `${source} was changed after it was exported: its content does not match its checksum (stated ${stated.slice(0, 12)}…, content ${actual.slice(0, 12)}…); export it again instead of editing it`,
    );
  }
  const file = v as unknown as PipelineFile;
  if (!isTask(file.task)) {
    throw new ScoringError(
      'PIPELINE_FORMAT',
      `${source} has task ${JSON.stringify(file.task)}; expected ${TASKS_TEXT}`,
    );
  }
  if (file.task !== 'regression' && !(Array.isArray(file.classes) && file.classes.length >= 2)) {
    throw new ScoringError('PIPELINE_FORMAT', `${source} is a ${file.task} pipeline without its class labels`);
  }
  return file;
}

/** The format's name and major version: checked first, as they say how to read the rest. */
function checkHeader(value: unknown, source: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ScoringError('PIPELINE_FORMAT', `${source} is not a pipeline file: it holds no JSON object`);
  }
  const v = value as Record<string, unknown>;
  if (v['format'] !== PIPELINE_FORMAT) {
    throw new ScoringError(
      'PIPELINE_FORMAT',
      `${source} is not a pipeline file: its "format" is ${JSON.stringify(v['format'])}, not "${PIPELINE_FORMAT}"`,
    );
  }
  const version = v['formatVersion'];
  const m = typeof version === 'string' ? /^(\d+)\.(\d+)$/.exec(version) : null;
  if (!m)
    throw new ScoringError(
      'PIPELINE_VERSION',
      `${source} has format version ${JSON.stringify(version)}; expected MAJOR.MINOR such as ${PIPELINE_FORMAT_VERSION}`,
    );
  const major = Number(m[1]);
  if (major !== MAJOR) {
    throw new ScoringError(
      'PIPELINE_VERSION',
      `${source} is format version ${String(version)}, and this scorer reads version ${MAJOR}.x files (it writes ${PIPELINE_FORMAT_VERSION}); ${
        major > MAJOR
          ? 'use a newer automl to score it'
          : "export the pipeline again with this automl (an older format's checksum and members differ)"
      }`,
    );
  }
  return v;
}
