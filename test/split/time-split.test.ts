/**
 * Splits in time order (`automl split --time-column`, and the 75/25 split of `automl run
 * --time-column`): the test part is the latest rows, whatever their classes; rows of one time
 * stay together; each row's text is copied as it stands; a missing or unreadable time is refused.
 * The CLI's options (`--weight`, `--fold`, `--time-column`) exit 2 on a user's mistake.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitCsvFile } from '../../src/split/split-file.js';
import { cutAt, timeOrder, timeSplit } from '../../src/split/time.js';
import { AutomlError } from '../../src/util/errors.js';
import { CLI_MAIN, runCli } from '../cli/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-time-split-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('timeSplit', () => {
  it('puts the latest rows in the test part, ties on the test side', () => {
    expect([...timeSplit(Float64Array.of(5, 1, 3, 2), 0.75)]).toEqual([0, 1, 1, 1]);
    // 8 rows, the cut (4) falls inside the group of time 4: the whole group tests.
    const times = [1, 2, 3, 4, 4, 4, 5, 6];
    expect([...timeSplit(times, 0.5)]).toEqual([1, 1, 1, 0, 0, 0, 0, 0]);
    expect([...timeSplit(times, 0.75)]).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
    expect(cutAt(timeOrder(times), times, 4)).toBe(3);
    // A cut in the first group moves to its end, so that both parts keep rows.
    expect([...timeSplit([1, 1, 1, 2], 0.5)]).toEqual([1, 1, 1, 0]);
  });
});

describe('splitCsvFile with a time column', () => {
  // 40 rows out of time order; the label is 'b' in the early half and 'a' late (no stratum holds).
  const lines = ['id,when,label'];
  for (let i = 0; i < 40; i++) {
    const day = (i * 17) % 40;
    const when = new Date(Date.UTC(2024, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${i},${when},${day < 20 ? 'b' : 'a'}`);
  }

  it('the test file holds the latest 25% of the dates, each row copied as written', async () => {
    const data = join(dir, 'when.csv');
    writeFileSync(data, `${lines.join('\n')}\n`);
    const s = await splitCsvFile({
      data,
      target: 'label',
      timeColumn: 'when',
      outTrain: join(dir, 'tr.csv'),
      outTest: join(dir, 'te.csv'),
    });
    expect(s.stratified).toBe(false);
    expect(s.timeColumn).toBe('when');
    expect(s.train.rows).toBe(30);
    expect(s.test.rows).toBe(10);
    expect(s.test.classes).toEqual({ a: 10, b: 0 });
    const test = readFileSync(join(dir, 'te.csv'), 'utf8').trimEnd().split('\n');
    const train = readFileSync(join(dir, 'tr.csv'), 'utf8').trimEnd().split('\n');
    expect(test[0]).toBe('id,when,label');
    const dates = (rows: string[]): string[] => rows.slice(1).map((l) => l.split(',')[1]!);
    expect(dates(test).sort()[0]! > dates(train).sort().at(-1)!).toBe(true);
    expect(dates(test).sort()[0]).toBe('2024-01-31');
    // Rows keep the input's order and text.
    expect(test.slice(1).every((l) => lines.includes(l))).toBe(true);
    expect(test.slice(1)).toEqual(lines.slice(1).filter((l) => test.includes(l)));
  });

  it('refuses a row without a time, naming the file and the line', async () => {
    const data = join(dir, 'gap.csv');
    const copy = [...lines];
    copy[6] = copy[6]!.replace(/,\d{4}-\d{2}-\d{2},/, ',,');
    writeFileSync(data, `${copy.join('\n')}\n`);
    const err = await splitCsvFile({
      data,
      target: 'label',
      timeColumn: 'when',
      outTrain: join(dir, 'g-tr.csv'),
      outTest: join(dir, 'g-te.csv'),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AutomlError);
    expect((err as AutomlError).message).toBe(
      `${data}: --time-column when is missing on line 7; every row needs a time to be put in order (fill it, or leave the row out)`,
    );
    expect(existsSync(join(dir, 'g-te.csv'))).toBe(false);
  });
});

describe.skipIf(!existsSync(CLI_MAIN))('the CLI: --time-column, --weight, --fold', () => {
  const data = join(dir, 'cli.csv');
  const rows = ['x,w,site,day,y'];
  for (let i = 0; i < 80; i++)
    rows.push(`${(i * 7) % 13},${1 + (i % 3)},s${i % 4},${(i * 31) % 80},${i % 3 === 0 ? 'p' : 'q'}`);

  it('automl split --time-column writes the latest quarter as the test file', async () => {
    writeFileSync(data, `${rows.join('\n')}\n`);
    const r = await runCli(['split', '--data', data, '--target', 'y', '--time-column', 'day', '--out-dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/in day order: the latest rows test/);
    const test = readFileSync(join(dir, 'cli.test.csv'), 'utf8').trimEnd().split('\n').slice(1);
    expect(test.map((l) => Number(l.split(',')[3])).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => 60 + i),
    );
  });

  it('automl run: a negative weight, --fold with --time-column, a repeated --weight exit 2; 13 folds run', async () => {
    const bad = [...rows];
    bad[9] = bad[9]!.replace(/^(\d+),\d+,/, '$1,-1,');
    const badPath = join(dir, 'neg.csv');
    writeFileSync(badPath, `${bad.join('\n')}\n`);
    const common = ['run', '--target', 'y', '--max-models', '1', '--out-dir', dir, '--no-progress'];
    const neg = await runCli([...common, '--data', badPath, '--weight', 'w']);
    expect(neg.code).toBe(2);
    expect(neg.stderr).toMatch(/--weight w is -1 on line 10; sample weights must be finite and >= 0/);
    const one = await runCli([...common, '--data', data, '--fold', 'x', '--drop', 'site']);
    expect(one.code).toBe(0); // x has 13 values: 13 folds are fine
    const both = await runCli([...common, '--data', data, '--fold', 'site', '--time-column', 'day']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--fold site and --time-column day both make the folds; give one of them/);
    const twice = await runCli([...common, '--data', data, '--weight', 'w', '--weight', 'x']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/--weight is given 2 times; give it once/);
  }, 60_000);
});
