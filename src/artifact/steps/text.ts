/**
 * `text`: hashed word and character n-gram counts of a text input field, TF-IDF weighted and L2
 * normalised. The tokeniser and the hash are part of the format (README.md, "The pipeline file"),
 * so that every runtime computes the same buckets:
 *
 * 1. a missing value (null) → every output 0;
 * 2. NFKC normalisation, then Unicode default lower-casing without a locale
 *    (`String.prototype.toLowerCase`, Python's `str.lower`), then every `ς` (U+03C2, final sigma)
 *    replaced by `σ` (U+03C3): the runtimes' context rule for a final sigma need not agree;
 * 3. tokens: the maximal runs of characters of general category L*, M* or N* (letters,
 *    combining marks, digits: `[\p{L}\p{M}\p{N}]+`); a mark is part of its letter, so that
 *    Devanagari or a decomposed accent does not split a word;
 * 4. grams: `w:<token>` per token; with `wordNgrams` 2 also `w:<a> <b>` per pair of neighbouring
 *    tokens; with `charNgrams` n ≥ 2, per token t, `c:<g>` for each run g of n code points of
 *    ` t ` (one space either side), or `c: t ` once when ` t ` has at most n code points;
 * 5. each gram's bucket: MurmurHash3_x86_32 of its UTF-8 bytes with `seed`, modulo `buckets`;
 *    only buckets listed in `indices` count (output j counts the grams in bucket indices[j]);
 * 6. w_j = count_j · idf_j, then w_j / sqrt(w_0² + w_1² + … ) summed in output order; a row
 *    whose sum is 0 stays all zeros.
 *
 * Only integer counts, products, one square root and divisions: IEEE float64 gives every runtime
 * the same bits.
 */
import type { TextStep } from '../format/features.js';
import { murmur3 } from '../murmur3.js';
import { describe, type PreparedStep, type StepCheck } from './check.js';

/** Anything but a letter, a combining mark or a digit: marks belong to their letter (हिन्दी, i̇). */
const NOT_WORD = /[^\p{L}\p{M}\p{N}]+/u;

/** Steps 2 and 3: the tokens of a value. */
export function textTokens(value: string): string[] {
  const lower = value.normalize('NFKC').toLowerCase().replaceAll('ς', 'σ');
  return lower.split(NOT_WORD).filter((t) => t !== '');
}

/** Step 4: the grams of a value's tokens, in order (words, then bigrams, then character grams). */
export function textGrams(tokens: readonly string[], wordNgrams: number, charNgrams: number): string[] {
  const grams = tokens.map((t) => `w:${t}`);
  if (wordNgrams >= 2) for (let i = 0; i + 1 < tokens.length; i++) grams.push(`w:${tokens[i]} ${tokens[i + 1]}`);
  if (charNgrams >= 2) {
    for (const t of tokens) {
      const cps = [...` ${t} `];
      if (cps.length <= charNgrams) grams.push(`c:${cps.join('')}`);
      else for (let i = 0; i + charNgrams <= cps.length; i++) grams.push(`c:${cps.slice(i, i + charNgrams).join('')}`);
    }
  }
  return grams;
}

/** Step 5: a gram's bucket. */
export function gramBucket(gram: string, seed: number, buckets: number): number {
  return murmur3(gram, seed) % buckets;
}

export function prepareText(step: TextStep, c: StepCheck): PreparedStep {
  const { where, num, strings, numbers, members, textField } = c;
  const column = textField('column');
  const seed = num('seed', (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff, 'an integer 0 … 2^32 − 1');
  const buckets = num('buckets', (v) => Number.isInteger(v) && v >= 1 && v <= 2 ** 32, 'an integer 1 … 2^32');
  const wordNgrams = num('wordNgrams', (v) => v === 1 || v === 2, '1 or 2');
  const charNgrams = num(
    'charNgrams',
    (v) => v === 0 || (Number.isInteger(v) && v >= 2 && v <= 16),
    '0 or an integer 2 … 16',
  );
  const raw = members['indices'];
  const k = Array.isArray(raw) ? raw.length : -1;
  const indices = numbers('indices', k);
  indices.forEach((b, j) => {
    if (!(Number.isInteger(b) && b >= 0 && b < buckets))
      throw new TypeError(`${where}: indices[${j}] must be an integer 0 … buckets − 1, got ${describe(b)}`);
    if (j > 0 && !(b > indices[j - 1]!))
      throw new TypeError(
        `${where}: indices must be strictly ascending; indices[${j}] = ${b} follows ${indices[j - 1]}`,
      );
  });
  const idf = numbers('idf', k);
  const outputs = strings('outputs', k);
  const slot = new Map<number, number>();
  indices.forEach((b, j) => slot.set(b, j));
  const w = new Float64Array(k);
  return c.textStep(column, outputs, 0, (v, r, outs) => {
    w.fill(0);
    for (const gram of textGrams(textTokens(v), wordNgrams, charNgrams)) {
      const j = slot.get(gramBucket(gram, seed, buckets));
      if (j !== undefined) w[j]!++;
    }
    let ss = 0;
    for (let j = 0; j < k; j++) {
      const x = w[j]! * idf[j]!;
      w[j] = x;
      ss += x * x;
    }
    if (ss === 0) return;
    const norm = Math.sqrt(ss);
    for (let j = 0; j < k; j++) if (w[j] !== 0) outs[j]![r] = w[j]! / norm;
  });
}
