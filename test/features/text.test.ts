/**
 * The `text` feature step: the tokeniser and hash as the format specifies them, the same bits in
 * the Python runtime, the fit (buckets kept, idf), detection of free-text columns, and an
 * `automl run` on a small review set where the text column carries the signal.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FeatureScorer } from '../../src/artifact/feature-scorer.js';
import type { FeaturePipelineNode, TextStep } from '../../src/artifact/format/features.js';
import { loadPipeline } from '../../src/artifact/scorer.js';
import { gramBucket, textGrams, textTokens } from '../../src/artifact/steps/index.js';
import { murmur3 } from '../../src/artifact/murmur3.js';
import { columnKind } from '../../src/data/kinds.js';
import { fitText, TEXT_BUCKETS, TEXT_SEED } from '../../src/features/text.js';
import { Rng } from '../../src/util/random.js';
import { python } from '../artifact/python-steps.js';
import { runCli } from '../cli/run-cli.js';

/** Strings where Unicode rules differ between naive implementations. */
const TRICKY = [
  'İstanbul İZMİR',
  'ΣΟΦΟΣ ΟΔΟΣ. ΣΑΣ',
  'σοφός οδός',
  'café cafe\u0301 CAFÉ',
  'ﬁne ﬂour Ｆｕｌｌ ｗｉｄｔｈ x² ½',
  'हिन्दी भाषा',
  "don't e-mail me_now!",
  '日本語のテキスト、句読点。',
  'emoji😀between 👍🏽 ok',
  'Straße STRASSE ǅemal ǈ',
  'ÅNGSTRÖM K Ω',
  'tab\tand\nnewline\r\nend',
  'x\u00a0y\u2003z\u200bw',
  'ⅫⅣ ①② 𝟘𝟙',
  '',
  '   ',
  '٣٤٥ arabic-indic ۱۲ digits',
  'ɪᴘᴀ ꞵ Ꞵ',
];

describe('the text step tokeniser (README: the pipeline file)', () => {
  it('lower-cases after NFKC, reads a final sigma as σ, and splits on anything but letters, marks and digits', () => {
    expect(textTokens('İstanbul')).toEqual(['i\u0307stanbul']);
    expect(textTokens('ΣΟΦΟΣ ΟΔΟΣ. ΣΑΣ')).toEqual(['σοφοσ', 'οδοσ', 'σασ']);
    expect(textTokens('σοφός')).toEqual(['σοφόσ']);
    expect(textTokens('café cafe\u0301 CAFÉ')).toEqual(['café', 'café', 'café']);
    expect(textTokens('ﬁne Ｆｕｌｌ x² ½')).toEqual(['fine', 'full', 'x2', '1', '2']);
    expect(textTokens('हिन्दी भाषा')).toEqual(['हिन्दी', 'भाषा']);
    expect(textTokens("don't e-mail me_now!")).toEqual(['don', 't', 'e', 'mail', 'me', 'now']);
    expect(textTokens('emoji😀between')).toEqual(['emoji', 'between']);
    expect(textTokens('Straße K')).toEqual(['straße', 'k']);
    expect(textTokens('   ')).toEqual([]);
  });

  it('makes word, bigram and character n-gram grams as specified', () => {
    expect(textGrams(['great', 'box'], 1, 0)).toEqual(['w:great', 'w:box']);
    expect(textGrams(['great', 'box', 'ok'], 2, 0)).toEqual(['w:great', 'w:box', 'w:ok', 'w:great box', 'w:box ok']);
    expect(textGrams(['box', 'a'], 1, 3)).toEqual(['w:box', 'w:a', 'c: bo', 'c:box', 'c:ox ', 'c: a ']);
    expect(textGrams(['😀x'], 1, 3)).toEqual(['w:😀x', 'c: 😀x', 'c:😀x ']); // code points, not UTF-16 units
    expect(gramBucket('w:hello', 0, 2 ** 32)).toBe(murmur3('w:hello', 0));
    expect(gramBucket('w:hello', 0, 1000)).toBe(murmur3('w:hello', 0) % 1000);
  });

  it('the Python runtime gives the same tokens, grams and buckets on tricky and random strings', () => {
    const rng = new Rng(7);
    const random = Array.from({ length: 100 }, () => {
      let s = '';
      const n = rng.int(20);
      for (let i = 0; i < n; i++) {
        const r = rng.next();
        const cp =
          r < 0.3
            ? 0x20 + rng.int(0x5f)
            : r < 0.6
              ? 0xa0 + rng.int(0x2f60)
              : r < 0.9
                ? 0x3000 + rng.int(0x7000)
                : 0x1f300 + rng.int(0x300);
        s += String.fromCodePoint(cp);
      }
      return s;
    });
    const strings = [...TRICKY, ...random];
    const py = python<[string[], string[], number[]][]>(
      '[[d.text_tokens(s), d.text_grams(d.text_tokens(s), 2, 3), [d.murmur3(g, 24301) % 1048576 for g in d.text_grams(d.text_tokens(s), 2, 3)]] for s in req]',
      strings,
    );
    strings.forEach((s, i) => {
      const tokens = textTokens(s);
      const grams = textGrams(tokens, 2, 3);
      expect(py[i]![0], JSON.stringify(s)).toEqual(tokens);
      expect(py[i]![1]).toEqual(grams);
      expect(py[i]![2]).toEqual(grams.map((g) => gramBucket(g, TEXT_SEED, TEXT_BUCKETS)));
    });
  });
});

