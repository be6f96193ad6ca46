/**
 * Input files as users bring them, through the built command line (dist/src/cli/main.js; run
 * `npm run build` first): Latin-1 text, a gzipped or zipped CSV, a ; file with decimal commas, a
 * binary file. Every command that reads data takes --encoding and --decimal and behaves alike.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_MAIN, HYDRAULIC_CSV, REPO_ROOT, childEnv, runCli, type CliResult } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

async function zipFile(name: string, entries: [string, Buffer][]): Promise<string> {
  const z = new yazl.ZipFile();
  for (const [n, body] of entries) z.addBuffer(body, n);
  z.end();
  const parts: Buffer[] = [];
  for await (const c of z.outputStream as AsyncIterable<Buffer>) parts.push(c);
  return file(name, Buffer.concat(parts));
}

/** `sh -c` with the CLI's path in $AUTOML, for piping into standard input. */
function shell(script: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], {
      cwd: REPO_ROOT,
      env: childEnv({ AUTOML: `${process.execPath} ${CLI_MAIN}` }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

const PIPELINE = join(REPO_ROOT, 'pipelines', 'examples', 'gbdt.pipeline.json');
const NOTE = 'note: decimal commas read as numbers (1,5 is 1.5); --decimal . turns it off';

/** The hydraulic data's first 300 rows with a text column, as written by an English and a French spreadsheet. */
let english = '';
let french = Buffer.alloc(0);

beforeAll(() => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run npm run build first`);
  const lines = readFileSync(HYDRAULIC_CSV, 'utf8').trim().split('\n').slice(0, 301);
  const cities = ['Besançon', 'Orléans', 'Nîmes'];
  english = lines.map((l, i) => `${l},${i === 0 ? 'site' : cities[i % 3]}`).join('\n') + '\n';
  // The same table as a French spreadsheet saves it: ; between fields, 1,5 for 1.5, CRLF, Latin-1.
  const rows = lines.map((l, i) =>
    [...l.split(',').map((f) => f.replace('.', ',')), i === 0 ? 'site' : cities[i % 3]].join(';'),
  );
  french = Buffer.from(rows.join('\r\n') + '\r\n', 'latin1');
});

describe('automl describe', () => {
  it('refuses Latin-1 text naming the file, line, byte offset and --encoding latin1 (exit 2)', async () => {
    const p = file('cafe.csv', Buffer.from('city,drink\nParis,caf\xe9\n', 'latin1'));
    const r = await runCli(['describe', '--data', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`automl: error: ${p}:2: byte 0xe9 at offset 20 (after 'Paris,caf') is not UTF-8`);
    expect(r.stderr).toContain('read it with --encoding latin1');
    expect(r.stdout).toBe('');
    const ok = await runCli(['describe', '--data', p, '--encoding', 'latin1', '--json']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('café');
  });

  it('refuses a binary file: this is not a text file (byte 0x7f at offset 0)', async () => {
    const p = file('a.out', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]));
    const r = await runCli(['describe', '--data', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${p}: this is not a text file (byte 0x7f at offset 0)`);
  });

  it('reads a gzipped ; file with decimal commas as numbers, with the note once, under 80 columns', async () => {
    const p = file('fr.csv.gz', gzipSync(french));
    const r = await runCli(['describe', '--data', p, '--encoding', 'latin1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { rows: number; columns: { name: string; type: string; mean?: number }[] };
    expect(res.rows).toBe(300);
    const psa = res.columns.find((c) => c.name === 'psa_bar')!;
    expect(psa.type).toBe('numeric');
    expect(r.stderr.split('\n').filter((l) => l === NOTE)).toHaveLength(1);
    for (const line of r.stderr.split('\n')) expect(line.length).toBeLessThanOrEqual(80);

    const off = await runCli(['describe', '--data', p, '--encoding', 'latin1', '--decimal', '.', '--json']);
    expect(off.code).toBe(0);
    expect((JSON.parse(off.stdout) as typeof res).columns.find((c) => c.name === 'psa_bar')!.type).toBe('categorical');
    expect(off.stderr).not.toContain('note:');
  });

  it('refuses a zip holding several CSV files, listing them; reads one holding one', async () => {
    const two = await zipFile('two.zip', [
      ['a.csv', Buffer.from(english)],
      ['b.csv', Buffer.from(english)],
    ]);
    const r = await runCli(['describe', '--data', two]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${two}: the zip archive holds 2 CSV files (a.csv, b.csv)`);
    const one = await zipFile('one.zip', [['data.csv', Buffer.from(english)]]);
    const ok = await runCli(['describe', '--data', one, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { rows: number }).rows).toBe(300);
  });

  it('refuses an unknown --encoding (exit 2)', async () => {
    const r = await runCli(['describe', '--data', HYDRAULIC_CSV, '--encoding', 'klingon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--encoding 'klingon' is not one we read");
  });
});

describe('automl split', () => {
  it('splits a gzipped Latin-1 file into UTF-8 parts named after the data, not the .gz', async () => {
    const p = file('fr-split.csv.gz', gzipSync(french));
    const r = await runCli(['split', '--data', p, '--target', 'stable_y', '--encoding', 'latin1']);
    expect(r.code, r.stderr).toBe(0);
    const train = readFileSync(join(dir, 'fr-split.train.csv'), 'utf8');
    const test = readFileSync(join(dir, 'fr-split.test.csv'), 'utf8');
    expect(train.split('\r\n')[0]).toBe(
      'psa_bar;psb_bar;psc_bar;psd_bar;pse_bar;psf_bar;fsa_vol_flow;fsb_vol_flow;tsa_temp;tsb_temp;tsc_temp;tsd_temp;pump_eff;vs_vib;cool_eff_pct;cool_pwr_pct;eff_fact_pct;cool_cond_y;valve_cond_y;pump_leak_y;acc_gas_leak_y;stable_y;site',
    );
    expect(train.trim().split('\r\n').length + test.trim().split('\r\n').length).toBe(302);
    expect(train + test).toContain('Besançon');
  });
});

describe('automl score', () => {
  let expected = '';
  beforeAll(async () => {
    const plain = file('en.csv', english);
    const r = await runCli(['score', '--pipeline', PIPELINE, '--data', plain, '--keep', 'site']);
    expect(r.code, r.stderr).toBe(0);
    expected = r.stdout;
    expect(expected.split('\n')[1]).toMatch(/^Orléans,/);
  });

  it('scores the French file (latin1, ;, 1,5) gzipped and zipped exactly as the English one', async () => {
    const gz = file('fr-score.csv.gz', gzipSync(french));
    const zip = await zipFile('fr-score.zip', [['fr.csv', french]]);
    for (const p of [gz, zip]) {
      const r = await runCli(['score', '--pipeline', PIPELINE, '--data', p, '--keep', 'site', '--encoding', 'latin1']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(expected);
      expect(r.stderr.split('\n').filter((l) => l === NOTE)).toHaveLength(1);
    }
  });

  it('does the same from standard input on worker threads (gzip told by its bytes)', async () => {
    const gz = file('fr-stdin.csv.gz', gzipSync(french));
    const r = await shell(
      `cat '${gz}' | $AUTOML score --pipeline '${PIPELINE}' --data - --keep site --encoding latin1 --threads 2`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(expected);
  });

  it('refuses the Latin-1 file without --encoding, naming the line and offset (exit 2)', async () => {
    const p = file('fr-noenc.csv', french);
    const r = await runCli(['score', '--pipeline', PIPELINE, '--data', p, '--keep', 'site']);
    expect(r.code).toBe(2);
    // The first é is in row 1's 'Orléans' (cities[1]): line 2.
    const at = french.indexOf(0xe9);
    const line = french.subarray(0, at).toString('latin1').split('\n').length;
    expect(r.stderr).toContain(`${p}:${line}: byte 0xe9 at offset ${at}`);
    expect(r.stderr).toContain('--encoding latin1');
    expect(r.stdout).toBe('');
  });

  it('with --decimal . the decimal commas are not numbers: the first one is refused', async () => {
    const p = file('fr-dot.csv', Buffer.from(french.toString('latin1'), 'utf8'));
    const r = await runCli(['score', '--pipeline', PIPELINE, '--data', p, '--decimal', '.']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${p}:2: field 'psa_bar' holds "160,67349166666665", which is not a number`);
  });
});

describe('automl run', () => {
  it('runs on a gzipped Latin-1 ; file with decimal commas, named after the data', async () => {
    const p = file('fr-run.csv.gz', gzipSync(french));
    const r = await runCli(
      [
        'run',
        '--data',
        p,
        '--encoding',
        'latin1',
        '--target',
        'stable_y',
        '--drop',
        'cool_cond_y,valve_cond_y,pump_leak_y,acc_gas_leak_y',
        '--max-models',
        '1',
        '--out-dir',
        dir,
        '--no-progress',
      ],
      { timeoutMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l === NOTE)).toHaveLength(1);
    expect(existsSync(join(dir, 'pipelines', 'stable_y-fr-run.pipeline.json'))).toBe(true);
  }, 150_000);
});
