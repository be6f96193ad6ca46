/**
 * The index page of `automl report --all`: every run in one table (name, target, task, status,
 * validation and test score, winner, elapsed time, date), newest first as given, each linking to
 * its report; a damaged run, or a folder that is not a run, is listed as such with what is wrong.
 * One self-contained HTML file, as the reports are.
 */
import { escapeHtml, REPORT_CSS } from './html.js';
import type { RunReport } from './load.js';
import { fmtDate } from './sections.js';
import { runSummary } from './summary.js';
import { fmt, fmtSeconds } from './text.js';
import { packageVersion } from '../util/paths.js';

const INDEX_CSS = `
td.status span { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: .8rem; white-space: nowrap; }
.s-finished { background: #dafbe1; color: #116329; }
.s-interrupted, .s-running { background: #fff8c5; color: #7d4e00; }
.s-failed, .s-damaged { background: #ffebe9; color: #a40e26; }
.s-not-a-run { background: #eaeef2; color: #57606a; }
td .problem { display: block; color: var(--muted); font-size: .8rem; white-space: normal; min-width: 16em; }
`;

/**
 * The index page of runs: one line per run, the name linking to `hrefOf(run)` (no link when it
 * returns an empty string).
 *
 * @example
 * const runs = await listRuns(runsDirOf('.'));
 * await writeFileAtomic('reports/index.html', renderIndex(runs, (r) => `${encodeURIComponent(r.name)}.html`));
 */
export function renderIndex(reports: readonly RunReport[], hrefOf: (r: RunReport) => string): string {
  const rows = reports.map((r) => {
    const x = runSummary(r);
    const problems = x.status === 'damaged' || x.status === 'not a run' ? x.problems : [];
    const href = hrefOf(r);
    const name = href ? `<a href="${escapeHtml(href)}">${escapeHtml(x.name)}</a>` : escapeHtml(x.name);
    const problemsHtml = problems.map((p) => `<span class="problem">${escapeHtml(p)}</span>`).join('');
    const score = (v: number | null): string =>
      v === null ? '<td class="num">–</td>' : `<td class="num" data-value="${v}">${escapeHtml(fmt(v))}</td>`;
    return `<tr data-run="${escapeHtml(x.name)}" data-status="${escapeHtml(x.status)}"><td>${name}</td><td>${escapeHtml(x.target ?? '–')}</td><td>${escapeHtml(x.task ?? '–')}</td><td class="status"><span class="s-${x.status.replace(/ /g, '-')}">${escapeHtml(x.status)}</span>${problemsHtml}</td><td>${escapeHtml(x.metric ?? '–')}</td>${score(x.validation)}${score(x.test)}<td>${escapeHtml(x.winner ?? '–')}</td><td class="num">${x.elapsedSeconds === null ? '–' : escapeHtml(fmtSeconds(x.elapsedSeconds))}</td><td class="num">${escapeHtml(fmtDate(new Date(x.date)))}</td></tr>`;
  });
  const body =
    reports.length === 0
      ? '<p class="missing">No runs yet: make one with automl run.</p>'
      : `<div class="table-wrap"><table data-table="runs"><thead><tr><th scope="col">run</th><th scope="col">target</th><th scope="col">task</th><th scope="col">status</th><th scope="col">metric</th><th scope="col" class="num">validation</th><th scope="col" class="num">test</th><th scope="col">winner</th><th scope="col" class="num">elapsed</th><th scope="col" class="num">date</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
  const n = reports.filter((r) => r.isRun).length;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Experiments</title>
<style>${REPORT_CSS}${INDEX_CSS}</style>
</head>
<body>
<main>
<header>
<h1>Experiments</h1>
<p class="sub">${n} run${n === 1 ? '' : 's'}, newest first; each name opens its report. Scores: validation out of fold and test, in the metric each search ranked by.</p>
</header>
${body}
<footer>Made by automl ${escapeHtml(packageVersion())}. One file per page: no network, no server.</footer>
</main>
</body>
</html>
`;
}
