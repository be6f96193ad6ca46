import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HYDRAULIC_LABELS,
  HYDRAULIC_SENSORS,
  featureColumns,
  hydraulicDataPath,
  runHydraulicRecipe,
  type StatName,
} from '../../recipes/hydraulic/index.js';
import { isAutomlError } from '../../src/util/errors.js';
import {
  STEP,
  buildArchive,
  centre,
  expectedMean,
  patternOf,
  profileRow,
  startServer,
  swing,
  type ArchiveSpec,
  type Route,
  type TestServer,
} from './fixtures.js';

const CYCLES = 4;
let dir: string;
let server: TestServer;
let goodZip: Buffer;
/** What the test server serves, by path (tests add more). */
const routes: Record<string, Route> = {};

function parseCsv(text: string): { header: string[]; rows: number[][] } {
  const lines = text.trimEnd().split('\n');
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',').map(Number)) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'automl-recipe-'));
  goodZip = await buildArchive({ cycles: CYCLES });
  routes['/data.zip'] = { body: goodZip };
  server = await startServer(routes);
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** A fresh cache and output path per test. */
async function place(name: string): Promise<{ cache: string; out: string }> {
  const sub = await mkdtemp(join(dir, `${name}-`));
  return { cache: join(sub, 'cache'), out: join(sub, 'out', 'hydraulic.csv') };
}

