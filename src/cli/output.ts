import { styleText } from 'node:util';

/** How a command talks to the user: plain, quiet, or JSON; colour only on a terminal. */
export interface OutputOptions {
  quiet?: boolean;
  json?: boolean;
}

export class Output {
  readonly quiet: boolean;
  readonly json: boolean;
  /**
   * Progress bars: only when stderr is a terminal (and not --quiet or --json). NO_COLOR does not
   * hide them (no-color.org: it turns off colour only); colour needs this and NO_COLOR unset.
   */
  readonly interactive: boolean;

  constructor(opts: OutputOptions, env: NodeJS.ProcessEnv = process.env) {
    this.quiet = opts.quiet ?? false;
    this.json = opts.json ?? false;
    this.interactive = Boolean(process.stderr.isTTY) && !this.quiet && !this.json;
    this.colour = this.interactive && !('NO_COLOR' in env && env['NO_COLOR'] !== '');
  }

  private readonly colour: boolean;

  /** A line of the command's report on stdout (suppressed by --quiet and --json). */
  info(line = ''): void {
    if (!this.quiet && !this.json) process.stdout.write(`${line}\n`);
  }

  /** The machine-readable result, printed only with --json. */
  result(value: unknown): void {
    if (this.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A notice on stderr that is not the result (suppressed by --quiet). */
  note(line: string): void {
    if (!this.quiet) process.stderr.write(`${line}\n`);
  }

  bold(text: string): string {
    return this.colour ? styleText('bold', text) : text;
  }

  dim(text: string): string {
    return this.colour ? styleText('dim', text) : text;
  }

  red(text: string): string {
    return this.colour ? styleText('red', text) : text;
  }

  /** Colour for the error line; errors always print, even with --quiet. */
  colourErrors(): boolean {
    return Boolean(process.stderr.isTTY) && !('NO_COLOR' in process.env && process.env['NO_COLOR'] !== '');
  }
}

/** Left-aligned text table for terminal reports. */
export function formatTable(header: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (rightAlign[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
