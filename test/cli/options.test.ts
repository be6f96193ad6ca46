/**
 * Numeric options, for every command that has them: checked as they are read (args.ts
 * numberOption), with one message naming the option, the rule and the value as typed, and exit
 * code 2. Through the built binary, as a user types them; and the checker itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNumber, numberRule, OPTION_NUMBERS, RUN_NUMBERS } from '../../src/cli/args.js';
import { AutomlError } from '../../src/util/errors.js';
import { runCli } from './run-cli.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'automl-options-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('checkNumber', () => {
  it('accepts numbers as people write them, and returns them as numbers', () => {
    expect(checkNumber('--time', '5', RUN_NUMBERS.time)).toBe(5);
    expect(checkNumber('--time', ' 7 ', RUN_NUMBERS.time)).toBe(7);
    expect(checkNumber('--time', '5.0', RUN_NUMBERS.time)).toBe(5);
    expect(checkNumber('--max-models', '1e3', RUN_NUMBERS.maxModels)).toBe(1000);
    expect(checkNumber('--seed', '-12', RUN_NUMBERS.seed)).toBe(-12);
    expect(checkNumber('--ratio', '.8', OPTION_NUMBERS.ratio)).toBe(0.8);
    expect(checkNumber('--max-runtime', 2.5, RUN_NUMBERS.maxRuntime)).toBe(2.5);
    expect(checkNumber('--port', 0, OPTION_NUMBERS.port)).toBe(0);
  });

  it.each([
    ['--time', 'abc', RUN_NUMBERS.time, "--time must be a whole number from 1 to 10; got 'abc'"],
    ['--time', '2.5', RUN_NUMBERS.time, "--time must be a whole number from 1 to 10; got '2.5'"],
    ['--time', 11, RUN_NUMBERS.time, '--time must be a whole number from 1 to 10; got 11'],
    ['--time', '', RUN_NUMBERS.time, "--time must be a whole number from 1 to 10; got ''"],
    ['--seed', 'abc', RUN_NUMBERS.seed, "--seed must be a whole number (below 2^53 in size); got 'abc'"],
    ['--seed', '1e20', RUN_NUMBERS.seed, "--seed must be a whole number (below 2^53 in size); got '1e20'"],
    ['--seed', '0x10', RUN_NUMBERS.seed, "--seed must be a whole number (below 2^53 in size); got '0x10'"],
    ['--max-models', '0', RUN_NUMBERS.maxModels, "--max-models must be a whole number of 1 or more; got '0'"],
    ['--threads', '65', RUN_NUMBERS.threads, "--threads must be a whole number from 1 to 64; got '65'"],
    [
      '--max-runtime',
      'Infinity',
      RUN_NUMBERS.maxRuntime,
      "--max-runtime must be a number of seconds greater than 0; got 'Infinity'",
    ],
    ['--max-runtime', '0', RUN_NUMBERS.maxRuntime, "--max-runtime must be a number of seconds greater than 0; got '0'"],
    ['--ratio', '1', OPTION_NUMBERS.ratio, "--ratio must be a number between 0 and 1 (exclusive); got '1'"],
    ['--port', '-1', OPTION_NUMBERS.port, "--port must be a whole number from 0 to 65535; got '-1'"],
    ['--time', ['3', '4'], RUN_NUMBERS.time, "--time is given 2 times ('3', '4'); give it once"],
  ] as const)('%s %j: %s', (label, value, spec, message) => {
    let error: unknown;
    try {
      checkNumber(label, value, spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AutomlError);
    expect((error as AutomlError).code).toBe('BAD_OPTION');
    expect((error as AutomlError).message).toBe(message);
  });

  it('says each rule in words', () => {
    expect(numberRule({ whole: true, min: 1, max: 10 })).toBe('a whole number from 1 to 10');
    expect(numberRule({ min: 0, max: 1, exclusive: true })).toBe('a number between 0 and 1 (exclusive)');
    expect(numberRule({ whole: true, min: 1 })).toBe('a whole number of 1 or more');
    expect(numberRule({ min: 0, exclusive: true, unit: 'seconds' })).toBe('a number of seconds greater than 0');
    expect(numberRule({ whole: true, max: 5 })).toBe('a whole number of 5 or less');
  });
});

describe('every numeric option of every command, on the command line', () => {
  const cases: [string, string[], string][] = [
    ['run --time abc', ['run', '--time', 'abc'], "--time must be a whole number from 1 to 10; got 'abc'"],
    ['run --seed abc', ['run', '--seed', 'abc'], "--seed must be a whole number (below 2^53 in size); got 'abc'"],
    ['run --accuracy 0', ['run', '--accuracy', '0'], '--accuracy must be a whole number from 1 to 10; got 0'],
    [
      'run --interpretability 7.5',
      ['run', '--interpretability', '7.5'],
      '--interpretability must be a whole number from 1 to 10; got 7.5',
    ],
    [
      'run --max-runtime soon',
      ['run', '--max-runtime', 'soon'],
      "--max-runtime must be a number of seconds greater than 0; got 'soon'",
    ],
    [
      'run --max-models many',
      ['run', '--max-models', 'many'],
      "--max-models must be a whole number of 1 or more; got 'many'",
    ],
    ['run --threads 0', ['run', '--threads', '0'], '--threads must be a whole number from 1 to 64; got 0'],
    [
      'split --ratio abc',
      ['split', '--ratio', 'abc'],
      "--ratio must be a number between 0 and 1 (exclusive); got 'abc'",
    ],
    ['split --seed 1.5', ['split', '--seed', '1.5'], '--seed must be a whole number (below 2^53 in size); got 1.5'],
    ['score --threads two', ['score', '--threads', 'two'], "--threads must be a whole number from 1 to 64; got 'two'"],
    ['serve --port http', ['serve', '--port', 'http'], "--port must be a whole number from 0 to 65535; got 'http'"],
    ['serve --port 70000', ['serve', '--port', '70000'], '--port must be a whole number from 0 to 65535; got 70000'],
    ['run --time (no value)', ['run', '--target', 'y', '--time'], '--time needs a value'],
    [
      'run --time 3 --time 4',
      ['run', '--time', '3', '--time', '4'],
      "--time is given 2 times ('3', '4'); give it once",
    ],
  ];
  it.each(cases)('%s: exit 2, the rule and the value as typed', async (_name, args, message) => {
    const r = await runCli(args, { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`automl: error: ${message}`);
    expect(r.stderr).not.toContain('    at ');
    expect(r.stdout).toBe('');
  });

  it('valid numbers reach the command as numbers: split --ratio .8 --seed 1e1', async () => {
    const r = await runCli(['split', '--target', 'cool_cond_y', '--ratio', '.8', '--seed', '1e1', '--json'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { ratio: number; seed: number; train: { rows: number } };
    expect(summary.ratio).toBe(0.8);
    expect(summary.seed).toBe(10);
    expect(summary.train.rows).toBe(1764);
  });

  it("an experiment file's numbers are held to the same rules, naming the file", async () => {
    const file = join(dir, 'exp.json');
    writeFileSync(file, JSON.stringify({ target: 'cool_cond_y', time: 'abc' }));
    const r = await runCli(['run', file], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      `automl: error: ${file}: 'time' must be a whole number from 1 to 10; got 'abc'`,
    );
    writeFileSync(file, JSON.stringify({ target: 'cool_cond_y', threads: 0 }));
    const t = await runCli(['run', file], { cwd: dir });
    expect(t.code).toBe(2);
    expect(t.stderr.split('\n')[0]).toBe(
      `automl: error: ${file}: 'threads' must be a whole number from 1 to 64; got 0`,
    );
  });
});