describe('hydraulic recipe: output', () => {
  it('downloads, writes exact cycle means in the reference column order, then the labels in their rows', async () => {
    const { cache, out } = await place('means');
    const before = server.requests.length;
    const r = await runHydraulicRecipe({
      source: { kind: 'url', urls: [server.url('/data.zip')] },
      out,
      cacheDir: cache,
    });
    expect(server.requests.length - before).toBe(1);
    expect(r.cached).toBe(false);
    expect(r.rows).toBe(CYCLES);
    expect(r.columns).toBe(22);
    expect(r.bytes).toBe(goodZip.length);
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.source).toBe(server.url('/data.zip'));

    const { header, rows } = parseCsv(await readFile(out, 'utf8'));
    const reference = (await readFile(hydraulicDataPath(), 'utf8')).split('\n')[0]!.split(',');
    expect(header).toEqual(reference);
    expect(rows).toHaveLength(CYCLES);
    for (let c = 0; c < CYCLES; c++) {
      const row = rows[c]!;
      HYDRAULIC_SENSORS.forEach((s, k) => {
        if (patternOf(s) === 'hundredths') {
          // Decimal samples: the mean of their binary values, to the rounding of the mean.
          expect(Math.abs(row[k]! - expectedMean(k, c))).toBeLessThanOrEqual(4 * Number.EPSILON * expectedMean(k, c));
        } else {
          expect(row[k]).toBe(expectedMean(k, c));
        }
      });
      expect(row.slice(17)).toEqual(profileRow(c));
    }
    // Spot values, written out: PS1 (k = 0) cycle 0 is 10.25, TS1 (k = 8) cycle 3 is 96.25.
    expect(rows[0]![0]).toBe(10.25);
    expect(rows[3]![8]).toBe(96.25);
    expect(rows[2]!.slice(17)).toEqual([100, 80, 2, 90, 0]);
  });

  it('writes labels as integers and numbers in their shortest round-trip form', async () => {
    const { cache, out } = await place('format');
    await runHydraulicRecipe({ source: { kind: 'url', urls: [server.url('/data.zip')] }, out, cacheDir: cache });
    const lines = (await readFile(out, 'utf8')).split('\n');
    expect(lines[1]!.split(',').slice(0, 1)).toEqual(['10.25']);
    expect(lines[1]!.split(',').slice(17)).toEqual(['3', '100', '0', '115', '0']);
    expect(lines.at(-1)).toBe('');
  });

  it('computes --stats grouped by statistic, sensors in standard order within each group', async () => {
    const { cache, out } = await place('stats');
    const stats: StatName[] = ['max', 'mean', 'std', 'slope', 'median', 'range', 'min'];
    const r = await runHydraulicRecipe({
      source: { kind: 'url', urls: [server.url('/data.zip')] },
      out,
      cacheDir: cache,
      stats,
    });
    const { header, rows } = parseCsv(await readFile(out, 'utf8'));
    expect(header).toEqual([...featureColumns(stats), ...HYDRAULIC_LABELS]);
    expect(header.slice(0, 2)).toEqual(['psa_bar_max', 'psb_bar_max']);
    expect(header[17]).toBe('psa_bar');
    expect(header[34]).toBe('psa_bar_std');
    expect(r.columns).toBe(7 * 17 + 5);
    const at = (row: number[], stat: StatName, column: string): number =>
      row[header.indexOf(stat === 'mean' ? column : `${column}_${stat}`)]!;

    for (let c = 0; c < CYCLES; c++) {
      const row = rows[c]!;
      // PS1 (k = 0, 6000 samples alternating centre ∓ 0.5).
      const m0 = centre(0, c);
      const d0 = swing(0);
      expect(at(row, 'max', 'psa_bar')).toBe(m0 + d0);
      expect(at(row, 'min', 'psa_bar')).toBe(m0 - d0);
      expect(at(row, 'range', 'psa_bar')).toBe(2 * d0);
      expect(at(row, 'median', 'psa_bar')).toBe(m0);
      // Sample std of ±d around the mean: d * sqrt(n / (n - 1)).
      expect(at(row, 'std', 'psa_bar')).toBeCloseTo(d0 * Math.sqrt(6000 / 5999), 12);
      // Slope of the alternating pattern against time: d n / (10 (n² - 1)) per second.
      expect(at(row, 'slope', 'psa_bar')).toBeCloseTo((d0 * 6000) / (10 * (6000 * 6000 - 1)), 15);

      // TS1 (k = 8, 60 samples at 1 Hz, rising by STEP each second).
      const m8 = centre(8, c);
      expect(at(row, 'mean', 'tsa_temp')).toBe(m8);
      expect(at(row, 'slope', 'tsa_temp')).toBeCloseTo(STEP, 12);
      expect(at(row, 'min', 'tsa_temp')).toBe(m8 - STEP * 29.5);
      expect(at(row, 'max', 'tsa_temp')).toBe(m8 + STEP * 29.5);
      // Sample std of an even ramp of n points: step * sqrt(n (n + 1) / 12).
      expect(at(row, 'std', 'tsa_temp')).toBeCloseTo(STEP * Math.sqrt((60 * 61) / 12), 12);

      // FS1 (k = 6, 600 samples at 10 Hz, alternating).
      expect(at(row, 'range', 'fsa_vol_flow')).toBe(2 * swing(6));
      expect(at(row, 'slope', 'fsa_vol_flow')).toBeCloseTo((swing(6) * 600) / (10 * (600 * 600 - 1)), 14);
      expect(row.slice(-5)).toEqual(profileRow(c));
    }
  });

  it('reads a local zip given as the source, without the network or the cache', async () => {
    const { cache, out } = await place('local');
    const zipPath = join(dir, 'local-data.zip');
    await writeFile(zipPath, goodZip);
    const before = server.requests.length;
    const r = await runHydraulicRecipe({ source: { kind: 'file', path: zipPath }, out, cacheDir: cache });
    expect(server.requests.length).toBe(before);
    expect(existsSync(cache)).toBe(false);
    expect(r.sourceKind).toBe('file');
    expect(r.source).toBe(zipPath);
    expect(r.cached).toBe(false);
    const { rows } = parseCsv(await readFile(out, 'utf8'));
    expect(rows.map((row) => row[12])).toEqual([0, 1, 2, 3].map((c) => expectedMean(12, c)));
  });

  it('finds the files at the top level of the zip too, and tolerates trailing tabs and CRLF', async () => {
    const { out } = await place('flat');
    const zipPath = join(dir, 'flat.zip');
    const crlf = (lines: string[]): string[] => lines.map((l) => `${l}\t\r`);
    await writeFile(
      zipPath,
      await buildArchive({ cycles: 3, folder: 'x/y', edit: { 'PS1.txt': crlf, 'profile.txt': crlf } }),
    );
    const r = await runHydraulicRecipe({ source: { kind: 'file', path: zipPath }, out });
    expect(r.rows).toBe(3);
    const { rows } = parseCsv(await readFile(out, 'utf8'));
    expect(rows[2]![0]).toBe(centre(0, 2));
    expect(rows[2]!.slice(17)).toEqual(profileRow(2));
  });
});

