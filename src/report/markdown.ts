/**
 * A run's report as Markdown, to commit beside a run and read on a forge: the same content as the
 * HTML page (sections.ts), the charts as SVG files beside the .md file (`<base>-<chart>.svg`), each
 * with the Vega-Lite spec it was drawn from (`<base>-<chart>.vl.json`). Every file is written to a
 * temporary name and renamed into place. Text from the data is escaped, so a column called
 * `<b>` stays text.
 */
import { basename, dirname, extname, join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import { renderSvg, type Chart } from './charts.js';
import type { RunReport } from './load.js';
import { reportContent, type Banner, type Block, type Cell } from './sections.js';

/**
 * Markdown text: the characters that would start emphasis, code, links, HTML or a table cell are
 * backslash-escaped, and (`lineStart`: the text begins a line) a heading or list marker at the
 * start; `&` written as `&amp;`, line breaks as spaces.
 */
export function escapeMarkdown(text: string, lineStart = true): string {
  const inline = text
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;');
  return lineStart ? inline.replace(/^(#+)( |$)/, '\\$1$2').replace(/^([-+]|\d+[.)])( |$)/, '\\$1$2') : inline;
}

/** An inline code span holding `text` exactly (a longer fence when it holds backticks); `|` escaped for tables. */
function codeSpan(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|')}${pad}${fence}`;
}

function cellMd(c: Cell): string {
  if (typeof c === 'string') return escapeMarkdown(c, false);
  const inner = c.code ? codeSpan(c.text) : escapeMarkdown(c.text, false);
  return c.strong && inner !== '' ? `**${inner}**` : inner;
}

function bannerMd(b: Banner): string[] {
  const lines = [
    `> **${b.level === 'error' ? 'Error' : 'Warning'}: ${escapeMarkdown(b.title, false)}.** ${escapeMarkdown(b.text, false)}`,
  ];
  if (b.items.length > 0) lines.push('>', ...b.items.map((i) => `> - ${escapeMarkdown(i, false)}`));
  return [...lines, ''];
}

/** The file names of a chart beside the report: `<base>-<id>.svg` and `<base>-<id>.vl.json`. */
export function chartFiles(outFile: string, chart: Pick<Chart, 'id'>): { svg: string; spec: string } {
  const base = basename(outFile, extname(outFile));
  const dir = dirname(outFile);
  return { svg: join(dir, `${base}-${chart.id}.svg`), spec: join(dir, `${base}-${chart.id}.vl.json`) };
}

/** A relative link to a file beside the report, safe in Markdown link syntax. */
function href(file: string): string {
  return encodeURIComponent(basename(file)).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

async function blockMd(b: Block, outFile: string, written: string[]): Promise<string[]> {
  switch (b.kind) {
    case 'kpis':
      return [b.items.map((k) => `**${escapeMarkdown(k.label, false)}** ${cellMd(k.value)}`).join(' · '), ''];
    case 'facts':
      return [...b.rows.map((r) => `- **${escapeMarkdown(r.label, false)}:** ${cellMd(r.value)}`), ''];
    case 'text':
      return [escapeMarkdown(b.text), ''];
    case 'missing':
      return [`_${escapeMarkdown(b.text, false)}_`, ''];
    case 'list':
      return [...b.items.map((i) => `- ${escapeMarkdown(i, false)}`), ''];
    case 'pre': {
      const runs = b.text.match(/`{3,}/g) ?? [];
      const fence = '`'.repeat(Math.max(2, ...runs.map((r) => r.length)) + 1);
      return [...(b.caption ? [escapeMarkdown(b.caption), ''] : []), fence, b.text, fence, ''];
    }
    case 'table': {
      const align = b.numeric.map((n) => (n ? '---:' : '---'));
      return [
        ...(b.caption ? [escapeMarkdown(b.caption), ''] : []),
        `| ${b.header.map((h) => escapeMarkdown(h, false)).join(' | ')} |`,
        `| ${align.join(' | ')} |`,
        ...b.rows.map((row) => `| ${row.map((c) => cellMd(c) || ' ').join(' | ')} |`),
        '',
      ];
    }
    case 'row': {
      const out: string[] = [];
      for (const inner of b.blocks) out.push(...(await blockMd(inner, outFile, written)));
      return out;
    }
    case 'charts': {
      const out: string[] = [];
      for (const c of b.charts) {
        const files = chartFiles(outFile, c);
        await writeFileAtomic(files.svg, `${await renderSvg(c.spec)}\n`);
        await writeFileAtomic(files.spec, `${JSON.stringify(c.spec, null, 2)}\n`);
        written.push(files.svg, files.spec);
        out.push(
          `![${escapeMarkdown(c.description, false)}](${href(files.svg)})`,
          '',
          `_${escapeMarkdown(c.description, false)}_ (Vega-Lite spec: [${escapeMarkdown(basename(files.spec), false)}](${href(files.spec)}))`,
          '',
        );
      }
      return out;
    }
  }
}

/**
 * Writes a run's report as Markdown to `outFile`, its charts as SVG files beside it and each
 * chart's Vega-Lite spec beside that; returns the files written, the report first.
 *
 * @example
 * await writeMarkdown(await loadRun('experiments/runs/cool'), 'docs/cool/report.md');
 * // ['docs/cool/report.md', 'docs/cool/report-importance.svg', 'docs/cool/report-importance.vl.json', …]
 */
export async function writeMarkdown(report: RunReport, outFile: string): Promise<string[]> {
  const c = reportContent(report);
  const charts: string[] = [];
  const lines: string[] = [`# ${escapeMarkdown(c.title, false)}`, '', `_${escapeMarkdown(c.subtitle, false)}_`, ''];
  if (c.banner) lines.push(...bannerMd(c.banner));
  lines.push(
    `Contents: ${c.sections
      .map(
        (s) =>
          `[${escapeMarkdown(s.title, false)}](#${s.title
            .toLowerCase()
            .replace(/[^a-z0-9 -]/g, '')
            .replace(/ /g, '-')})`,
      )
      .join(' · ')}`,
    '',
  );
  for (const s of c.sections) {
    lines.push(`## ${escapeMarkdown(s.title, false)}`, '');
    for (const b of s.blocks) lines.push(...(await blockMd(b, outFile, charts)));
  }
  lines.push(
    '---',
    '',
    `_Made by ${escapeMarkdown(c.generator, false)} from the run folder's experiment.json, leaderboard.csv and test-predictions.csv._`,
    '',
  );
  await writeFileAtomic(outFile, lines.join('\n'));
  return [outFile, ...charts];
}
