/**
 * `automl report [NAME|DIR]`: a run's report, in the terminal (default), as one HTML file, or as
 * Markdown with its charts beside it; `--all` writes an index page of every run with a report per
 * run. The newest run by default. Files are written to a temporary name and renamed into place.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listRuns, loadRun, runsDirOf, RUN_FILES, type RunReport } from '../report/load.js';
import { terminalReport } from '../report/terminal.js';
import { DEFAULT_WIDTH, PLAIN, terminalWidth } from '../report/text.js';
import { AutomlError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import type { Output } from './output.js';

/** The report's formats. */
export const REPORT_FORMATS = ['terminal', 'html', 'markdown'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportArgs {
  run?: string;
  format?: string;
  out?: string;
  open?: boolean;
  dir?: string;
  all?: boolean;
}

/** Run names listed in a message, at most. */
const NAMES_SHOWN = 12;

export async function reportCommand(args: ReportArgs, out: Output): Promise<void> {
  const format = (args.format ?? (args.all ? 'html' : 'terminal')) as ReportFormat;
  if (!(REPORT_FORMATS as readonly string[]).includes(format))
    throw new AutomlError('BAD_OPTION', `--format must be ${REPORT_FORMATS.join(', ')}; got ${format}`);
  const project = resolve(args.dir ?? '.');
  const runsDir = runsDirOf(project);

  if (args.all) {
    if (args.run !== undefined)
      throw new AutomlError('BAD_OPTION', `--all reports every run: leave out the run name (${args.run})`);
    if (format !== 'html')
      throw new AutomlError(
        'BAD_OPTION',
        `--all writes HTML pages (an index and a page per run); --format ${format} is for one run`,
      );
    const outDir = resolve(args.out ?? join(project, 'experiments', 'reports'));
    const written = await writeAll(runsDir, outDir);
    out.result({ files: written });
    for (const f of written.slice(0, 1)) out.info(f);
    out.note(`wrote ${written.length - 1} run report${written.length === 2 ? '' : 's'} and ${written[0]}`);
    if (args.open) await openFile(written[0]!, out);
    return;
  }

  const report = await resolveRun(args.run, runsDir);
  if (format === 'terminal') {
    if (args.out) {
      const lines = terminalReport(report, { width: DEFAULT_WIDTH });
      const file = resolve(args.out);
      await writeFileAtomic(file, `${lines.join('\n')}\n`);
      out.result({ files: [file] });
      out.info(file);
      if (args.open) await openFile(file, out);
      return;
    }
    out.result(jsonReport(report));
    // Bold only when stdout itself is a terminal (not `automl report > file` from one).
    const style = process.stdout.isTTY ? out : PLAIN;
    for (const l of terminalReport(report, { width: terminalWidth(process.stdout), style })) out.info(l);
    if (args.open) out.note('automl report: --open opens a file: give --format html (or --out FILE)');
    return;
  }
  let files: string[];
  if (format === 'html') {
    const { renderHtml } = await import('../report/html.js');
    const file = resolve(args.out ?? join(report.dir, 'report.html'));
    await writeFileAtomic(file, await renderHtml(report));
    files = [file];
  } else {
    const { writeMarkdown } = await import('../report/markdown.js');
    files = await writeMarkdown(report, resolve(args.out ?? join(report.dir, 'report.md')));
  }
  out.result({ files });
  out.info(files[0]);
  if (files.length > 1) out.note(`and ${files.length - 1} chart file${files.length === 2 ? '' : 's'} beside it`);
  if (args.open && files[0]) await openFile(files[0], out);
}

/**
 * The run to report: by name under the runs folder, else as a folder path; the newest run when
 * none is named. A user's mistake (no such run, not a run folder, no runs) is an AutomlError that
 * names the runs folder and lists what it holds.
 */
export async function resolveRun(arg: string | undefined, runsDir: string): Promise<RunReport> {
  if (arg === undefined) {
    const runs = await listRuns(runsDir, { predictions: false });
    // The newest run whose experiment.json is readable; else the newest (damaged) run.
    const newest = runs.find((r) => r.isRun && r.status !== 'damaged') ?? runs.find((r) => r.isRun);
    if (!newest)
      throw new AutomlError(
        'FILE_NOT_FOUND',
        `no runs in ${runsDir}; make one with automl run, or name a run folder (automl report DIR) or another working folder (--dir)`,
      );
    return loadRun(newest.dir);
  }
  const byName = join(runsDir, arg);
  const dir = isDir(byName) ? byName : isDir(resolve(arg)) ? resolve(arg) : undefined;
  if (!dir) {
    const runs = (await listRuns(runsDir, { predictions: false })).filter((r) => r.isRun).map((r) => r.name);
    const there =
      runs.length === 0
        ? 'it holds no runs'
        : `the runs there: ${runs.slice(0, NAMES_SHOWN).join(', ')}${runs.length > NAMES_SHOWN ? `, and ${runs.length - NAMES_SHOWN} more (automl list)` : ''}`;
    throw new AutomlError('FILE_NOT_FOUND', `no run '${arg}' in ${runsDir} and no folder ${resolve(arg)}; ${there}`);
  }
  const report = await loadRun(dir);
  if (!report.isRun)
    throw new AutomlError(
      'NOT_A_FILE',
      `${dir} is not a run folder: it holds none of ${Object.values(RUN_FILES).join(', ')}; see automl list`,
    );
  return report;
}

/** `--all`: a page per run (DIR/<name>.html), then DIR/index.html; returns the files, the index first. */
async function writeAll(runsDir: string, outDir: string): Promise<string[]> {
  const [{ renderHtml }, { renderIndex }] = await Promise.all([
    import('../report/html.js'),
    import('../report/index-page.js'),
  ]);
  const reports = await listRuns(runsDir);
  const pages = new Map<RunReport, string>();
  for (const r of reports) {
    if (!r.isRun) continue;
    const file = join(outDir, `${r.name}.html`);
    await writeFileAtomic(file, await renderHtml(r));
    pages.set(r, `${encodeURIComponent(r.name)}.html`);
  }
  const index = join(outDir, 'index.html');
  await writeFileAtomic(
    index,
    renderIndex(reports, (r) => pages.get(r) ?? ''),
  );
  return [index, ...[...pages.keys()].map((r) => join(outDir, `${r.name}.html`))];
}

/** `--json` with the terminal format: the report without the per-row predictions and the log. */
function jsonReport(r: RunReport): Record<string, unknown> {
  const { testPredictions: _p, log: _l, ...rest } = r;
  return rest;
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** The platform's program that opens a file with its default application. */
export function openerFor(platform: NodeJS.Platform, file: string): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [file] };
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', file] };
  return { command: 'xdg-open', args: [file] };
}

/**
 * Opens a file with the platform's opener. Never fails the command: when there is no opener, or it
 * fails, a note says so and where the file is.
 */
export async function openFile(file: string, out: Output, platform: NodeJS.Platform = process.platform): Promise<void> {
  const { command, args } = openerFor(platform, file);
  const outcome = await new Promise<string | null>((resolvePromise) => {
    let child;
    try {
      child = spawn(command, args, { stdio: 'ignore', detached: true });
    } catch (e) {
      resolvePromise(`${command} could not start (${(e as Error).message})`);
      return;
    }
    const timer = setTimeout(() => {
      child.unref();
      resolvePromise(null);
    }, 5000);
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolvePromise(e.code === 'ENOENT' ? `no ${command} on this system` : `${command} failed (${e.message})`);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolvePromise(code === 0 || code === null ? null : `${command} exited with code ${code}`);
    });
  });
  if (outcome === null) out.note(`opened ${file} with ${command}`);
  else out.note(`automl report: cannot open it (${outcome}); open ${file} yourself`);
}
