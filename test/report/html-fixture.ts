/**
 * Helpers for the tests of the document reports (HTML, Markdown, the index page): counting the
 * marks vega drew in an SVG, finding URLs in a page, reading the exact numbers a page shows.
 */

/** The leaf elements (paths, texts, lines) in the mark groups named `name` (Vega-Lite: `<name>_marks`). */
export function countMarks(svg: string, name: string): number {
  const group = new RegExp(`<g class="mark-[a-z]+ role-mark ${name}_marks"[^>]*>(.*?)</g>`, 'gs');
  let n = 0;
  for (const m of svg.matchAll(group)) n += (m[1]!.match(/<(path|text|line)\b/g) ?? []).length;
  return n;
}

/** The texts drawn by the mark groups named `name`, in order. */
export function markTexts(svg: string, name: string): string[] {
  const group = new RegExp(`<g class="mark-text role-mark ${name}_marks"[^>]*>(.*?)</g>`, 'gs');
  const out: string[] = [];
  for (const m of svg.matchAll(group)) for (const t of m[1]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)) out.push(t[1]!);
  return out;
}

/** Every http(s) URL in a text, but the XML namespaces an SVG names itself with (which nothing loads). */
export function urlsIn(text: string): string[] {
  const all = [...text.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
  return all.filter((u) => u !== 'http://www.w3.org/2000/svg' && u !== 'http://www.w3.org/1999/xlink');
}

/** The SVG of one chart's figure in a report page (`data-chart="id"`); undefined when absent. */
export function figureSvg(html: string, id: string): string | undefined {
  const m = new RegExp(`<figure class="chart" id="chart-${id}"[^>]*>(<svg.*?</svg>)`, 's').exec(html);
  return m?.[1];
}

/** The rows of the table `data-table="name"`: per row the cells' exact values (data-value) or texts. */
export function tableRows(html: string, name: string): { text: string; value: number | null }[][] {
  const m = new RegExp(`<table data-table="${name}">.*?<tbody>(.*?)</tbody>`, 's').exec(html);
  if (!m) return [];
  return [...m[1]!.matchAll(/<tr>(.*?)<\/tr>/gs)].map((row) =>
    [...row[1]!.matchAll(/<td([^>]*)>(.*?)<\/td>/gs)].map((cell) => {
      const v = /data-value="([^"]*)"/.exec(cell[1]!);
      return { text: unescape(cell[2]!.replace(/<[^>]+>/g, '')), value: v ? Number(v[1]) : null };
    }),
  );
}

/** HTML text back to plain text (the five entities the reports write). */
export function unescape(html: string): string {
  return html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
