/**
 * The exit codes of every command (README, "Exit codes"), what the command line prints for an
 * error, and the interrupts of a long command.
 *
 *   0    finished (`automl serve`: also a graceful stop on SIGTERM or SIGINT)
 *   1    an internal error: a bug in automl (the message asks for a report)
 *   2    a user's mistake: a bad option, a bad input file, a file that cannot be written
 *   130  `automl run` / `automl score` interrupted by SIGINT (Ctrl-C)
 *   143  `automl run` / `automl score` interrupted by SIGTERM (`kill`)
 */
import { ScoringError } from '../artifact/errors.js';
import { AutomlError, errorText } from '../util/errors.js';

export const EXIT = {
  finished: 0,
  internalError: 1,
  mistake: 2,
  sigint: 130,
  sigterm: 143,
} as const;

/** The exit code of a command stopped by a signal: 128 + its number, as shells report it. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
}

/** Whether an error is the user's to fix (exit 2) rather than a bug (exit 1). */
export function isUserError(e: unknown): e is AutomlError | ScoringError {
  return e instanceof AutomlError || e instanceof ScoringError;
}

export interface ErrorReportOptions {
  /** Colour the label (stderr is a terminal and NO_COLOR is unset). */
  colour?: boolean;
  /** AUTOML_DEBUG=1: an internal error's stack trace follows its message. */
  debug?: boolean;
  /** The signal an INTERRUPTED error came from (default SIGINT). */
  signal?: NodeJS.Signals | null;
  /** The automl version, for the bug report. */
  version?: string;
}

/**
 * What the command line prints for an error that ended a command, and the exit code: a user's
 * mistake prints its message (2); an interrupt before anything was finished prints its message
 * (130 or 143, by the signal); anything else is a bug: one line asking for a report, and the stack
 * trace only with AUTOML_DEBUG=1 (`automl run` also writes it to the run's run.log) (1).
 *
 * @example
 * errorReport(new AutomlError('BAD_OPTION', '--time must be …'), {}); // { code: 2, text: 'automl: error: --time must be …\n' }
 */
export function errorReport(e: unknown, opts: ErrorReportOptions = {}): { code: number; text: string } {
  if (isUserError(e)) {
    const label = opts.colour ? '\u001b[31mautoml: error:\u001b[39m' : 'automl: error:';
    const interrupted = e.code === 'INTERRUPTED';
    return {
      code: interrupted ? signalExitCode(opts.signal ?? 'SIGINT') : EXIT.mistake,
      text: `${label} ${e.message}\n`,
    };
  }
  const label = opts.colour ? '\u001b[31mautoml: internal error:\u001b[39m' : 'automl: internal error:';
  const stack = e instanceof Error && e.stack ? e.stack : undefined;
  const lines = [
    `${label} ${errorText(e)}`,
    `This is a bug in automl${opts.version ? ` ${opts.version}` : ''}, not a mistake of yours: please report it,`,
    `with the command you ran and the stack trace (${opts.debug ? 'below' : 'AUTOML_DEBUG=1 prints it'}).`,
  ];
  if (opts.debug && stack) lines.push(stack);
  return { code: EXIT.internalError, text: `${lines.join('\n')}\n` };
}

/** AUTOML_DEBUG set to anything but '' or '0'. */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env['AUTOML_DEBUG'];
  return v !== undefined && v !== '' && v !== '0';
}

/**
 * The interrupts of a long command: SIGINT (Ctrl-C) and SIGTERM (`kill`), counted while it runs.
 * The first one's signal decides the exit code (130 or 143); what each one does is the
 * command's `onSignal`. Not installed, a signal ends the process as Node does by default.
 */
export class Interrupts {
  /** The first signal received, or null. */
  signal: NodeJS.Signals | null = null;
  /** How many signals have been received. */
  count = 0;
  private readonly listener = (signal: NodeJS.Signals): void => {
    this.signal ??= signal;
    this.count++;
    this.onSignal(signal, this.count);
  };

  constructor(private readonly onSignal: (signal: NodeJS.Signals, count: number) => void) {}

  install(): this {
    latest = () => this.signal;
    process.on('SIGINT', this.listener);
    process.on('SIGTERM', this.listener);
    return this;
  }

  uninstall(): void {
    process.off('SIGINT', this.listener);
    process.off('SIGTERM', this.listener);
  }

  /** 130 or 143 by the first signal; 0 before any. */
  get exitCode(): number {
    return this.signal ? signalExitCode(this.signal) : EXIT.finished;
  }
}

let latest: (() => NodeJS.Signals | null) | null = null;

/** The first signal the latest installed {@link Interrupts} received (for the exit code of an error). */
export function receivedSignal(): NodeJS.Signals | null {
  return latest?.() ?? null;
}
