/**
 * A hydraulic label as a model-family test sees it: the embedded data split 75/25 by our
 * stratified splitter (seed 42), the other labels dropped, and the test logloss of a model.
 */
import { labelColumns } from '../../recipes/index.js';
import { readCsv } from '../../src/data/csv.js';
import { embeddedDataPath } from '../../src/cli/embedded.js';
import { inferTarget } from '../../src/data/infer.js';
import { numericMatrix } from '../../src/data/matrix.js';
import type { FitData, FittedModel, Matrix, ProblemKind } from '../../src/models/types.js';
import { holdoutSplit } from '../../src/split/holdout.js';

export interface HydraulicTask {
  kind: ProblemKind;
  nClasses: number;
  train: FitData;
  test: Matrix;
  yTest: Float64Array;
}

export async function hydraulicTask(target: string, seed = 42): Promise<HydraulicTask> {
  const table = await readCsv(embeddedDataPath());
  const labels: readonly string[] = labelColumns('hydraulic');
  const features = table.names.filter((n) => !labels.includes(n));
  const info = inferTarget(table.column(target));
  const isTrain = holdoutSplit(table.nRows, { ratio: 0.75, seed }, info.y);
  const tr: number[] = [];
  const te: number[] = [];
  isTrain.forEach((v, i) => (v ? tr : te).push(i));
  return {
    kind: info.task,
    nClasses: info.classes!.length,
    train: { x: numericMatrix(table.take(tr), features), y: Float64Array.from(tr, (i) => info.y[i]!) },
    test: numericMatrix(table.take(te), features),
    yTest: Float64Array.from(te, (i) => info.y[i]!),
  };
}

/** Mean test logloss of a fitted classifier on the task's test rows. */
export function testLogloss(model: FittedModel, task: HydraulicTask): number {
  const p = model.predict(task.test);
  const K = task.nClasses;
  let loss = 0;
  task.yTest.forEach((y, i) => (loss -= Math.log(Math.max(p[i * K + y]!, 1e-15))));
  return loss / task.yTest.length;
}
