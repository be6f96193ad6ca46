/**
 * A run's report as one HTML file: self-contained (inline CSS and SVG; no script, no font, no
 * image or style sheet fetched: opening it makes no request), readable on a phone (nothing wider
 * than the screen: charts scale down, wide tables scroll inside their own box) and printable.
 * The content is sections.ts's; this file only lays it out. Every text from the data is escaped.
 */
import { renderSvg } from './charts.js';
import type { RunReport } from './load.js';
import { reportContent, type Banner, type Block, type Cell, type ReportContent, type Section } from './sections.js';

/** Text for HTML: `&`, `<`, `>`, `"` and `'` escaped (safe in elements and quoted attributes). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The page's style: system fonts, a readable measure, print rules. */
export const REPORT_CSS = `
:root { --fg: #1c2128; --muted: #57606a; --line: #d8dee4; --soft: #f6f8fa; --accent: #0b5cad;
  --warn: #9a6700; --warn-bg: #fff8c5; --err: #cf222e; --err-bg: #ffebe9; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 16px 16px 40px; }
header h1 { font-size: 1.6rem; line-height: 1.25; margin: 8px 0 4px; overflow-wrap: anywhere; }
.sub { color: var(--muted); margin: 0 0 8px; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
nav.toc { margin: 8px 0 4px; font-size: .875rem; }
nav.toc ul { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 4px 14px; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
.banner { border: 1px solid var(--warn); border-left-width: 5px; background: var(--warn-bg);
  padding: 10px 14px; margin: 14px 0; border-radius: 6px; }
.banner.error { border-color: var(--err); background: var(--err-bg); }
.banner strong { display: block; margin-bottom: 2px; }
.banner ul { margin: 6px 0 0; padding-left: 20px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; margin: 8px 0 16px; }
.kpi { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; background: var(--soft); min-width: 0; }
.kpi .label { color: var(--muted); font-size: .8rem; }
.kpi .value { font-size: 1.3rem; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.kpi .note { color: var(--muted); font-size: .75rem; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 3px 18px; margin: 0 0 12px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 10px 0 14px; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: .875rem; font-variant-numeric: tabular-nums; }
.caption { color: var(--muted); font-size: .825rem; margin: 10px 0 -4px; max-width: 80ch; contain: inline-size; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.wide { min-width: 12em; max-width: 24em; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .85em;
  overflow-wrap: anywhere; }
dd code { overflow-wrap: anywhere; }
td code { overflow-wrap: normal; }
figure { margin: 10px 0 18px; min-width: 0; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .825rem; margin-top: 4px; max-width: 80ch; contain: inline-size; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 360px), 1fr)); gap: 8px 24px;
  align-items: start; }
.row { display: flex; flex-wrap: wrap; gap: 8px 36px; align-items: flex-start; }
.row > .cell { flex: 1 1 auto; min-width: 0; max-width: 100%; }
.row > .cell-facts { flex: 1 1 520px; }
.missing { color: var(--muted); font-style: italic; }
pre { background: var(--soft); padding: 10px; border-radius: 6px; font-size: .8rem; white-space: pre-wrap;
  overflow-wrap: anywhere; }
ul.items { padding-left: 20px; }
ul.items li { overflow-wrap: anywhere; }
footer { color: var(--muted); font-size: .8rem; margin-top: 36px; padding-top: 8px; border-top: 1px solid var(--line); }
@media (max-width: 560px) {
  body { font-size: 14px; }
  main { padding: 12px 12px 32px; }
  dl.facts { grid-template-columns: minmax(0, 1fr); gap: 0; }
  dl.facts dt { margin-top: 6px; font-weight: 600; color: var(--fg); }
  .kpis { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, tr, .kpi, .banner { break-inside: avoid; page-break-inside: avoid; }
  .table-wrap { overflow: visible; }
  table { font-size: 8pt; }
  td.wide { max-width: none; }
  a { color: inherit; text-decoration: none; }
  .banner, .kpi, thead th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { margin: 14mm; }
}
`;

function cellText(c: Cell): string {
  return typeof c === 'string' ? c : c.text;
}

function cellHtml(c: Cell): string {
  if (typeof c === 'string') return escapeHtml(c);
  let inner = escapeHtml(c.text);
  if (c.code) inner = `<code>${inner}</code>`;
  if (c.strong) inner = `<strong>${inner}</strong>`;
  return inner;
}

function valueAttr(c: Cell): string {
  return typeof c !== 'string' && c.value !== undefined ? ` data-value="${escapeHtml(String(c.value))}"` : '';
}

