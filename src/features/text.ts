import type { TextStep } from '../artifact/format/features.js';
import { gramBucket, textGrams, textTokens } from '../artifact/steps/index.js';
import { badTransform, intOption, requestColumn } from './options.js';
import type { Transform } from './types.js';

/** The hash modulus: 2^20 buckets, so that few of the grams kept share a bucket. */
export const TEXT_BUCKETS = 2 ** 20;
/** The MurmurHash3 seed written into every text step. */
export const TEXT_SEED = 0x5eed;
/** Buckets kept by default (the most frequent in training). */
export const TEXT_MAX_FEATURES = 256;

export interface TextOptions {
  /** Buckets kept: the most frequent by document frequency (default {@link TEXT_MAX_FEATURES}). */
  maxFeatures?: number;
  /** 1: word unigrams (default); 2: also bigrams. */
  wordNgrams?: number;
  /** 0: none (default); n ≥ 2: character n-grams within words. */
  charNgrams?: number;
  /** A bucket is kept only when at least this many training rows hold it (default 2). */
  minDf?: number;
}

/**
 * Fits a text step on the training values (null: missing): the grams of each value hashed into
 * {@link TEXT_BUCKETS} buckets; the buckets held by at least `minDf` rows, the `maxFeatures`
 * held by most rows (ties: the lower bucket), are kept, with the smoothed inverse document
 * frequency idf = ln((1 + n) / (1 + df)) + 1 (n: rows with a value). Each output is named after
 * the most frequent gram of its bucket: `tfidf(c)=word`, `tfidf(c)=two words`, `tfidf(c)=c:_ab`
 * (a character gram, spaces as `_`).
 *
 * @example
 * fitText(['great product', 'bad product', null], 'review', { minDf: 1 }).outputs;
 * // ['tfidf(review)=product', 'tfidf(review)=great', 'tfidf(review)=bad'] (in bucket order)
 */
export function fitText(values: readonly (string | null)[], name: string, opts: TextOptions = {}): TextStep {
  const maxFeatures = opts.maxFeatures ?? TEXT_MAX_FEATURES;
  const wordNgrams = opts.wordNgrams ?? 1;
  const charNgrams = opts.charNgrams ?? 0;
  const minDf = opts.minDf ?? 2;
  const df = new Map<number, number>();
  /** Per bucket: gram → count, to name the bucket. */
  const grams = new Map<number, Map<string, number>>();
  let docs = 0;
  for (const v of values) {
    if (v === null) continue;
    docs++;
    const seen = new Set<number>();
    for (const g of textGrams(textTokens(v), wordNgrams, charNgrams)) {
      const b = gramBucket(g, TEXT_SEED, TEXT_BUCKETS);
      let byGram = grams.get(b);
      if (!byGram) grams.set(b, (byGram = new Map()));
      byGram.set(g, (byGram.get(g) ?? 0) + 1);
      if (!seen.has(b)) {
        seen.add(b);
        df.set(b, (df.get(b) ?? 0) + 1);
      }
    }
  }
  const kept = [...df.entries()]
    .filter(([, d]) => d >= minDf)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, maxFeatures)
    .map(([b]) => b)
    .sort((a, b) => a - b);
  const outputs = kept.map((b) => {
    let best = '';
    let most = -1;
    for (const [g, c] of grams.get(b)!) if (c > most || (c === most && g < best)) [best, most] = [g, c];
    const shown = best.startsWith('w:') ? best.slice(2) : best.replaceAll(' ', '_');
    return `tfidf(${name})=${shown}`;
  });
  return {
    kind: 'text',
    column: name,
    seed: TEXT_SEED,
    buckets: TEXT_BUCKETS,
    wordNgrams,
    charNgrams,
    indices: kept,
    idf: kept.map((b) => Math.log((1 + docs) / (1 + df.get(b)!)) + 1),
    outputs,
  };
}

export const textTransform: Transform<'text'> = {
  kind: 'text',
  description: 'free text: TF-IDF of hashed word (and character) n-grams, the most frequent buckets kept',
  fit(request, ctx) {
    const column = requestColumn(request);
    const maxFeatures = intOption('text', column, 'maxFeatures', request.maxFeatures, 1, TEXT_MAX_FEATURES);
    const wordNgrams = intOption('text', column, 'wordNgrams', request.wordNgrams, 1, 1);
    const charNgrams = intOption('text', column, 'charNgrams', request.charNgrams, 0, 0);
    const minDf = intOption('text', column, 'minDf', request.minDf, 1, 2);
    if (wordNgrams > 2) throw badTransform('text', column, `'wordNgrams' must be 1 or 2, got ${wordNgrams}`);
    if (charNgrams === 1 || charNgrams > 16)
      throw badTransform('text', column, `'charNgrams' must be 0 or 2 … 16, got ${charNgrams}`);
    return { step: fitText(ctx.text(column), column, { maxFeatures, wordNgrams, charNgrams, minDf }) };
  },
};