describe('fitText and the text step', () => {
  const values = ['great box', 'great price', 'broken box', 'Broken, BROKEN!', null, 'great'];

  it('keeps the buckets held by at least minDf rows, the most frequent first, with idf ln((1+n)/(1+df)) + 1', () => {
    const step = fitText(values, 'review', { minDf: 2 });
    const byName = new Map(step.outputs.map((o, j) => [o, step.idf[j]!]));
    expect([...byName.keys()].sort()).toEqual(['tfidf(review)=box', 'tfidf(review)=broken', 'tfidf(review)=great']);
    expect(byName.get('tfidf(review)=great')).toBeCloseTo(Math.log(6 / 4) + 1, 15); // 5 texts, df 3
    expect(byName.get('tfidf(review)=box')).toBeCloseTo(Math.log(6 / 3) + 1, 15);
    expect(step.indices).toEqual([...step.indices].sort((a, b) => a - b));
    expect(step.indices).toContain(gramBucket('w:great', TEXT_SEED, TEXT_BUCKETS));
    expect(fitText(values, 'review', { minDf: 2, maxFeatures: 1 }).outputs).toEqual(['tfidf(review)=great']);
    expect(fitText(values, 'review', { minDf: 1 }).outputs).toHaveLength(4); // price too
    expect(fitText(values, 'r', { minDf: 2, charNgrams: 3 }).outputs).toContain('tfidf(r)=c:_br');
  });

  it('scores counts × idf, L2 normalised; missing and unknown words are all zeros', () => {
    const step = fitText(values, 'review', { minDf: 2 });
    const node: FeaturePipelineNode = {
      kind: 'feature_pipeline',
      inputs: [{ name: 'review', type: 'text' }],
      steps: [step],
      features: step.outputs,
    };
    const rows = ['broken broken box', null, 'nothing known here', 'GREAT'];
    const out = new FeatureScorer(node).apply({ nRows: 4, numeric: {}, categorical: {}, text: { review: rows } });
    const j = (w: string): number => step.outputs.indexOf(`tfidf(review)=${w}`);
    const wBroken = 2 * step.idf[j('broken')]!;
    const wBox = step.idf[j('box')]!;
    const norm = Math.sqrt(wBroken * wBroken + wBox * wBox);
    expect(out[j('broken')]![0]).toBe(wBroken / norm);
    expect(out[j('box')]![0]).toBe(wBox / norm);
    expect(out[j('great')]![0]).toBe(0);
    for (const col of out) expect([col[1], col[2]]).toEqual([0, 0]);
    expect(out[j('great')]![3]).toBe(1);
  });

  it('the Python runtime computes the same outputs, bit for bit', () => {
    const step = fitText([...values, ...TRICKY], 'review', { minDf: 1, wordNgrams: 2, charNgrams: 3 });
    const rows = [...TRICKY, 'great box, broken price', null];
    const node: FeaturePipelineNode = {
      kind: 'feature_pipeline',
      inputs: [{ name: 'review', type: 'text' }],
      steps: [step],
      features: step.outputs,
    };
    const ts = new FeatureScorer(node).apply({
      nRows: rows.length,
      numeric: {},
      categorical: {},
      text: { review: rows },
    });
    const py = python<number[][]>(
      "[d.text_outputs(v, s['seed'], s['buckets'], s['wordNgrams'], s['charNgrams'], {b: j for j, b in enumerate(s['indices'])}, s['idf']) for v in req['rows'] for s in [req['step']]]",
      { step, rows },
    );
    expect(step.outputs.length).toBeGreaterThan(50);
    rows.forEach((_, r) => expect(py[r]).toEqual(ts.map((col) => col[r])));
  });

  it('refuses a malformed step, naming the field', () => {
    const step = fitText(values, 'review', { minDf: 2 });
    const node = (s: Partial<TextStep>): FeaturePipelineNode => ({
      kind: 'feature_pipeline',
      inputs: [{ name: 'review', type: 'text' }],
      steps: [{ ...step, ...s }],
      features: [],
    });
    expect(() => new FeatureScorer(node({ indices: [...step.indices].reverse() }))).toThrow(
      /indices must be strictly ascending/,
    );
    expect(() => new FeatureScorer(node({ wordNgrams: 3 }))).toThrow(/wordNgrams must be 1 or 2/);
    expect(() => new FeatureScorer(node({ idf: [1] }))).toThrow(/idf has 1 entries, expected 3/);
    expect(
      () =>
        new FeatureScorer({
          kind: 'feature_pipeline',
          inputs: [{ name: 'review', type: 'categorical', levels: ['a'] }],
          steps: [step],
          features: [],
        }),
    ).toThrow(/column 'review' is not a text input field/);
  });
});

