/**
 * The `date` feature step: the grammar and UTC arithmetic as the format specifies them, the same
 * bits in the Python runtime, detection of date columns (ISO 8601, DD/MM/YYYY, MM/DD/YYYY,
 * `--date-format`), and an `automl run` where the target depends on the weekday and the month.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FeatureScorer } from '../../src/artifact/feature-scorer.js';
import type { DateStep, FeaturePipelineNode } from '../../src/artifact/format/features.js';
import { DATE_PARTS, instantParts, parseInstant } from '../../src/artifact/steps/index.js';
import { columnKind, parseDateFormats } from '../../src/data/kinds.js';
import { fitDate } from '../../src/features/date.js';
import { fitFeaturePipeline } from '../../src/features/pipeline.js';
import { Table } from '../../src/data/table.js';
import { Rng } from '../../src/util/random.js';
import { python } from '../artifact/python-steps.js';
import { runCli } from '../cli/run-cli.js';

/** All parts of a value: year, month, day, weekday (0 Monday), hour, yday, epoch_days; null when it does not parse. */
const parts = (v: string, f: DateStep['format'] = 'iso'): number[] | null => {
  const at = parseInstant(v, f);
  return at ? instantParts(at) : null;
};

describe('the date step grammar and its UTC arithmetic (README: the pipeline file)', () => {
  it('reads ISO dates and date-times; without a zone as UTC, with one converted to UTC', () => {
    expect(parts('1970-01-01')).toEqual([1970, 1, 1, 3, 0, 1, 0]); // a Thursday
    expect(parts('2024-03-01T01:30+02:00')).toEqual([2024, 2, 29, 3, 23, 60, (19782 * 86400 + 23.5 * 3600) / 86400]);
    expect(parts('2024-03-01 01:30:00Z')).toEqual([2024, 3, 1, 4, 1, 61, (19783 * 86400 + 5400) / 86400]);
    expect(parts('2024-03-01T01:30:00')).toEqual(parts('2024-03-01T01:30:00Z'));
    expect(parts('2024-12-31T22:00:00-0300')).toEqual([2025, 1, 1, 2, 1, 1, (20089 * 86400 + 3600) / 86400]);
    expect(parts('2024-06-30T12:00:00.5Z')![6]).toBe((19904 * 86400 + 43200 + 0.5) / 86400);
    expect(parts('1969-12-31T23:59:59Z')).toEqual([1969, 12, 31, 2, 23, 365, -1 / 86400]);
    expect(parts('  2024-1-5 ')).toEqual(parts('2024-01-05'));
    expect(parts('2024-03-01T10:00 +05:30')![4]).toBe(4);
    expect(parts('0001-01-01')![0]).toBe(1);
    expect(parts('9999-12-31T23:59:59-23:59')![0]).toBe(10000);
  });

  it('reads DD/MM/YYYY and MM/DD/YYYY with / . or -, and refuses what names no real date or time', () => {
    expect(parts('31/12/2024', 'dmy')).toEqual(parts('2024-12-31'));
    expect(parts('12/31/2024', 'mdy')).toEqual(parts('2024-12-31'));
    expect(parts('01.02.2024 08:15', 'dmy')).toEqual(parts('2024-02-01T08:15'));
    expect(parts('1-2-2024', 'mdy')).toEqual(parts('2024-01-02'));
    for (const bad of [
      '2023-02-29',
      '2024-13-01',
      '2024-04-31',
      '2024-01-01T24:00',
      '2024-01-01T10:60',
      '2024-01-01T10:00+24:00',
      '24-01-01',
      '2024/01/01',
      'today',
      '２０２４-01-01',
      '2024-01-01T10:00:00.1234567890Z',
    ])
      expect(parts(bad), bad).toBeNull();
    expect(parts('2000-02-29')).not.toBeNull();
    expect(parts('1900-02-29')).toBeNull();
    expect(parts('31/12/2024', 'mdy')).toBeNull();
    expect(parts('01/02-2024', 'dmy')).toBeNull(); // two different separators
  });

  it('agrees with JavaScript Date on 2000 random instants over 1600 to 2400', () => {
    const rng = new Rng(11);
    for (let i = 0; i < 2000; i++) {
      const ms = Date.UTC(1600, 0, 1) + Math.floor(rng.next() * 800 * 365.2425 * 86400) * 1000;
      const d = new Date(ms);
      const iso = d.toISOString().replace('.000Z', 'Z');
      const start = Date.UTC(d.getUTCFullYear(), 0, 1);
      expect(parts(iso)).toEqual([
        d.getUTCFullYear(),
        d.getUTCMonth() + 1,
        d.getUTCDate(),
        (d.getUTCDay() + 6) % 7,
        d.getUTCHours(),
        Math.floor((ms - start) / 86400000) + 1,
        ms / 1000 / 86400,
      ]);
    }
  });

  it('the Python runtime gives the same outputs, bit for bit', () => {
    const rng = new Rng(5);
    const values: (string | null)[] = [
      '2024-03-01T01:30+02:00',
      '2024-12-31T22:00:00-0300',
      '2024-06-30T12:00:00.123456789Z',
      '1969-12-31T23:59:59Z',
      '0001-01-01',
      '2023-02-29',
      'nonsense',
      null,
      '31/12/2024 23:59:59.5 -01',
      '12/31/2024',
    ];
    for (let i = 0; i < 300; i++) {
      const ms = Date.UTC(1800, 0, 1) + Math.floor(rng.next() * 400 * 365 * 86400 * 1000);
      const off = rng.int(49) - 24;
      const zone =
        off === 0
          ? 'Z'
          : `${off < 0 ? '-' : '+'}${String(Math.abs(off >> 1)).padStart(2, '0')}:${off % 2 ? '30' : '00'}`;
      values.push(
        new Date(ms)
          .toISOString()
          .slice(0, 23)
          .replace('T', rng.next() < 0.5 ? 'T' : ' ') + zone,
      );
    }
    const all = [0, 1, 2, 3, 4, 5, 6];
    for (const format of ['iso', 'dmy', 'mdy'] as const) {
      const step: DateStep = {
        kind: 'date',
        column: 'd',
        format,
        parts: [...DATE_PARTS],
        outputs: DATE_PARTS.map((p) => p),
      };
      const node: FeaturePipelineNode = {
        kind: 'feature_pipeline',
        inputs: [{ name: 'd', type: 'text' }],
        steps: [step],
        features: step.outputs,
      };
      const ts = new FeatureScorer(node).apply({
        nRows: values.length,
        numeric: {},
        categorical: {},
        text: { d: values },
      });
      const py = python<(number | null)[][]>(
        "[d.date_outputs(v, req['format'], req['index']) for v in req['values']]",
        {
          values,
          format,
          index: all,
        },
      );
      values.forEach((v, r) =>
        expect(
          py[r]!.map((x) => (x === null ? NaN : x)),
          String(v),
        ).toEqual(ts.map((col) => col[r])),
      );
    }
  });
});