function bannerHtml(b: Banner): string {
  const items = b.items.length > 0 ? `<ul>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : '';
  return `<div class="banner ${b.level}" role="${b.level === 'error' ? 'alert' : 'status'}"><strong>${escapeHtml(b.title)}</strong>${escapeHtml(b.text)}${items}</div>`;
}

async function blockHtml(b: Block): Promise<string> {
  switch (b.kind) {
    case 'kpis':
      return `<div class="kpis">${b.items
        .map(
          (k) =>
            `<div class="kpi"><div class="label">${escapeHtml(k.label)}</div><div class="value"${valueAttr(k.value)}>${cellHtml(k.value)}</div>${k.note ? `<div class="note">${escapeHtml(k.note)}</div>` : ''}</div>`,
        )
        .join('')}</div>`;
    case 'facts':
      return `<dl class="facts">${b.rows.map((r) => `<dt>${escapeHtml(r.label)}</dt><dd${valueAttr(r.value)}>${cellHtml(r.value)}</dd>`).join('')}</dl>`;
    case 'text':
      return `<p${b.muted ? ' class="missing"' : ''}>${escapeHtml(b.text)}</p>`;
    case 'missing':
      return `<p class="missing">${escapeHtml(b.text)}</p>`;
    case 'list':
      return `<ul class="items">${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
    case 'pre':
      return `${b.caption ? `<p class="missing">${escapeHtml(b.caption)}</p>` : ''}<pre>${escapeHtml(b.text)}</pre>`;
    case 'table': {
      const wide = b.rows.map((row) => row.map((c) => cellText(c).length > 30));
      const head = b.header
        .map((h, i) => `<th scope="col"${b.numeric[i] ? ' class="num"' : ''}>${escapeHtml(h)}</th>`)
        .join('');
      const rows = b.rows
        .map(
          (row, r) =>
            `<tr>${row
              .map((c, i) => {
                const cls = b.numeric[i] ? 'num' : wide[r]?.[i] ? 'wide' : '';
                return `<td${cls ? ` class="${cls}"` : ''}${valueAttr(c)}>${cellHtml(c)}</td>`;
              })
              .join('')}</tr>`,
        )
        .join('\n');
      // The caption before the table's scrolling box, so that it wraps to the screen, not the table.
      return `${b.caption ? `<p class="caption">${escapeHtml(b.caption)}</p>` : ''}<div class="table-wrap"><table data-table="${escapeHtml(b.name)}"><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
    }
    case 'row': {
      const parts: string[] = [];
      for (const inner of b.blocks) parts.push(`<div class="cell cell-${inner.kind}">${await blockHtml(inner)}</div>`);
      return `<div class="row">${parts.join('')}</div>`;
    }
    case 'charts': {
      const figures: string[] = [];
      for (const c of b.charts) {
        const svg = await renderSvg(c.spec, { idPrefix: c.id });
        figures.push(
          `<figure class="chart" id="chart-${c.id}" data-chart="${c.id}" data-marks="${escapeHtml(JSON.stringify(c.marks))}">${svg.replace(/^<svg /, `<svg aria-label="${escapeHtml(c.description)}" `)}<figcaption>${escapeHtml(c.description)}</figcaption></figure>`,
        );
      }
      return b.charts.length > 1 ? `<div class="charts">${figures.join('')}</div>` : figures.join('');
    }
  }
}

async function sectionHtml(s: Section): Promise<string> {
  const blocks: string[] = [];
  for (const b of s.blocks) blocks.push(await blockHtml(b));
  return `<section id="${escapeHtml(s.id)}">\n<h2>${escapeHtml(s.title)}</h2>\n${blocks.join('\n')}\n</section>`;
}

/** The page of a report's content. */
export async function contentHtml(c: ReportContent): Promise<string> {
  const sections: string[] = [];
  for (const s of c.sections) sections.push(await sectionHtml(s));
  const toc = c.sections.map((s) => `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a></li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="generator" content="${escapeHtml(c.generator)}">
<title>${escapeHtml(c.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(c.title)}</h1>
<p class="sub">${escapeHtml(c.subtitle)}</p>
<nav class="toc" aria-label="Contents"><ul>${toc}</ul></nav>
</header>
${c.banner ? bannerHtml(c.banner) : ''}
${sections.join('\n')}
<footer>Made by ${escapeHtml(c.generator)} from the run folder's experiment.json, leaderboard.csv and test-predictions.csv. One file: it needs no network and no server.</footer>
</main>
</body>
</html>
`;
}

/**
 * A run's report as one self-contained HTML page.
 *
 * @example
 * await writeFileAtomic('report.html', await renderHtml(await loadRun('experiments/runs/cool')));
 */
export async function renderHtml(report: RunReport): Promise<string> {
  return contentHtml(reportContent(report));
}
