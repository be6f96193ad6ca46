/**
 * `automl run`'s live view of the search, on stderr:
 *
 *     4.1 s  #0   gbdt          0.00102  (best so far)
 *     5.0 s  #2   glm           0.00152
 *     9.8 s  #5   random_forest 0.00554       ◄ a line per candidate as soon as its outcome is
 *    12.6 s  #4   mlp           0.00369         known (the order they finish, not their number)
 *   search [████████░░░░░░░░░░░░] 12.9/20 s · 7 tried · best 0.00102 (gbdt)
 *                                  ▲ redrawn every 250 ms: it moves while a long fold job runs
 *
 * The bar appears only on a terminal (not with --quiet, --json or --no-progress); without it the
 * same lines are printed, and nothing else. The stamps are seconds since the command started (the
 * budget's clock). When the search ends the bar gives way to a line saying the pipeline is being
 * finished (the ensemble, the refit and the measurements take this thread for a few seconds).
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { CandidateResult } from '../search/automl.js';
import { displayWidth, truncate } from '../report/text.js';

/** How often the bar is redrawn, in milliseconds. */
export const REDRAW_MS = 250;

/** The best-so-far text on the progress bar, at most (a long score or family name is cut). */
export const PROGRESS_BEST_WIDTH = 24;

/** Columns the clock of a `--max-models` bar may take (`99999.9`: nearly 28 hours). */
const CLOCK_WIDTH = 7;

/** Seconds since the command started: the budget's clock. */
export function secondsSinceStart(): number {
  return performance.now() / 1000;
}

/**
 * The progress line's format and bar length (8 to 30 characters) so that the whole line, with the
 * largest counts, the longest clock and best-so-far text, fits `width` columns; on a narrower
 * terminal the best so far is left out, then the count of candidates (or the clock).
 *
 * @example
 * progressLayout(20, 's', 80); // { format: 'search [{bar}] {value}/{total} s · {candidates} tried · best {best}', barsize: 11 … }
 */
export function progressLayout(total: number, unit: string, width: number): { format: string; barsize: number } {
  const head = `search [{bar}] {value}/{total} ${unit}`;
  // Under a budget the value is the clock (seconds, one decimal); counting models, the count is
  // the candidates tried (not said twice) and the clock follows it.
  const more = unit === 's' ? ' · {candidates} tried' : ' · {clock} s';
  const formats = [`${head}${more} · best {best}`, `${head}${more}`, head];
  const widest = (format: string): number =>
    displayWidth(
      format
        .replace('{bar}', '')
        .replace('{value}', unit === 's' ? `${total}.0` : String(total))
        .replace('{total}', String(total))
        .replace('{candidates}', String(Math.max(9999, total)))
        .replace('{clock}', '9'.repeat(CLOCK_WIDTH))
        .replace('{best}', 'x'.repeat(PROGRESS_BEST_WIDTH)),
    );
  for (const format of formats.slice(0, -1)) {
    const room = width - 1 - widest(format);
    if (room >= 8) return { format, barsize: Math.min(30, room) };
  }
  return { format: head, barsize: Math.max(5, Math.min(30, width - 1 - widest(head))) };
}

/**
 * A candidate's line, within `width` columns: when its outcome became known (seconds since the
 * command started), its number, family and score, and what became of it.
 *
 * @example
 * resultLine({ id: 4, family: 'mlp', status: 'scored', score: 0.00369, folds: 3, plannedFolds: 3, best: false, … }, 12.6, 80);
 * // '    12.6 s  #4   mlp           0.00369'
 */
export function resultLine(r: CandidateResult, stamp: number, width: number): string {
  const head = `  ${stamp.toFixed(1).padStart(6)} s  ${`#${r.id}`.padEnd(4)} ${r.family.padEnd(13)} `;
  const folds = `after ${r.folds} of ${r.plannedFolds} fold${r.plannedFolds === 1 ? '' : 's'}`;
  const score = r.score.toFixed(5);
  // A fit its deadline stopped before its rounds were done scores worse than its family would.
  const notes = [
    r.status === 'scored' ? '' : `${r.status} ${folds}`,
    r.best ? 'best so far' : '',
    r.cutFolds > 0 ? 'cut by its deadline' : '',
  ].filter((x) => x !== '');
  const tail =
    r.status === 'failed'
      ? `failed: ${(r.error ?? 'unknown error').replace(/\s+/g, ' ')}`
      : `${score}${notes.length > 0 ? `  (${notes.join('; ')})` : ''}`;
  return truncate(`${head}${tail}`, Math.max(20, width - 1));
}

