/**
 * Every command's --help fits 80 columns when its output is not a terminal (a wider terminal may
 * use more), as the rest of what the commands print does.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const COMMANDS = ['run', 'score', 'serve', 'split', 'report', 'list', 'describe', 'recipe'];

describe('--help', () => {
  it.each(COMMANDS)('automl %s --help: every line within 80 columns, the options listed', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const long = lines.filter((l) => [...l].length > 80);
    expect(long, long.join('\n')).toEqual([]);
    expect(r.stdout).toMatch(/--help/);
    expect(lines.length).toBeGreaterThan(5);
  });
});
