/**
 * The scoring side's CSV reader keeps its own copy of the delimiters (it imports nothing from
 * training): the copy equals the training reader's list, as a type and in what it detects.
 */
import { describe, expect, it } from 'vitest';
import { DELIMITERS, type Delimiter } from '../../src/data/delimiters.js';
import { detectDelimiterBytes, type CsvDelimiter } from '../../src/serve/csv-records.js';

/** true only when A and B are the same type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('the delimiters of the two CSV readers', () => {
  it('are the same type', () => {
    const same: Same<CsvDelimiter, Delimiter> = true;
    expect(same).toBe(true);
  });

  it('each delimiter the training side reads is detected by the scoring side', () => {
    for (const d of DELIMITERS) {
      const header = ['a', 'b', 'c', 'd'].join(d);
      expect(detectDelimiterBytes(Buffer.from(`${header}\n1${d}2${d}3${d}4\n`)), JSON.stringify(d)).toBe(d);
    }
  });
});