describe('date columns: detection and --date-format', () => {
  const col = (name: string, values: (string | null)[]) => {
    const levels = [...new Set(values.filter((v): v is string => v !== null))];
    return {
      name,
      type: 'categorical' as const,
      levels,
      codes: Int32Array.from(values, (v) => (v === null ? -1 : levels.indexOf(v))),
    };
  };

  it('detects ISO, and DD/MM or MM/DD when a value decides; an ambiguous column stays categorical with a note', () => {
    expect(columnKind(col('d', ['2024-01-05', '2024-02-07T10:00Z', null])).kind).toEqual({
      kind: 'date',
      format: 'iso',
    });
    expect(columnKind(col('d', ['01/02/2024', '25/02/2024'])).kind).toEqual({ kind: 'date', format: 'dmy' });
    expect(columnKind(col('d', ['01/02/2024', '02/25/2024'])).kind).toEqual({ kind: 'date', format: 'mdy' });
    const ambiguous = columnKind(col('when', ['01/02/2024', '03/04/2024', '05/06/2024']));
    expect(ambiguous.kind).toBeUndefined();
    expect(ambiguous.note).toBe(
      "column 'when': dates such as '01/02/2024' may be DD/MM/YYYY or MM/DD/YYYY, so it is read as categorical; say which with --date-format when=DD/MM/YYYY (or MM/DD/YYYY)",
    );
    const mixed = columnKind(col('d', ['13/01/2024', '01/13/2024']));
    expect(mixed.kind).toBeUndefined();
    expect(mixed.note).toMatch(/some dates are DD\/MM\/YYYY and some MM\/DD\/YYYY/);
    // 1 unparseable value in 40 (2.5%): still dates, the value read as missing (counted in the note).
    const mostly = col('d', [
      ...Array.from({ length: 39 }, (_, i) => `2024-01-${String(1 + (i % 28)).padStart(2, '0')}`),
      'soon',
    ]);
    expect(columnKind(mostly)).toEqual({
      kind: { kind: 'date', format: 'iso' },
      note: "column 'd': 1 of 40 values are not iso dates (read as missing)",
    });
    expect(columnKind(col('d', ['2024-01-01', 'soon', 'later'])).kind).toBeUndefined();
  });

  it('--date-format FORMAT or COL=FORMAT decides, and COL=none keeps a column categorical', () => {
    expect(parseDateFormats(['DD/MM/YYYY', 'shipped=iso', 'b=MM.DD.YYYY', 'c=none'])).toEqual({
      all: 'dmy',
      columns: { shipped: 'iso', b: 'mdy', c: 'none' },
    });
    expect(() => parseDateFormats(['YYYY/DD/MM'])).toThrow(
      "--date-format must be FORMAT or COLUMN=FORMAT, FORMAT one of iso, DD/MM/YYYY, MM/DD/YYYY (or none for one column); got 'YYYY/DD/MM'",
    );
    expect(() => parseDateFormats(['none'])).toThrow(/got 'none'/);
    const c = col('when', ['01/02/2024', '03/04/2024']);
    expect(columnKind(c, parseDateFormats(['when=MM/DD/YYYY'])).kind).toEqual({ kind: 'date', format: 'mdy' });
    expect(columnKind(c, parseDateFormats(['DD/MM/YYYY'])).kind).toEqual({ kind: 'date', format: 'dmy' });
    expect(columnKind(col('d', ['2024-01-05', '2024-01-06']), parseDateFormats(['d=none'])).kind).toBeUndefined();
    // A global format does not make dates of a column that is not.
    expect(columnKind(col('name', ['anna', 'bob']), parseDateFormats(['iso'])).kind).toBeUndefined();
  });

  it('fitDate keeps the parts that vary (no hour for plain dates) and the pipeline reads the column as text', () => {
    expect(fitDate(['2024-03-01', '2024-04-15', null], 'd').parts).toEqual([
      'month',
      'day',
      'weekday',
      'yday',
      'epoch_days',
    ]);
    expect(fitDate(['2024-03-01', '2024-03-01'], 'd').parts).toEqual(['epoch_days']);
    const values = ['2024-03-01T10:00Z', '2023-07-04T23:00-02:00', null];
    const levels = values.filter((v): v is string => v !== null);
    const table = new Table([{ name: 'd', type: 'categorical', levels, codes: Int32Array.of(0, 1, -1) }], 3);
    const { node, trainMatrix } = fitFeaturePipeline(
      table,
      { transforms: [{ kind: 'date', column: 'd' }] },
      undefined,
      new Rng(1),
    );
    expect(node.inputs).toEqual([{ name: 'd', type: 'text' }]);
    expect(node.features).toEqual(DATE_PARTS.map((p) => `${p}(d)`)); // weekday: Friday, then Wednesday in UTC
    expect(Array.from(trainMatrix[1]!)).toEqual([3, 7, NaN]); // the month, in UTC (2023-07-05T01:00Z)
    expect(() =>
      fitFeaturePipeline(
        table,
        {
          transforms: [
            { kind: 'one_hot', column: 'd' },
            { kind: 'date', column: 'd' },
          ],
        },
        undefined,
        new Rng(1),
      ),
    ).toThrow(/column 'd' is read by an earlier transform as it is/);
  });
});

