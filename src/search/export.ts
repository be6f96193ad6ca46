/**
 * Writing a pipeline file (the training side): the body in a fixed member order, then its
 * checksum, written to a temporary name and renamed into place. It lives here, not in
 * src/artifact, because it needs the package's version and the atomic file writer: the scoring
 * side imports nothing outside src/artifact but node: built-ins.
 */
import { randomUUID } from 'node:crypto';
import { writeFileAtomic } from '../util/fs.js';
import { packageVersion } from '../util/paths.js';
import { withChecksum } from '../artifact/checksum.js';
import type { FeaturePipelineNode, InputField } from '../artifact/format/features.js';
import { formatVersionFor } from '../artifact/validate.js';
import {
  PIPELINE_FORMAT,
  type DecisionThresholds,
  type EnsembleNode,
  type ImportanceEntry,
  type ModelNode,
  type PipelineFile,
  type PipelineTask,
} from '../artifact/format/pipeline.js';

export interface PipelineParts {
  name: string;
  target: string;
  task: PipelineTask;
  classes: readonly string[] | null;
  inputs: readonly InputField[];
  features: FeaturePipelineNode;
  model: ModelNode | EnsembleNode;
  metrics?: Record<string, unknown>;
  importance?: readonly ImportanceEntry[];
  /** Binary pipelines: decision thresholds chosen out of fold (written only when given). */
  thresholds?: DecisionThresholds;
  seed: number;
  settings?: Record<string, unknown>;
  dataSha256?: string | null;
  /** When the model was fitted (default: now). */
  fittedAt?: Date;
  /** For tests: the id and export time (default: a new UUID, now). */
  pipelineId?: string;
  exportedAt?: Date;
}

/**
 * The pipeline file's text. Two exports of the same fitted pipeline differ only in the id,
 * the provenance times and the checksum.
 *
 * @example
 * const text = pipelineText({ name: 'cool', target: 'cool_cond_y', task: 'multiclass', classes: ['3', '20', '100'], inputs, features, model, seed: 42 });
 */
export function pipelineText(parts: PipelineParts): string {
  const now = parts.exportedAt ?? new Date();
  const th = parts.thresholds;
  if (th) {
    if (parts.task !== 'binary' || th.positiveClass !== parts.classes?.[1]) {
      throw new RangeError(
        `pipelineText: thresholds apply to a binary pipeline's second class (${parts.task}, positive class '${th.positiveClass}')`,
      );
    }
    for (const v of [th.f1, th.mcc])
      if (!(v >= 0 && v <= 1))
        throw new RangeError(`pipelineText: a decision threshold (${v}) must be a probability in [0, 1]`);
  }
  const body: Omit<PipelineFile, 'checksum'> = {
    format: PIPELINE_FORMAT,
    formatVersion: formatVersionFor(parts),
    pipelineId: parts.pipelineId ?? randomUUID(),
    name: parts.name,
    target: parts.target,
    task: parts.task,
    classes: parts.classes ? [...parts.classes] : null,
    inputs: [...parts.inputs],
    features: parts.features,
    model: parts.model,
    metrics: parts.metrics ?? {},
    importance: [...(parts.importance ?? [])],
    ...(th ? { thresholds: { positiveClass: th.positiveClass, f1: th.f1, mcc: th.mcc } } : {}),
    provenance: {
      tool: 'automl',
      toolVersion: packageVersion(),
      seed: parts.seed,
      settings: parts.settings ?? {},
      dataSha256: parts.dataSha256 ?? null,
      fittedAt: (parts.fittedAt ?? now).toISOString(),
      exportedAt: now.toISOString(),
    },
  };
  return withChecksum(fileJson(body));
}

/**
 * JSON text indented by two spaces like `JSON.stringify(value, null, 2)`, except that an array
 * of numbers, strings, booleans or nulls is written on one line: a tree's thresholds and a
 * layer's weights stay readable as rows, and the file is about a sixth of the size (one number a
 * line, indented, made a 12 MB ensemble a 69 MB file).
 *
 * @example
 * fileJson({ a: [1, 2], b: { c: 'x' } }); // '{\n  "a": [1,2],\n  "b": {\n    "c": "x"\n  }\n}'
 */
export function fileJson(value: unknown, indent = ''): string {
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new RangeError(`pipelineText: a non-finite number (${value}) cannot be written to JSON`);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map((v) => fileJson(v)).join(',')}]`;
    return `[\n${value.map((v) => inner + fileJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${fileJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

/** Writes the pipeline file atomically and returns its text. */
export async function writePipeline(path: string, parts: PipelineParts): Promise<string> {
  const text = pipelineText(parts);
  await writeFileAtomic(path, text);
  return text;
}
