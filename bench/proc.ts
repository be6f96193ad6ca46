/**
 * Child processes for benchmarks that run servers and CLIs: every child started here is killed
 * when the benchmark ends, fails, or is interrupted; servers are awaited until they print their
 * listening line; CLI runs are timed as whole processes with their peak RSS.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm } from 'node:fs/promises';

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  live.clear();
}

/**
 * Kills every child still running when the process exits or is interrupted (Ctrl-C, SIGTERM)
 * while `body` runs, and once it has finished either way.
 */
export async function withChildren<T>(body: () => Promise<T>): Promise<T> {
  const onSignal = (signal: NodeJS.Signals): void => {
    killAll();
    process.stderr.write(`bench: ${signal}: stopped the child processes\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', killAll);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body();
  } finally {
    killAll();
    process.off('exit', killAll);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Spawns a child that `withChildren` will kill. */
export function spawnTracked(cmd: string, args: readonly string[], opts: SpawnOptions): ChildProcess {
  const child = spawn(cmd, args, opts);
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export interface Server {
  child: ChildProcess;
  url: string;
  name: string;
}

/**
 * Starts a server as a child process and waits for the `URL` of its `listening on URL` line on
 * stdout (its stderr goes to ours). Fails when it exits first or stays silent for `timeoutMs`.
 */
export async function startServer(
  name: string,
  cmd: string,
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<Server> {
  const child = spawnTracked(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let seen = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `bench: ${name} printed no 'listening on' line in ${timeoutMs / 1000} s (stdout so far: ${JSON.stringify(seen.slice(0, 300))})`,
          ),
        ),
      timeoutMs,
    );
    const onData = (d: Buffer): void => {
      seen += d.toString();
      const m = /listening on (https?:\/\/\S+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining whatever else it prints
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`bench: could not start ${name}: ${e.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `bench: ${name} exited (${signal ?? `code ${code}`}) before listening; stdout: ${JSON.stringify(seen.slice(0, 300))}`,
        ),
      );
    });
  });
  return { child, url, name };
}

/** Sends SIGTERM and waits for the exit; SIGKILL after `timeoutMs`. Returns how it ended. */
export async function stopServer(server: Server, timeoutMs = 5000): Promise<string> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null)
    return `had already ended (${child.signalCode ?? `exit code ${child.exitCode}`})`;
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  const r = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (r === 'late') {
    child.kill('SIGKILL');
    await exited;
    return `still running after ${timeoutMs / 1000} s; killed`;
  }
  const [code, signal] = r;
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

export interface TimedRun {
  wallSeconds: number;
  /** getrusage's peak RSS of the node process, as the Python peers report theirs. */
  maxRssBytes: number;
  stdout: string;
}

/**
 * Runs a node script as a whole process (wall time from spawn to exit). A data: module passed
 * with --import writes the process's peak RSS (process.resourceUsage, i.e. getrusage) to a file
 * when it exits, as in bench/recipe.ts.
 */
export async function timedNode(script: string, args: readonly string[], rssFile: string): Promise<TimedRun> {
  const hook =
    'data:text/javascript,import{writeFileSync}from"node:fs";' +
    'process.on("exit",()=>writeFileSync(process.env.AUTOML_BENCH_RSS_FILE,String(process.resourceUsage().maxRSS*1024)));';
  const t0 = performance.now();
  const child = spawnTracked(process.execPath, ['--import', hook, script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, AUTOML_BENCH_RSS_FILE: rssFile },
  });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  const wallSeconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`bench: node ${script} ${args.join(' ')} exited with ${signal ?? code}`);
  const maxRssBytes = Number(await readFile(rssFile, 'utf8'));
  await rm(rssFile, { force: true });
  return { wallSeconds, maxRssBytes, stdout };
}
