/**
 * Text for a terminal of a given width: every line a report prints fits it. Words wrap at spaces
 * with a hanging indent; a word longer than a line (a long path) is broken; table columns that do
 * not fit are shortened with '…'.
 */

/** How a report styles text: bold and dim on a colour terminal, plain otherwise (src/cli/output.ts). */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
}

/** No styling: plain text. */
export const PLAIN: Style = { bold: (t) => t, dim: (t) => t };

/** The width reports assume when the output is not a terminal. */
export const DEFAULT_WIDTH = 80;

/** Reports narrower than this are not attempted: the width is raised to it. */
export const MIN_WIDTH = 40;

/**
 * The width to print at: the terminal's columns when the stream is one, else 80.
 *
 * @example
 * terminalWidth(process.stdout); // 80 when piped
 */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  const cols = stream.isTTY ? stream.columns : undefined;
  return Math.max(MIN_WIDTH, cols && cols > 0 ? cols : DEFAULT_WIDTH);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** The columns a line takes on a terminal: colour codes do not count, each code point one column. */
export function displayWidth(line: string): number {
  return [...line.replace(ANSI, '')].length;
}

/**
 * Shortens text to at most `max` columns, ending in '…' when cut.
 *
 * @example
 * truncate('a_very_long_feature_name', 10); // 'a_very_lo…'
 */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return max <= 1 ? '…'.slice(0, max) : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Wraps text at spaces into lines of at most `width` columns: the first line begins with
 * `first`, the others with `rest` (a hanging indent). A word longer than a line is broken.
 *
 * @example
 * wrap('target cool_cond_y (multiclass: 3, 20, 100); 1654 train rows', 30, '  ', '    ');
 * // ['  target cool_cond_y', '    (multiclass: 3, 20, 100);', '    1654 train rows']
 */
export function wrap(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let line = first;
  let prefix = first;
  let empty = true;
  const room = (): number => width - displayWidth(line);
  const push = (): void => {
    lines.push(line.trimEnd());
    line = rest;
    prefix = rest;
    empty = true;
  };
  for (const word of text.split(/ +/).filter((w) => w !== '')) {
    const w = displayWidth(word);
    if (!empty && w + 1 > room()) push();
    if (!empty) line += ' ';
    if (w <= room()) {
      line += word;
      empty = false;
      continue;
    }
    // Longer than a whole line: break it.
    let chars = [...word];
    while (chars.length > 0) {
      const fit = Math.max(1, room());
      line += chars.slice(0, fit).join('');
      empty = false;
      chars = chars.slice(fit);
      if (chars.length > 0) push();
    }
  }
  if (!empty || lines.length === 0) lines.push(line.trimEnd() || prefix.trimEnd());
  return lines;
}

/**
 * A labelled line: `  label     text`, the text wrapped under itself. `labelWidth` columns are
 * kept for the label (a longer label pushes the text to the right on the first line only).
 */
export function labelled(label: string, text: string, width: number, labelWidth = 10, indent = '  '): string[] {
  const head = `${indent}${label.padEnd(labelWidth)} `;
  return wrap(text, width, head, ' '.repeat(indent.length + labelWidth + 1));
}

/**
 * A text table of at most `width` columns: the columns in `shrink` (the first by default) are
 * shortened with '…' until it fits. Cells are left-aligned unless `rightAlign[i]`.
 *
 * @example
 * table(['feature', 'relative'], [['cool_pwr_pct', '1.000']], [false, true], 80);
 * // ['feature       relative', '------------  --------', 'cool_pwr_pct     1.000']
 */
export function table(
  header: string[],
  rows: string[][],
  rightAlign: boolean[],
  width: number,
  shrink: number[] = [0],
  indent = '',
): string[] {
  const gap = 2;
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const total = (): number => indent.length + widths.reduce((s, w) => s + w, 0) + gap * (widths.length - 1);
  // Shorten the shrinkable columns, widest first, down to 4 columns each.
  while (total() > width) {
    const i = shrink.filter((k) => (widths[k] ?? 0) > 4).sort((a, b) => (widths[b] ?? 0) - (widths[a] ?? 0))[0];
    if (i === undefined) break;
    widths[i] = Math.max(4, (widths[i] ?? 0) - (total() - width));
  }
  const cell = (c: string, i: number): string => {
    const w = widths[i] ?? 0;
    const t = truncate(c, w);
    const pad = ' '.repeat(Math.max(0, w - displayWidth(t)));
    return rightAlign[i] ? pad + t : t + pad;
  };
  const line = (cells: string[]): string => (indent + cells.map(cell).join(' '.repeat(gap))).trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/**
 * A number for a report: whole numbers as they are, others to 6 significant digits, very small or
 * large ones in exponent form (as `automl describe` prints them).
 */
export function fmt(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}

/** A size in bytes, kB or MB. */
export function fmtBytes(b: number): string {
  return b < 1024 ? `${b} B` : b < 1048576 ? `${(b / 1024).toFixed(1)} kB` : `${(b / 1048576).toFixed(1)} MB`;
}

/** A duration: seconds below two minutes, else minutes and seconds, else hours and minutes. */
export function fmtSeconds(s: number): string {
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** Hyper-parameters in words: `baggingFraction 0.7, lambda 0.01`, or `defaults`. */
export function paramsText(p: Record<string, unknown> | string | undefined): string {
  if (p === undefined) return '–';
  if (typeof p === 'string') return p;
  const entries = Object.entries(p);
  if (entries.length === 0) return 'defaults';
  return entries.map(([k, v]) => `${k} ${typeof v === 'number' ? fmt(v) : JSON.stringify(v)}`).join(', ');
}
