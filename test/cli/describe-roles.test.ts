import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-roles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('automl describe: label columns of a recipe', () => {
  it('marks the hydraulic labels as labels, and says why', async () => {
    const json = await runCli(['describe', '--json']);
    expect(json.code).toBe(0);
    const r = JSON.parse(json.stdout) as { recipe: string | null; labels: string[] };
    expect(r.recipe).toBe('hydraulic');
    expect(r.labels).toEqual(['cool_cond_y', 'valve_cond_y', 'pump_leak_y', 'acc_gas_leak_y', 'stable_y']);
    const text = await runCli(['describe']);
    expect(text.stdout).toMatch(/^stable_y\s+numeric\s+label\s/m);
    expect(text.stdout).toMatch(/^psa_bar\s+numeric\s+feature\s/m);
    expect(text.stdout).toContain(
      "The hydraulic recipe's label columns (cool_cond_y, valve_cond_y, pump_leak_y, acc_gas_leak_y, stable_y)",
    );
  });

  it('finds no recipe in a table of its own', async () => {
    const p = join(dir, 'own.csv');
    writeFileSync(p, 'a,b\n1,x\n2,y\n');
    const r = JSON.parse((await runCli(['describe', '--data', p, '--json'])).stdout) as {
      recipe: string | null;
      labels: string[];
    };
    expect(r.recipe).toBeNull();
    expect(r.labels).toEqual([]);
  });
});

describe('automl describe: date and free-text columns, as automl run reads them', () => {
  it('names a date column with its format and a review column as text', async () => {
    const p = join(dir, 'kinds.csv');
    const words = ['great', 'slow', 'service', 'price', 'friendly', 'late', 'fresh', 'cold', 'again', 'never'];
    const lines = ['signup,review,plan'];
    for (let i = 0; i < 40; i++) {
      const day = String((i % 28) + 1).padStart(2, '0');
      const review = [0, 3, 7].map((k) => words[(i * (k + 1) + k) % words.length]).join(' ') + ` visit ${i}`;
      lines.push(`2024-03-${day},${review},${i % 2 ? 'basic' : 'pro'}`);
    }
    writeFileSync(p, lines.join('\n') + '\n');
    const json = await runCli(['describe', '--data', p, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const r = JSON.parse(json.stdout) as { kinds: Record<string, string> };
    expect(r.kinds).toEqual({ signup: 'date (iso)', review: 'text' });
    const text = await runCli(['describe', '--data', p]);
    expect(text.stdout).toMatch(/^signup\s+date \(iso\)\s+feature\s/m);
    expect(text.stdout).toMatch(/^review\s+text\s+feature\s/m);
    expect(text.stdout).toMatch(/^plan\s+categorical\s+feature\s/m);
  });
});
