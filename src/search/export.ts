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
import {
  PIPELINE_FORMAT,
  PIPELINE_FORMAT_VERSION,
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
    formatVersion: PIPELINE_FORMAT_VERSION,
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
  const json = JSON.stringify(
    body,
    (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v))
        throw new RangeError(`pipelineText: a non-finite number (${v}) cannot be written to JSON`);
      return v;
    },
    2,
  );
  return withChecksum(json);
}

/** Writes the pipeline file atomically and returns its text. */
export async function writePipeline(path: string, parts: PipelineParts): Promise<string> {
  const text = pipelineText(parts);
  await writeFileAtomic(path, text);
  return text;
}