describe('format version 2.2', () => {
  it('a pipeline with a text step is written as 2.2; one that says 2.1 but holds it is refused as edited', async () => {
    const { checkPipelineObject } = await import('../../src/artifact/load.js');
    const { contentChecksum } = await import('../../src/artifact/checksum.js');
    const file = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'pipelines', 'examples', 'date-text.pipeline.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(file['formatVersion']).toBe('2.2');
    const { checksum: _, ...body } = file;
    const changed = { ...body, formatVersion: '2.1' };
    const old = { ...changed, checksum: contentChecksum(changed) };
    expect(() => checkPipelineObject(old, 'old.pipeline.json')).toThrow(
      "old.pipeline.json has a text input field or a date or text step, which format 2.1 does not have (they came with 2.2): the file's formatVersion is wrong, or the file was edited",
    );
  });
});

describe('free-text detection', () => {
  const col = (values: (string | null)[]) => {
    const levels = [...new Set(values.filter((v): v is string => v !== null))];
    return {
      name: 'c',
      type: 'categorical' as const,
      levels,
      codes: Int32Array.from(values, (v) => (v === null ? -1 : levels.indexOf(v))),
    };
  };
  it('finds mostly distinct values of several words; not codes, short labels or few rows', () => {
    const reviews = Array.from({ length: 20 }, (_, i) => `the parcel number ${i} came late again`);
    expect(columnKind(col(reviews)).kind).toEqual({ kind: 'text' });
    expect(columnKind(col(reviews.slice(0, 5))).kind).toBeUndefined(); // fewer than 10 rows
    expect(columnKind(col(Array.from({ length: 20 }, (_, i) => `A-${i}`))).kind).toBeUndefined();
    expect(
      columnKind(col(Array.from({ length: 20 }, (_, i) => (i % 2 ? 'New York' : 'Los Angeles')))).kind,
    ).toBeUndefined();
  });
});

/** Short product reviews: positive or negative words (85% agree with the label) among filler words. */
function reviewsCsv(path: string, withText: boolean): void {
  const rng = new Rng(2024);
  const POS = ['great', 'excellent', 'love', 'perfect', 'wonderful', 'sturdy', 'recommend', 'happy'];
  const NEG = ['broken', 'terrible', 'refund', 'awful', 'disappointed', 'flimsy', 'useless', 'returned'];
  const FILL = ['the', 'product', 'arrived', 'was', 'and', 'it', 'box', 'quality', 'after', 'a', 'week', 'price', 'my'];
  const lines = [withText ? 'price,review,label' : 'price,label'];
  for (let i = 0; i < 400; i++) {
    const y = rng.next() < 0.5;
    const words = Array.from({ length: 5 + rng.int(6) }, () => FILL[rng.int(FILL.length)]!);
    for (let k = 1 + rng.int(2); k > 0; k--) {
      const agree = rng.next() < 0.85;
      const list = agree === y ? POS : NEG;
      words.splice(rng.int(words.length), 0, list[rng.int(list.length)]!);
    }
    const price = (20 + rng.next() * 80).toFixed(2);
    lines.push(withText ? `${price},"${words.join(' ')}",${y ? 'yes' : 'no'}` : `${price},${y ? 'yes' : 'no'}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

describe('automl run on a small review set', () => {
  const dir = mkdtempSync(join(tmpdir(), 'automl-text-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('with the review text beats the same run without it (test AUC), through a text step', async () => {
    reviewsCsv(join(dir, 'with.csv'), true);
    reviewsCsv(join(dir, 'without.csv'), false);
    const args = ['--target', 'label', '--max-models', '6', '--seed', '1', '--json', '--out-dir', dir];
    const a = await runCli(['run', '--data', join(dir, 'with.csv'), '--name', 'with', ...args], { timeoutMs: 120_000 });
    const b = await runCli(['run', '--data', join(dir, 'without.csv'), '--name', 'without', ...args], {
      timeoutMs: 120_000,
    });
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const withText = JSON.parse(a.stdout) as { test: { auc: number; accuracy: number }; pipelinePath: string };
    const without = JSON.parse(b.stdout) as { test: { auc: number; accuracy: number } };
    // Measured: AUC ≈ 0.9 with the text, ≈ 0.5 without (the price is noise).
    expect(withText.test.auc).toBeGreaterThan(0.8);
    expect(without.test.auc).toBeLessThan(0.65);
    expect(withText.test.accuracy).toBeGreaterThan(without.test.accuracy + 0.15);
    const file = JSON.parse(readFileSync(withText.pipelinePath, 'utf8')) as {
      formatVersion: string;
      inputs: { name: string; type: string }[];
    };
    expect(file.formatVersion).toBe('2.2');
    expect(file.inputs).toContainEqual({ name: 'review', type: 'text' });
    const scorer = loadPipeline(withText.pipelinePath);
    const [pNo, pYes] = scorer.score({ price: '50', review: 'Excellent! I love it, perfect and sturdy' });
    expect(pYes!).toBeGreaterThan(pNo!);
    const [qNo, qYes] = scorer.score({ price: '50', review: 'Broken and useless: a refund, please' });
    expect(qNo!).toBeGreaterThan(qYes!);
  }, 240_000);
});
