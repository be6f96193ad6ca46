/**
 * The Markdown report of a real run: the same content as the HTML page with experiment.json's
 * numbers, each chart an SVG file beside it with its Vega-Lite spec, every file renamed into place
 * (no temporary file left), and text from the data escaped.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as vl from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRun } from '../../src/report/load.js';
import { escapeMarkdown, writeMarkdown } from '../../src/report/markdown.js';
import { fmt } from '../../src/report/text.js';
import { binaryRun, classificationRun, failedRun, regressionRun, type FixtureRun } from './fixture.js';
import { countMarks, markTexts, urlsIn } from './html-fixture.js';

const LONG = 240_000;
const out = mkdtempSync(join(tmpdir(), 'automl-markdown-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

let cool: FixtureRun;
let files: string[];
let md: string;

beforeAll(async () => {
  cool = await classificationRun();
  files = await writeMarkdown(await loadRun(cool.dir), join(out, 'cool', 'report.md'));
  md = readFileSync(files[0]!, 'utf8');
}, LONG);

/** The rows of the Markdown table whose header begins with `first`, as cells. */
function mdTable(text: string, first: string): string[][] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`| ${first} |`));
  if (at < 0) return [];
  const rows: string[][] = [];
  for (let i = at + 2; i < lines.length && lines[i]!.startsWith('|'); i++)
    rows.push(
      lines[i]!.slice(2, -2)
        .split(/ (?<!\\)\| /)
        .map((c) => c.trim()),
    );
  return rows;
}