export interface LiveViewOptions {
  /** Draw the bar (a terminal, and neither --quiet, --json nor --no-progress). */
  bar: boolean;
  /** The bar's end: the budget in seconds, or the model count. */
  total: number;
  unit: 's' | 'models';
  /** Columns of the terminal (80 off a terminal). */
  width: number;
  /** Prints a line when there is no bar (stderr, unless --quiet). */
  note: (line: string) => void;
  stream?: NodeJS.WritableStream;
}

/**
 * The live view of one search: a result line per candidate, and on a terminal the bar, redrawn
 * every {@link REDRAW_MS} ms by a timer, never by the search's events alone.
 */
export class LiveView {
  private bars: MultiBar | undefined;
  private bar: SingleBar | undefined;
  private timer: NodeJS.Timeout | undefined;
  private tried = 0;
  private best = '–';
  /** Whether the bar is on the screen. */
  private active = false;
  private ended = false;

  constructor(private readonly opts: LiveViewOptions) {}

  /**
   * The search begins: the bar appears (not before: the checks before the search hold this
   * thread, and a bar that cannot move would look stuck).
   */
  searchStarted(): void {
    const opts = this.opts;
    if (!opts.bar || this.bars || this.ended) return;
    this.active = true;
    const layout = progressLayout(opts.total, opts.unit, opts.width);
    this.bars = new MultiBar(
      {
        stream: opts.stream ?? process.stderr,
        format: layout.format,
        hideCursor: true,
        clearOnComplete: true,
        barsize: layout.barsize,
        fps: 1000 / REDRAW_MS,
        // Under a budget the value is the clock: one decimal, so that it moves at every redraw.
        formatValue: (v, _o, type) => (type === 'value' && opts.unit === 's' ? Number(v).toFixed(1) : String(v)),
      },
      Presets.shades_classic,
    );
    this.bar = this.bars.create(opts.total, 0, this.payload());
    this.tick();
    // This timer draws the bar (each draw puts off the library's own timer).
    this.timer = setInterval(() => {
      this.tick();
      this.bars?.update();
    }, REDRAW_MS);
    this.timer.unref();
  }

  /** A candidate's outcome, as soon as it is known. */
  result(r: CandidateResult): void {
    this.tried++;
    if (r.best) this.best = truncate(`${r.score.toFixed(5)} (${r.family})`, PROGRESS_BEST_WIDTH);
    const line = resultLine(r, secondsSinceStart(), this.opts.width);
    if (this.active && this.bars) {
      // Printed above the bar now, not at the next redraw.
      this.bars.log(`${line}\n`);
      this.tick();
      this.bars.update();
    } else this.opts.note(line);
  }

  /** The search is over: the bar gives way to a line saying what comes next. */
  searchEnded(): void {
    this.ended = true;
    if (!this.active) return;
    this.tick();
    this.stop();
    const s = this.tried === 1 ? '' : 's';
    this.opts.note(
      truncate(
        `  ${secondsSinceStart().toFixed(1).padStart(6)} s  search over (${this.tried} candidate${s}); finishing the pipeline`,
        Math.max(20, this.opts.width - 1),
      ),
    );
  }

  /** Removes the bar (it is cleared) and stops its timer; safe to call twice. */
  stop(): void {
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    if (!this.active) return;
    this.active = false;
    // A line logged since the last redraw is written first (stop() alone would drop it).
    this.bars?.update();
    this.bars?.stop();
  }

  private payload(): { candidates: number; best: string; clock: string } {
    return { candidates: this.tried, best: this.best, clock: secondsSinceStart().toFixed(1) };
  }

  private tick(): void {
    if (!this.active) return;
    const value =
      this.opts.unit === 's' ? Math.min(this.opts.total, Math.round(secondsSinceStart() * 10) / 10) : this.tried;
    this.bar?.update(value, this.payload());
  }
}
