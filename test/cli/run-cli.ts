import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/cli/run-cli.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built binary, as `npm test` leaves it (`npm run build` runs before vitest). */
export const CLI_MAIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

/** The embedded data set that ships with the package. */
export const HYDRAULIC_CSV = join(REPO_ROOT, 'recipes', 'hydraulic', 'hydraulic.csv');

export interface CliResult {
  /** Exit code; null only if the process was killed by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** Extra variables, merged over the parent's environment (NO_COLOR is removed first). */
  env?: NodeJS.ProcessEnv;
  /** Kill the process after this many milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Close the read end of stdout at once, as `automl … | head -0` would. */
  closeStdout?: boolean;
}

/** The environment a child gets: the parent's, without NO_COLOR, plus `extra`. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NO_COLOR'];
  delete env['FORCE_COLOR'];
  return { ...env, ...extra };
}

/** Runs any command with piped stdio (so not a TTY) and collects what it printed. */
export function runCommand(command: string, args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: childEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    if (opts.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/**
 * Runs `automl <args>` as a user would: the built binary in a child process, stdio piped (not a
 * TTY), NO_COLOR unset.
 *
 * @example
 * const r = await runCli(['describe', '--json'], { cwd: tmp });
 */
export function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  if (!existsSync(CLI_MAIN)) {
    throw new Error(`${CLI_MAIN} does not exist; build first (npm run build, or npm test which builds)`);
  }
  return runCommand(process.execPath, [CLI_MAIN, ...args], opts);
}
