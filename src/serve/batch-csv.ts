/**
 * The output of batch scoring as CSV: the kept columns, one column per class named
 * `<target>.<class>` (or `<target>` for regression), and `<target>.predicted`. Numbers are written
 * as the shortest text that reads back as the same double.
 */
import type { PipelineScorer } from '../artifact/scorer.js';
import type { ScoredChunk } from './batch.js';

/** A binary decision: the positive class (the second) from probability `value` on. */
export interface Decision {
  value: number;
  /** How the threshold was chosen, for messages. */
  label: string;
}

/** A CSV field, quoted when it holds a comma, a quote or a line break. */
export function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The output's header: kept columns, the outputs, and the predicted class. */
export function outputHeader(scorer: PipelineScorer, keep: readonly string[]): string[] {
  const file = scorer.file;
  if (file.task === 'regression') {
    // The prediction is `<target>`; when the actual value is kept under that name, `<target>.predicted`.
    return [...keep, keep.includes(file.target) ? `${file.target}.predicted` : file.target];
  }
  return [...keep, ...scorer.outputNames, `${file.target}.predicted`];
}

/** One chunk as CSV lines: numbers as the shortest text that reads back as the same double. */
export function chunkCsv(scorer: PipelineScorer, chunk: ScoredChunk, decision: Pick<Decision, 'value'> | null): string {
  const classes = scorer.classes;
  const width = scorer.outputNames.length;
  const pred = chunk.pred;
  const kept = chunk.kept.map((col) => col.map(csvCell));
  let text = '';
  for (let i = 0; i < chunk.n; i++) {
    let line = '';
    for (let k = 0; k < kept.length; k++) line += `${kept[k]![i]},`;
    const o = i * width;
    for (let k = 0; k < width; k++) line += k === 0 ? String(pred[o]) : `,${pred[o + k]}`;
    if (classes) {
      let best = 0;
      if (decision) best = pred[o + 1]! >= decision.value ? 1 : 0;
      else for (let k = 1; k < width; k++) if (pred[o + k]! > pred[o + best]!) best = k;
      line += `,${csvCell(classes[best]!)}`;
    }
    text += `${line}\n`;
  }
  return text;
}
