import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_MAIN, runCommand } from './run-cli.js';

describe('the built bin', () => {
  it('stays executable after every build, so `npx automl` works after `npm test` too', async () => {
    expect(statSync(CLI_MAIN).mode & 0o111).toBe(0o111);
    const r = await runCommand(CLI_MAIN, ['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
