/**
 * The tasks a pipeline solves, defined once: the data module infers one, the model families fit
 * for one, the artifact records one and the scorer checks it. It lives on the scoring side so that
 * src/artifact can use it without importing training code (training code imports it from here).
 *
 * @example
 * isTask('binary'); // true
 * predictionWidth('multiclass', 3); // 3 (one probability per class); regression gives 1
 */
import type { PipelineTask } from './format/pipeline.js';

export const TASKS = ['binary', 'multiclass', 'regression'] as const satisfies readonly PipelineTask[];
export type Task = (typeof TASKS)[number];

/** The artifact format's own name for the union (format/ is types only); the two must be equal. */
type SameAs<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const TASK_IS_PIPELINE_TASK: SameAs<Task, PipelineTask> = true;
void TASK_IS_PIPELINE_TASK;

export function isTask(v: unknown): v is Task {
  return typeof v === 'string' && (TASKS as readonly string[]).includes(v);
}

/** "binary, multiclass or regression": the tasks, for a message. */
export const TASKS_TEXT = `${TASKS.slice(0, -1).join(', ')} or ${TASKS[TASKS.length - 1]!}`;

/** Columns of a prediction: K probabilities for classification, 1 value for regression. */
export function predictionWidth(task: Task, nClasses: number): number {
  return task === 'regression' ? 1 : nClasses;
}
