/**
 * The tutorial's scoring request, as the project ships it (recipes/hydraulic/score-request.json,
 * the README's curl example): 16 fields and one row of strings, in H2O's Scoring API shape.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../cli/run-cli.js';

const request = JSON.parse(readFileSync(join(REPO_ROOT, 'recipes', 'hydraulic', 'score-request.json'), 'utf8')) as {
  fields: string[];
  rows: string[][];
};

export const TUTORIAL_FIELDS: readonly string[] = request.fields;
export const TUTORIAL_ROW: readonly string[] = request.rows[0]!;
export const TUTORIAL_BODY = JSON.stringify({ fields: TUTORIAL_FIELDS, rows: [TUTORIAL_ROW] });
