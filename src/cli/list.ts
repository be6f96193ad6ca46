/**
 * `automl list`: the runs under experiments/runs/, newest first, two lines a run within the
 * terminal's width (80 when not a terminal); `--json` for scripts. A folder that is not a run, or
 * a run whose experiment.json is damaged, is listed as such.
 */
import { resolve } from 'node:path';
import { listRuns, runsDirOf } from '../report/load.js';
import { runSummary, type RunSummary } from '../report/summary.js';
import { table, terminalWidth, truncate, wrap } from '../report/text.js';
import type { Output } from './output.js';

export interface ListArgs {
  dir?: string;
}

/** A date as `YYYY-MM-DD HH:MM`, local time. */
export function shortDate(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A score in a list: four significant digits. */
function short(v: number | null): string {
  return v === null ? '–' : String(Number(v.toPrecision(4)));
}

/**
 * The list's lines at a width: per run, a line with its name, status, scores and winner, and an
 * indented line with its target, task, metric, elapsed time and date (or, for a folder that is not
 * a run or is damaged, what is wrong).
 */
export function listLines(runs: readonly RunSummary[], width: number): string[] {
  const header = ['run', 'status', 'validation', 'test', 'winner'];
  const rows = runs.map((r) => [r.name, r.status, short(r.validation), short(r.test), r.winner ?? '']);
  const [head, rule, ...lines] = table(header, rows, [false, false, true, true, false], width, [0, 4]);
  const out = [head!, rule!];
  runs.forEach((r, i) => {
    out.push(lines[i]!);
    if (r.status === 'not a run' || r.status === 'damaged') {
      // What is wrong.
      out.push(...atMostTwo(wrap(r.problems[0] ?? 'no readable experiment.json', width, '  ', '    '), width));
      return;
    }
    const parts = [
      r.target ? `${r.target}${r.task ? ` (${r.task})` : ''}` : null,
      r.metric,
      r.elapsedSeconds === null ? null : `${r.elapsedSeconds.toFixed(1)} s`,
      shortDate(new Date(r.date)),
      r.error,
    ].filter((x): x is string => x !== null);
    out.push(...atMostTwo(wrap(parts.join(' · '), width, '  ', '    '), width));
  });
  return out;
}

/** The first two of a run's wrapped lines, the second ending in '…' when more were cut. */
function atMostTwo(lines: string[], width: number): string[] {
  if (lines.length <= 2) return lines;
  return [lines[0]!, truncate(`${lines[1]!} …`, width)];
}

export async function listCommand(args: ListArgs, out: Output): Promise<void> {
  const dir = runsDirOf(resolve(args.dir ?? '.'));
  const runs = (await listRuns(dir, { predictions: false })).map(runSummary);
  out.result(runs);
  if (runs.length === 0) {
    for (const l of wrap(`no runs in ${dir}; make one with automl run`, terminalWidth(process.stdout))) out.info(l);
    return;
  }
  for (const l of listLines(runs, terminalWidth(process.stdout))) out.info(l);
}