/** Visits: busy on weekends, except in December when it flips; 10% label noise; zones vary. */
function visitsCsv(path: string, withDate: boolean): void {
  const rng = new Rng(99);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const lines = [withDate ? 'amount,visited,busy' : 'amount,busy'];
  for (let i = 0; i < 400; i++) {
    const ms = Date.UTC(2023, 0, 1) + Math.floor(rng.next() * 730 * 86400) * 1000;
    const d = new Date(ms);
    const weekend = (d.getUTCDay() + 6) % 7 >= 5;
    const busy = weekend !== (d.getUTCMonth() === 11);
    const y = rng.next() < 0.9 ? busy : !busy;
    const off = rng.int(5) - 2;
    const local = new Date(ms + off * 3600_000).toISOString().slice(0, 19);
    const zone = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.abs(off))}:00`;
    const amount = (rng.next() * 100).toFixed(1);
    lines.push(withDate ? `${amount},${local}${zone},${y ? 1 : 0}` : `${amount},${y ? 1 : 0}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

describe('automl run with a date column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'automl-date-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('expands it with a date step, which beats the same run without the column (test AUC)', async () => {
    visitsCsv(join(dir, 'with.csv'), true);
    visitsCsv(join(dir, 'without.csv'), false);
    const args = ['--target', 'busy', '--max-models', '6', '--seed', '1', '--json', '--out-dir', dir];
    const a = await runCli(['run', '--data', join(dir, 'with.csv'), '--name', 'with', ...args], { timeoutMs: 120_000 });
    const b = await runCli(['run', '--data', join(dir, 'without.csv'), '--name', 'without', ...args], {
      timeoutMs: 120_000,
    });
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const withDate = JSON.parse(a.stdout) as { test: { auc: number }; pipelinePath: string };
    const without = JSON.parse(b.stdout) as { test: { auc: number } };
    // Measured: AUC ≈ 0.85 with the date, ≈ 0.5 without.
    expect(withDate.test.auc).toBeGreaterThan(0.75);
    expect(without.test.auc).toBeLessThan(0.65);
    const file = JSON.parse(readFileSync(withDate.pipelinePath, 'utf8')) as {
      formatVersion: string;
      features: { steps: DateStep[] };
    };
    expect(file.formatVersion).toBe('2.2');
    const step = file.features.steps.find((s) => s.kind === 'date')!;
    expect(step).toMatchObject({ column: 'visited', format: 'iso' });
    expect(step.parts).toEqual(['year', 'month', 'day', 'weekday', 'hour', 'yday', 'epoch_days']);
  }, 240_000);

  it('an ambiguous DD/MM column stays categorical with a note in run.log; --date-format decides; a bad one is exit 2', async () => {
    const lines = ['day,amount,y'];
    for (let i = 0; i < 60; i++)
      lines.push(
        `${String(1 + (i % 12)).padStart(2, '0')}/${String(1 + ((i * 5) % 12)).padStart(2, '0')}/2024,${i % 7},${i % 2}`,
      );
    const csv = join(dir, 'ambiguous.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const args = [
      'run',
      '--data',
      csv,
      '--target',
      'y',
      '--max-models',
      '1',
      '--seed',
      '1',
      '--json',
      '--out-dir',
      dir,
    ];
    const plain = await runCli([...args, '--name', 'amb'], { timeoutMs: 60_000 });
    expect(plain.code, plain.stderr).toBe(0);
    const r1 = JSON.parse(plain.stdout) as { experimentDir: string; pipelinePath: string };
    expect(readFileSync(join(r1.experimentDir, 'run.log'), 'utf8')).toContain(
      "column 'day': dates such as '01/01/2024' may be DD/MM/YYYY or MM/DD/YYYY, so it is read as categorical; say which with --date-format day=DD/MM/YYYY (or MM/DD/YYYY)",
    );
    const f1 = JSON.parse(readFileSync(r1.pipelinePath, 'utf8')) as {
      formatVersion: string;
      inputs: { type: string }[];
    };
    expect(f1.formatVersion).toBe('2.1');
    expect(f1.inputs.map((f) => f.type)).toEqual(['categorical', 'numeric']);

    const told = await runCli([...args, '--name', 'told', '--date-format', 'day=DD/MM/YYYY'], { timeoutMs: 60_000 });
    expect(told.code, told.stderr).toBe(0);
    const r2 = JSON.parse(told.stdout) as { experimentDir: string; pipelinePath: string };
    expect(readFileSync(join(r2.experimentDir, 'run.log'), 'utf8')).toContain(
      'day: dates (dmy), expanded by a date step',
    );
    const f2 = JSON.parse(readFileSync(r2.pipelinePath, 'utf8')) as {
      formatVersion: string;
      features: { steps: DateStep[] };
    };
    expect(f2.formatVersion).toBe('2.2');
    expect(f2.features.steps[0]).toMatchObject({ kind: 'date', column: 'day', format: 'dmy' });

    const bad = await runCli([...args, '--name', 'bad', '--date-format', 'YYYY-DD-MM'], { timeoutMs: 60_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "--date-format must be FORMAT or COLUMN=FORMAT, FORMAT one of iso, DD/MM/YYYY, MM/DD/YYYY (or none for one column); got 'YYYY-DD-MM'",
    );
  }, 120_000);
});
