/**
 * A small table for the tests of the columns that give rows a role (`--weight`, `--fold`,
 * `--time-column`): three features, a binary target that drifts with time, a weight, a site that
 * serves as the fold label, and a date, with the rows written out of time order.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/util/random.js';

export const SITES = ['east', 'north', 'south', 'west'] as const;

export interface RoleRow {
  x1: number;
  x2: number;
  x3: string;
  y: 'no' | 'yes';
  w: number;
  site: string;
  /** ISO date, one day per row from 2023-01-01 (a row's day is its index in time order). */
  date: string;
  /** Its day, 0 … n − 1. */
  day: number;
}

/** `n` rows, seeded; every `zeroEvery`-th row (if given) has weight 0. */
export function roleRows(n: number, seed = 3, zeroEvery = 0): RoleRow[] {
  const rng = new Rng(seed);
  // Day of each row: a seeded shuffle of 0 … n − 1, so the file is not in time order.
  const days = rng.fork(1).shuffle(Array.from({ length: n }, (_, i) => i));
  const r = rng.fork(2);
  return days.map((day, i) => {
    const x1 = r.next() * 2 - 1;
    const x2 = r.next() * 2 - 1;
    const x3 = ['a', 'b', 'c'][r.int(3)]!;
    const drift = (day / n) * 1.5;
    const logit = 2.5 * x1 - 1.5 * x2 + (x3 === 'c' ? 0.8 : 0) + drift - 0.5;
    const y = r.next() < 1 / (1 + Math.exp(-logit)) ? 'yes' : 'no';
    const w = zeroEvery > 0 && i % zeroEvery === zeroEvery - 1 ? 0 : 1 + r.int(4);
    const site = SITES[r.int(SITES.length)]!;
    const date = new Date(Date.UTC(2023, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
    return { x1, x2, x3, y, w, site, date, day };
  });
}

/** Writes the rows as a CSV file in `dir` and returns its path. */
export function writeRoleCsv(dir: string, rows: readonly RoleRow[], name = 'roles.csv'): string {
  const path = join(dir, name);
  const lines = ['x1,x2,x3,w,site,date,y', ...rows.map((r) => [r.x1, r.x2, r.x3, r.w, r.site, r.date, r.y].join(','))];
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
