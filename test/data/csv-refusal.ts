/** The error readCsv refuses a file with, for the reader's tests (a test fails if it reads it). */
import { expect } from 'vitest';
import { readCsv, type ReadCsvOptions } from '../../src/data/csv.js';
import { AutomlError } from '../../src/util/errors.js';

export async function refusal(path: string, opts: ReadCsvOptions = {}): Promise<AutomlError> {
  try {
    await readCsv(path, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(AutomlError);
    return e as AutomlError;
  }
  throw new Error(`expected ${path} to be refused`);
}