/** A broken variant of the test archive: it is refused, the message names file and line, nothing is written. */
async function expectRefusal(
  name: string,
  spec: ArchiveSpec | Buffer,
  ...fragments: (string | RegExp)[]
): Promise<string> {
  const zip = Buffer.isBuffer(spec) ? spec : await buildArchive(spec);
  const zipPath = join(dir, `${name}.zip`);
  await writeFile(zipPath, zip);
  const { out } = await place(name);
  let message = '';
  try {
    await runHydraulicRecipe({ source: { kind: 'file', path: zipPath }, out });
  } catch (e) {
    expect(isAutomlError(e), String(e)).toBe(true);
    message = (e as Error).message;
  }
  expect(message, 'the archive should be refused').not.toBe('');
  for (const f of fragments) {
    if (typeof f === 'string') expect(message).toContain(f);
    else expect(message).toMatch(f);
  }
  expect(existsSync(out)).toBe(false);
  expect(existsSync(join(out, '..'))).toBe(false);
  return message;
}

const replaceLine = (n: number, f: (line: string) => string) => (lines: string[]) =>
  lines.map((l, i) => (i === n - 1 ? f(l) : l));

describe('hydraulic recipe: refusals', () => {
  it('a missing sensor file: names it and what was found', async () => {
    const m = await expectRefusal(
      'missing',
      { cycles: 3, omit: ['CE.txt', 'FS2.txt'] },
      'the archive has no FS2.txt, CE.txt',
      'found: ',
    );
    expect(m).toMatch(/found: .*PS1\.txt.*profile\.txt/);
    expect(m).not.toMatch(/found: .*CE\.txt/);
  });

  it('a missing profile.txt', async () => {
    await expectRefusal('no-profile', { cycles: 3, omit: ['profile.txt'] }, 'the archive has no profile.txt');
  });

  it('a line with too few samples', async () => {
    await expectRefusal(
      'short-line',
      { cycles: 4, edit: { 'PS1.txt': replaceLine(3, (l) => l.slice(0, l.lastIndexOf('\t'))) } },
      'hydraulic/PS1.txt line 3: 5999 samples, expected 6000',
    );
  });

  it('a line with too many samples', async () => {
    await expectRefusal(
      'long-line',
      { cycles: 4, edit: { 'FS2.txt': replaceLine(1, (l) => `${l}\t1.5`) } },
      'FS2.txt line 1: 601 samples, expected 600',
    );
  });

  it('a sample that is not a number: line, sample position and text', async () => {
    const bad = (text: string) =>
      replaceLine(2, (l) =>
        l
          .split('\t')
          .map((v, i) => (i === 16 ? text : v))
          .join('\t'),
      );
    await expectRefusal(
      'not-number',
      { cycles: 4, edit: { 'PS3.txt': bad('12,5') } },
      "PS3.txt line 2, sample 17: '12,5' is not a finite decimal number",
    );
    await expectRefusal('empty-sample', { cycles: 4, edit: { 'VS1.txt': bad('') } }, "VS1.txt line 2, sample 17: ''");
    await expectRefusal(
      'hex-sample',
      { cycles: 4, edit: { 'TS2.txt': bad('0x1F') } },
      "TS2.txt line 2, sample 17: '0x1F'",
    );
    await expectRefusal(
      'inf-sample',
      { cycles: 4, edit: { 'CP.txt': bad('Infinity') } },
      "CP.txt line 2, sample 17: 'Infinity'",
    );
  });

  it('files with different numbers of cycles: names both counts', async () => {
    await expectRefusal(
      'fewer-cycles',
      { cycles: 4, edit: { 'TS1.txt': (lines) => lines.slice(0, 3) } },
      'hydraulic/TS1.txt has 3 cycles (lines) but hydraulic/profile.txt has 4',
    );
    await expectRefusal(
      'more-cycles',
      { cycles: 3, edit: { 'SE.txt': (lines) => [...lines, lines[0]!, lines[1]!] } },
      'SE.txt has 5 cycles (lines) but hydraulic/profile.txt has 3',
    );
  });

  it('a blank line between cycles', async () => {
    await expectRefusal(
      'blank-line',
      { cycles: 4, edit: { 'EPS1.txt': (lines) => [lines[0]!, '', ...lines.slice(1)] } },
      'EPS1.txt line 2 is empty',
    );
  });

  it('a file without line breaks is refused without holding it all', async () => {
    await expectRefusal(
      'one-line',
      { cycles: 3, edit: { 'PS6.txt': (lines) => [Array.from({ length: 60 }, () => lines.join('\t')).join('\t')] } },
      'PS6.txt line 1 is longer than 1048576 characters',
    );
  });

  it('profile.txt labels that are not five integers', async () => {
    await expectRefusal(
      'profile-fields',
      { cycles: 4, edit: { 'profile.txt': replaceLine(2, () => '20\t90\t1\t115') } },
      "profile.txt line 2: 4 labels ('20\t90\t1\t115'), expected 5 tab-separated integers",
    );
    await expectRefusal(
      'profile-float',
      { cycles: 4, edit: { 'profile.txt': replaceLine(3, () => '100\t80.5\t2\t90\t0') } },
      "profile.txt line 3, label 2: '80.5' is not an integer",
    );
  });

  it('a truncated zip', async () => {
    const m = await expectRefusal(
      'truncated',
      goodZip.subarray(0, Math.floor(goodZip.length * 0.6)),
      'truncated.zip is not a complete zip archive (',
    );
    expect(m).toContain('get a complete copy');
  });

  it('a zip whose compressed data is damaged', async () => {
    const damaged = Buffer.from(goodZip);
    // Inside PS1.txt's deflated data: past its local header (30 bytes + name), before its end.
    const name = 'hydraulic/PS1.txt';
    let header = damaged.indexOf(name);
    while (damaged.toString('latin1', header - 9, header) === '__MACOSX/') header = damaged.indexOf(name, header + 1);
    const at = header + name.length + 40;
    for (let i = at; i < at + 24; i++) damaged[i] = damaged[i]! ^ 0x5a;
    await expectRefusal('damaged', damaged, 'damaged.zip is not a complete zip archive (hydraulic/PS1.txt');
  });

  it('a stored file with one changed digit fails its CRC-32 check, not a content check', async () => {
    const zip = await buildArchive({ cycles: 3, compress: false });
    const line = (await import('./fixtures.js')).fileLines('PS5.txt', 3)[1]!;
    const at = zip.indexOf(line);
    expect(at).toBeGreaterThan(0);
    const changed = Buffer.from(zip);
    changed[at + 3] = '#'.charCodeAt(0);
    await expectRefusal(
      'crc',
      changed,
      'crc.zip is not a complete zip archive (hydraulic/PS5.txt fails its CRC-32 check)',
    );
  });

  it('a file that is not a zip at all', async () => {
    await expectRefusal('text', Buffer.from('PS1\tPS2\n1\t2\n'), 'text.zip is not a complete zip archive');
  });

  it('the same file twice in different folders', async () => {
    await expectRefusal(
      'twice',
      { cycles: 2, extra: { 'copy/PS4.txt': '1\t2\n' } },
      'PS4.txt appears more than once in the archive (hydraulic/PS4.txt, copy/PS4.txt)',
    );
  });

  it('a broken download in the cache: advises --refresh', async () => {
    routes['/cut.zip'] = { body: goodZip.subarray(0, goodZip.length - 100) };
    const { cache, out } = await place('cut');
    const run = runHydraulicRecipe({ source: { kind: 'url', urls: [server.url('/cut.zip')] }, out, cacheDir: cache });
    await expect(run).rejects.toThrow(
      /\/cut\.zip \(cached at .*\) is not a complete zip archive .*download it again \(--refresh\)/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('an output path that is a folder is refused before any work', async () => {
    await expect(
      runHydraulicRecipe({ source: { kind: 'file', path: join(dir, 'nope.zip') }, out: dir }),
    ).rejects.toThrow(`--out ${dir} is a folder`);
  });

  it('a local source that does not exist', async () => {
    const { out } = await place('nofile');
    await expect(runHydraulicRecipe({ source: { kind: 'file', path: 'no/such/data.zip' }, out })).rejects.toThrow(
      '--source no/such/data.zip: no such file',
    );
  });

  it('keeps an existing output untouched when the input is bad', async () => {
    const { out } = await place('keep');
    const zipPath = join(dir, 'keep.zip');
    const goodPath = join(dir, 'keep-good.zip');
    await writeFile(zipPath, await buildArchive({ cycles: 2, omit: ['SE.txt'] }));
    await writeFile(goodPath, goodZip);
    await runHydraulicRecipe({ source: { kind: 'file', path: goodPath }, out });
    const before = await readFile(out, 'utf8');
    await expect(runHydraulicRecipe({ source: { kind: 'file', path: zipPath }, out })).rejects.toThrow('SE.txt');
    expect(await readFile(out, 'utf8')).toBe(before);
  });
});
