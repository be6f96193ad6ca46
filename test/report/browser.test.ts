/**
 * The HTML report in a real browser: headless Chromium from the npm registry (@sparticuz/chromium,
 * driven by playwright-core; nothing downloaded from elsewhere, no apt-get). The page of real runs
 * (test/report/fixture.ts) opened from its file: every chart drawn (an SVG with a size, as many
 * bars, cells, lines and points as the data has), no request but the file itself, nothing wider
 * than a 375-px phone, the contents hidden when printed; screenshots at desktop and phone width.
 *
 * Screenshots go to a temporary folder; with UPDATE_SCREENSHOTS=1 to docs/report-desktop.png and
 * docs/report-phone.png (the README shows the first). If the browser cannot start, the test fails
 * and says why: it never skips.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { loadRun } from '../../src/report/load.js';
import { binaryRun, classificationRun, regressionRun, type FixtureRun } from './fixture.js';

const LONG = 300_000;
const REPO = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'automl-browser-'));
const shots = process.env['UPDATE_SCREENSHOTS'] === '1' ? join(REPO, 'docs') : work;

let browser: Browser | undefined;
let cool: FixtureRun;
let stable: FixtureRun;
let regression: FixtureRun;
const pages = new Map<string, string>();

/** Chromium from @sparticuz/chromium, or an error that says what failed and what to do. */
async function launch(): Promise<Browser> {
  let executablePath: string;
  try {
    executablePath = await sparticuz.executablePath();
  } catch (e) {
    throw new Error(
      `browser test: @sparticuz/chromium could not unpack its Chromium (${(e as Error).message}); run npm ci and try again. This test needs a browser: it does not skip.`,
    );
  }
  try {
    return await chromium.launch({ executablePath, args: sparticuz.args, headless: true });
  } catch (e) {
    throw new Error(
      `browser test: the headless Chromium of @sparticuz/chromium (${executablePath}) did not start: ${(e as Error).message.split('\n')[0]}. This test needs a browser: it does not skip.`,
    );
  }
}

beforeAll(async () => {
  cool = await classificationRun();
  stable = await binaryRun();
  regression = await regressionRun();
  for (const run of [cool, stable, regression]) {
    const file = join(work, `${run.name}.html`);
    writeFileSync(file, await renderHtml(await loadRun(run.dir)));
    pages.set(run.name, file);
  }
  browser = await launch();
}, LONG);

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

/**
 * The one page the tests use: Chromium runs as one process with @sparticuz/chromium's arguments
 * (--single-process), and closing its last page would end it.
 */
let page: Page;
let requests: string[] = [];

/** Opens a report at a width; `requests` then holds every URL it requested. */
async function open(run: FixtureRun, width: number, height = 900): Promise<Page> {
  if (!page) {
    page = await browser!.newPage();
    page.on('request', (r) => requests.push(r.url()));
  }
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width, height });
  requests = [];
  await page.goto(pathToFileURL(pages.get(run.name)!).href, { waitUntil: 'load' });
  return page;
}

interface Drawn {
  /** The SVG's size on the page. */
  width: number;
  height: number;
  /** Per mark name of the chart (its data-marks): the elements drawn. */
  counts: Record<string, number>;
  /** What the chart says it draws (data-marks). */
  expected: Record<string, number>;
}

/**
 * Every chart of the page, by id. (Run in the page, as text: the tests are compiled without the
 * DOM's types.)
 */
const CHARTS = `(() => {
  const out = {};
  for (const fig of document.querySelectorAll('figure.chart')) {
    const svg = fig.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    const expected = JSON.parse(fig.dataset.marks || '{}');
    const counts = {};
    for (const name of Object.keys(expected))
      counts[name] = fig.querySelectorAll('g.' + name + '_marks > path, g.' + name + '_marks > text, g.' + name + '_marks > line').length;
    out[fig.dataset.chart] = { width: box.width, height: box.height, counts, expected };
  }
  return out;
})()`;

async function charts(p: Page): Promise<Record<string, Drawn>> {
  return p.evaluate<Record<string, Drawn>>(CHARTS);
}

