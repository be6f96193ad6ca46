/**
 * The target column of a scored file, read for the diagnostics: a class label matched to the
 * pipeline's classes by its text (or, for numeric labels, by value: `3.0` is class `3`), or a
 * regression value. Rows without a label, and labels that are not a class of the pipeline, are
 * counted and left out.
 */
import { isMissingText, type PipelineScorer } from '../artifact/scorer.js';

export class LabelReader {
  /** Rows whose target is missing. */
  missing = 0;
  /** Labels that are not a class of the pipeline (or, for regression, not a number), with counts. */
  readonly unknown = new Map<string, number>();
  private readonly classIndex: Map<string, number> | null;
  private readonly classByValue: Map<number, number>;

  constructor(scorer: PipelineScorer) {
    const classes = scorer.classes;
    this.classIndex = classes ? new Map(classes.map((c, k) => [c, k])) : null;
    this.classByValue = new Map(
      (classes ?? []).flatMap((c, k) =>
        c.trim() !== '' && Number.isFinite(Number(c)) ? [[Number(c), k] as [number, number]] : [],
      ),
    );
  }

  /** The class index (or the value) of a target text; NaN when it is missing or unknown (counted). */
  read(text: string): number {
    if (this.classIndex) {
      const k = this.classIndex.get(text) ?? (text.trim() !== '' ? this.classByValue.get(Number(text)) : undefined);
      if (k !== undefined) return k;
    } else {
      const y = text.trim() === '' ? NaN : Number(text);
      if (Number.isFinite(y)) return y;
    }
    if (isMissingText(text)) this.missing++;
    else this.unknown.set(text, (this.unknown.get(text) ?? 0) + 1);
    return NaN;
  }

  /** Adds another reader's counts (a worker's). */
  merge(missing: number, unknown: Iterable<[string, number]>): void {
    this.missing += missing;
    for (const [label, count] of unknown) this.unknown.set(label, (this.unknown.get(label) ?? 0) + count);
  }
}
