import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = '/usr/bin/python3';

/** Fails with the install command when Debian's Python peers are not there. */
export function requirePython(modules: readonly string[]): void {
  const hint = 'apt-get update && apt-get install -y python3-sklearn python3-xgboost python3-pandas python3-optuna';
  if (!existsSync(PYTHON)) throw new Error(`bench: ${PYTHON} is missing; install the peers: ${hint}`);
  for (const m of modules) {
    const r = spawnSync(PYTHON, ['-c', `import ${m}`], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`bench: the Python module ${m} is missing; install the peers: ${hint}`);
  }
}

/** Runs a Python peer script and returns what it printed as JSON on its last stdout line. */
export async function runPython(script: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const child = spawn(PYTHON, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`bench: ${script} exited with ${code}`);
  const last = out.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as Record<string, unknown>;
}

/** Runs a node script in a child process and returns its last stdout line as JSON. */
export async function runNode(script: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`bench: ${script} exited with ${code}`);
  const last = out.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as Record<string, unknown>;
}

export function fmtRatio(ours: number, peer: number): string {
  return `${(ours / peer).toFixed(2)}×`;
}