describe('writeMarkdown: a finished classification run', () => {
  it('writes report.md, then per chart an SVG and its Vega-Lite spec beside it; nothing else', () => {
    const dir = join(out, 'cool');
    expect(files[0]).toBe(join(dir, 'report.md'));
    const charts = ['importance', 'confusion', 'roc', 'pr', 'iteration'];
    expect(files.slice(1)).toEqual(
      charts.flatMap((c) => [join(dir, `report-${c}.svg`), join(dir, `report-${c}.vl.json`)]),
    );
    expect(readdirSync(dir).sort()).toEqual(files.map((f) => basename(f)).sort());
    for (const c of charts) {
      expect(md).toContain(`](report-${c}.svg)`);
      expect(md).toContain(`[report-${c}.vl.json](report-${c}.vl.json)`);
      const spec = JSON.parse(readFileSync(join(dir, `report-${c}.vl.json`), 'utf8')) as vl.TopLevelSpec;
      expect(() => vl.compile(spec)).not.toThrow();
      const svg = readFileSync(join(dir, `report-${c}.svg`), 'utf8');
      expect(svg.startsWith('<svg ')).toBe(true);
      expect(urlsIn(svg)).toEqual([]);
    }
  });

  it("has experiment.json's numbers: scores, per-class F1, MCC, confusion cells, importance order", () => {
    const t = cool.json.test;
    const v = cool.json.validation;
    const scores = new Map(mdTable(md, 'metric').map((r) => [r[0], r]));
    expect(scores.get('logloss')).toEqual(['logloss', fmt(v['logloss'] as number), fmt(t['logloss'] as number)]);
    expect(scores.get('MCC')![2]).toBe(fmt(t['mcc'] as number));
    const perClass = t['perClass'] as { label: string; f1: number; support: number }[];
    const rows = mdTable(md, 'class');
    perClass.forEach((c, k) => {
      expect(rows[k]![0]).toBe(`\`${c.label}\``);
      expect(rows[k]![1]).toBe(fmt(c.support));
      expect(rows[k]![4]).toBe(fmt(c.f1));
    });
    expect(rows.at(-1)![5]).toBe(fmt(t['mcc'] as number));
    const confusion = t['confusion'] as number[][];
    const svg = readFileSync(join(out, 'cool', 'report-confusion.svg'), 'utf8');
    expect(markTexts(svg, 'counts').map(Number)).toEqual(confusion.flat());
    expect(countMarks(svg, 'cells')).toBe(confusion.length ** 2);
    const imp = mdTable(md, '#').map((r) => r[1]);
    expect(imp).toEqual(cool.json.importance.slice(0, 20).map((i) => `\`${i.feature}\``));
  });

  it('has the sections of the HTML page, as headings, and a contents line linking them', () => {
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## Summary',
      '## Variable importance',
      '## Test metrics by class',
      '## ROC and precision-recall',
      '## Iteration',
      '## Leaderboard',
      '## Ensemble',
      '## Checks',
      '## The pipeline',
      '## Provenance',
    ]);
    expect(md).toContain('[ROC and precision-recall](#roc-and-precision-recall)');
    expect(md).toContain((cool.json['data'] as { train: { sha256: string } }).train.sha256);
  });

  it('writing again replaces the files in place', async () => {
    const again = await writeMarkdown(await loadRun(cool.dir), files[0]!);
    expect(again).toEqual(files);
    expect(readFileSync(files[0]!, 'utf8')).toBe(md);
    expect(readdirSync(join(out, 'cool')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('writeMarkdown: other runs', () => {
  it(
    'binary: the thresholds table; regression: predicted vs actual and residuals',
    async () => {
      const stable = await binaryRun();
      const b = await writeMarkdown(await loadRun(stable.dir), join(out, 'stable', 'stable.md'));
      const text = readFileSync(b[0]!, 'utf8');
      const t = stable.json['thresholds'] as { f1: number; mcc: number };
      expect(mdTable(text, 'best by').map((r) => r[1])).toEqual([fmt(t.f1), fmt(t.mcc)]);
      expect(b).toContain(join(out, 'stable', 'stable-roc.svg'));

      const regression = await regressionRun();
      const r = await writeMarkdown(await loadRun(regression.dir), join(out, 'reg', 'report.md'));
      expect(r.map((f) => basename(f))).toEqual([
        'report.md',
        'report-importance.svg',
        'report-importance.vl.json',
        'report-predicted-actual.svg',
        'report-predicted-actual.vl.json',
        'report-residuals.svg',
        'report-residuals.vl.json',
        'report-iteration.svg',
        'report-iteration.vl.json',
      ]);
      const svg = readFileSync(join(out, 'reg', 'report-predicted-actual.svg'), 'utf8');
      expect(countMarks(svg, 'points')).toBe(regression.result.rows.test);
      const text2 = readFileSync(r[0]!, 'utf8');
      expect(mdTable(text2, 'metric').find((row) => row[0] === 'rmse')![2]).toBe(
        fmt(regression.json.test['rmse'] as number),
      );
    },
    LONG,
  );

  it('failed: the warning at the top, no charts; the file alone', async () => {
    const dir = await failedRun('failed-md', 'disk full');
    const f = await writeMarkdown(await loadRun(dir), join(out, 'failed', 'report.md'));
    expect(f).toEqual([join(out, 'failed', 'report.md')]);
    const text = readFileSync(f[0]!, 'utf8');
    expect(text).toMatch(/^> \*\*Error: This experiment failed\.\*\* It stopped with an error: disk full\./m);
    expect(existsSync(join(out, 'failed', 'report-importance.svg'))).toBe(false);
  });

  it('escapes text from the data: a column called <b>|x*_ stays text, and a table keeps its columns', async () => {
    const r = await loadRun(cool.dir);
    r.experiment!.dropped = [{ column: 'a|b`c', reason: '<b>bold</b> *not* _this_ | [link](x)' }];
    const f = await writeMarkdown(r, join(out, 'evil', 'report.md'));
    const text = readFileSync(f[0]!, 'utf8');
    const dropped = mdTable(text, 'column');
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toHaveLength(2);
    expect(dropped[0]![0]).toBe('``a\\|b`c``');
    expect(dropped[0]![1]).toBe(escapeMarkdown('<b>bold</b> *not* _this_ | [link](x)'));
    expect(text).not.toContain('<b>');
    expect(escapeMarkdown('a<b>&c|d')).toBe('a\\<b\\>&amp;c\\|d');
  });
});
