/**
 * The scoring request of the hydraulic data set's best-known tutorial (README "A sample scoring
 * request"): 16 fields, one row of strings, in H2O's Scoring API shape. `scoreRequest(n)` repeats
 * the row n times. Read from recipes/hydraulic/score-request.json, the README's curl example.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/util/paths.js';

const request = JSON.parse(readFileSync(join(packageRoot(), 'recipes', 'hydraulic', 'score-request.json'), 'utf8')) as {
  fields: string[];
  rows: string[][];
};

export const FIELDS: readonly string[] = request.fields;
export const ROW: readonly string[] = request.rows[0]!;

/** The JSON body `{"fields": [...], "rows": [[...], ...]}` with the tutorial's row `rows` times. */
export function scoreRequest(rows = 1): string {
  return JSON.stringify({ fields: FIELDS, rows: Array.from({ length: rows }, () => ROW) });
}
