import { AutomlError } from '../util/errors.js';
import { TASKS, type Task } from '../artifact/tasks.js';
import type { Column } from './table.js';

/** What a user may ask for (`--task`, an experiment's `task`): a task, or `auto` to infer it. */
export const TASK_REQUESTS = ['auto', ...TASKS] as const;
export type TaskRequest = (typeof TASK_REQUESTS)[number];

/** A numeric target with integer values and at most this many distinct ones is classification. */
export const MAX_NUMERIC_CLASSES = 20;

export interface TargetInfo {
  readonly task: Task;
  /** Class labels in order (numeric classes ascending, text classes sorted), as written. */
  readonly classes?: readonly string[];
  /** Per row: the class index (classification), or the value (regression); -1 / NaN when missing. */
  readonly y: Float64Array;
  readonly missing: number;
}

/**
 * Decides the task of a target column and encodes it.
 *
 * `auto`: a categorical target is classification; a numeric target whose values are all
 * integers with at most 20 distinct values is classification (so 3, 20, 100 is multiclass);
 * any other numeric target is regression. Binary means exactly two classes.
 *
 * @example
 * inferTarget(table.column('cool_cond_y')).classes; // ['3', '20', '100']
 */
export function inferTarget(col: Column, requested: TaskRequest = 'auto'): TargetInfo {
  const n = col.type === 'numeric' ? col.values.length : col.codes.length;
  if (col.type === 'numeric') {
    const distinct = new Set<number>();
    let allIntegers = true;
    let missing = 0;
    for (const v of col.values) {
      if (Number.isNaN(v)) {
        missing++;
        continue;
      }
      if (!Number.isInteger(v)) allIntegers = false;
      if (distinct.size <= MAX_NUMERIC_CLASSES || requested === 'binary' || requested === 'multiclass') distinct.add(v);
    }
    checkNotAllMissing(col, missing, n);
    const classLike = allIntegers && distinct.size <= MAX_NUMERIC_CLASSES;
    const task =
      requested === 'auto' ? (classLike ? (distinct.size === 2 ? 'binary' : 'multiclass') : 'regression') : requested;
    if (task === 'regression') return { task, y: Float64Array.from(col.values), missing };
    const values = [...distinct].sort((a, b) => a - b);
    const index = new Map(values.map((v, i) => [v, i]));
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = col.values[i]!;
      y[i] = Number.isNaN(v) ? -1 : index.get(v)!;
    }
    const classes = values.map((v) => col.texts?.get(v) ?? String(v));
    return { task: checkClassCount(col.name, task, classes.length), classes, y, missing };
  }
  if (requested === 'regression') {
    throw new AutomlError(
      'TARGET_NOT_NUMERIC',
      `target '${col.name}' is categorical (it holds values such as '${col.levels[0] ?? ''}'), so it cannot be a regression target; use --task auto or a classification task`,
    );
  }
  const used = new Uint8Array(col.levels.length);
  let missing = 0;
  for (const c of col.codes) {
    if (c < 0) missing++;
    else used[c] = 1;
  }
  checkNotAllMissing(col, missing, n);
  const present = col.levels.map((l, i) => ({ l, i })).filter(({ i }) => used[i] === 1);
  present.sort((a, b) => (a.l < b.l ? -1 : a.l > b.l ? 1 : 0));
  const remap = new Int32Array(col.levels.length).fill(-1);
  present.forEach(({ i }, k) => (remap[i] = k));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = col.codes[i]!;
    y[i] = c < 0 ? -1 : remap[c]!;
  }
  const classes = present.map(({ l }) => l);
  const task = requested === 'auto' ? (classes.length === 2 ? 'binary' : 'multiclass') : requested;
  return { task: checkClassCount(col.name, task, classes.length), classes, y, missing };
}

function checkNotAllMissing(col: Column, missing: number, n: number): void {
  if (missing === n) {
    throw new AutomlError(
      'TARGET_ALL_MISSING',
      `target '${col.name}' is missing in every row; choose another target column`,
    );
  }
}

function checkClassCount(name: string, task: Task, k: number): Task {
  if (k < 2) {
    throw new AutomlError(
      'TARGET_ONE_CLASS',
      `target '${name}' has only one class; a classification target needs at least two`,
    );
  }
  if (task === 'binary' && k !== 2) {
    throw new AutomlError(
      'TARGET_NOT_BINARY',
      `target '${name}' has ${k} classes, so it is not binary; use --task multiclass or --task auto`,
    );
  }
  return task;
}