/** The page's width: wider than the viewport when something overflows. */
async function scrollWidth(p: Page): Promise<number> {
  return p.evaluate<number>('document.documentElement.scrollWidth');
}

describe('the HTML report in headless Chromium', () => {
  it(
    'cool_cond_y: every chart drawn with as many marks as the data; no request but the file; fits 375 px',
    async () => {
      await open(cool, 1280, 1100);
      const drawn = await charts(page);
      expect(Object.keys(drawn)).toEqual(['importance', 'confusion', 'roc', 'pr', 'iteration']);
      for (const [id, c] of Object.entries(drawn)) {
        expect(c.width, `${id} width`).toBeGreaterThan(100);
        expect(c.height, `${id} height`).toBeGreaterThan(100);
        expect(c.counts, id).toEqual(c.expected);
      }
      // Against the data itself, not only what the chart says it draws.
      const imp = cool.json.importance.slice(0, 20);
      expect(drawn['importance']!.counts['bars']).toBe(
        imp.filter((i) => i.importance !== null).length + imp.filter((i) => i.gain !== null).length,
      );
      const K = (cool.json['classes'] as string[]).length;
      expect(drawn['confusion']!.counts['cells']).toBe(K * K);
      const counts = await page.$$eval('#chart-confusion g.counts_marks > text', (ts) =>
        ts.map((t) => Number(t.textContent)),
      );
      expect(counts).toEqual((cool.json.test['confusion'] as number[][]).flat());
      expect(drawn['roc']!.counts['curves']).toBe(K);
      expect(drawn['pr']!.counts['curves']).toBe(K);
      expect(drawn['iteration']!.counts['candidates']).toBe(cool.result.search.candidates - cool.result.search.failed);

      expect(requests).toEqual([pathToFileURL(pages.get(cool.name)!).href]);
      await page.screenshot({ path: join(shots, 'report-desktop.png') });
      expect(await scrollWidth(page)).toBeLessThanOrEqual(1280);

      await open(cool, 375, 812);
      expect(await scrollWidth(page), 'the page is wider than a 375-px phone').toBeLessThanOrEqual(375);
      // Each chart scaled to the screen, still drawn.
      for (const [id, c] of Object.entries(await charts(page))) {
        expect(c.width, `${id} on a phone`).toBeLessThanOrEqual(375);
        expect(c.width, `${id} on a phone`).toBeGreaterThan(150);
      }
      await page.screenshot({ path: join(shots, 'report-phone.png') });
      expect(requests).toEqual([pathToFileURL(pages.get(cool.name)!).href]);
    },
    LONG,
  );

  it(
    "binary and regression: the thresholds' points, a dot per test row; nothing overflows; printed without the contents",
    async () => {
      await open(stable, 375);
      const drawn = await charts(page);
      expect(drawn['roc']!.counts).toEqual({ curves: 1, chance: 1, thresholds: 2 });
      expect(drawn['pr']!.counts).toEqual({ curves: 1, thresholds: 2 });
      expect(await scrollWidth(page)).toBeLessThanOrEqual(375);
      expect(requests).toHaveLength(1);

      await open(regression, 375);
      const rd = await charts(page);
      expect(Object.keys(rd)).toEqual(['importance', 'predicted-actual', 'residuals', 'iteration']);
      expect(rd['predicted-actual']!.counts['points']).toBe(regression.result.rows.test);
      expect(rd['residuals']!.counts['points']).toBe(regression.result.rows.test);
      for (const [id, c] of Object.entries(rd)) expect(c.counts, id).toEqual(c.expected);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(375);
      expect(requests).toHaveLength(1);
      await page.emulateMedia({ media: 'print' });
      expect(await page.evaluate<string>("getComputedStyle(document.querySelector('nav.toc')).display")).toBe('none');
    },
    LONG,
  );
});

// The folder the screenshots go to exists (docs/ on UPDATE_SCREENSHOTS=1).
mkdirSync(shots, { recursive: true });
