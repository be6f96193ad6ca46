import { parseEncoding, readCsv, type DecimalMark } from '../data/csv.js';
import { describeTable } from '../data/describe.js';
import { columnKind } from '../data/kinds.js';
import { embeddedDataPath } from './embedded.js';
import { autoDrop, inferTarget, type AutoDrop, type TaskRequest } from '../data/infer.js';
import { parseDelimiterOption, parseTypeOption } from './args.js';
import { inFile } from '../util/errors.js';
import { recipeForColumns } from '../../recipes/index.js';
import { formatTable, type Output } from './output.js';

export interface DescribeArgs {
  data?: string;
  delimiter?: string;
  encoding?: string;
  decimal?: string;
  type?: string[];
  target?: string;
  task: TaskRequest;
}

export async function describeCommand(args: DescribeArgs, out: Output): Promise<void> {
  const data = args.data ?? embeddedDataPath();
  const shown = args.data ?? 'the embedded hydraulic data';
  const table = await readCsv(data, {
    delimiter: parseDelimiterOption(args.delimiter),
    encoding: parseEncoding(args.encoding),
    decimal: args.decimal as DecimalMark | undefined,
    types: parseTypeOption(args.type),
    onNote: (note) => out.note(note),
  });
  const columns = describeTable(table);
  let target: { name: string; task: string; classes?: { label: string; count: number }[] } | undefined;
  if (args.target !== undefined) {
    const info = inFile(shown, () => inferTarget(table.column(args.target!), args.task));
    const counts = new Array<number>(info.classes?.length ?? 0).fill(0);
    for (const k of info.y) if (k >= 0 && info.classes) counts[k]!++;
    target = info.classes
      ? { name: args.target, task: info.task, classes: info.classes.map((label, i) => ({ label, count: counts[i]! })) }
      : { name: args.target, task: info.task };
  }
  // A table made by a recipe (the embedded one included): its label columns are not features.
  const recipe = recipeForColumns(table.names);
  const labels = new Set(recipe?.labels ?? []);
  // What `automl run` would drop before its search (but for the target, and the recipe's labels).
  const drops = new Map<string, AutoDrop>();
  for (const c of table.columns) {
    if (c.name === args.target || labels.has(c.name)) continue;
    const d = autoDrop(c);
    if (d) drops.set(c.name, d);
  }
  // Date and free-text columns, as `automl run` reads them (with its default --date-format).
  const kinds = new Map<string, string>();
  const kindNotes: string[] = [];
  for (const c of table.columns) {
    if (c.name === args.target || labels.has(c.name) || drops.has(c.name)) continue;
    const k = columnKind(c);
    if (k.kind) kinds.set(c.name, k.kind.kind === 'date' ? `date (${k.kind.format})` : 'text');
    if (k.note) kindNotes.push(k.note);
  }
  out.result({
    data,
    kinds: Object.fromEntries(kinds),
    rows: table.nRows,
    sha256: table.source?.sha256,
    recipe: recipe?.name ?? null,
    labels: [...labels],
    columns,
    dropped: [...drops].map(([column, d]) => ({ column, kind: d.kind, reason: d.reason })),
    target,
  });

  const d = table.source?.delimiter === '\t' ? 'tab' : `'${table.source?.delimiter ?? ','}'`;
  out.info(
    `${out.bold(shown)}: ${table.nRows} rows × ${table.columns.length} columns (delimiter ${d}, sha256 ${table.source?.sha256.slice(0, 12) ?? ''}…)`,
  );
  out.info();
  const num = (v: number | null): string => (v === null ? '' : fmt(v));
  out.info(
    formatTable(
      ['column', 'type', 'role', 'missing', 'distinct', 'min', 'mean', 'median', 'max', 'std / top levels'],
      columns.map((c) => {
        const role = labels.has(c.name) ? 'label' : (drops.get(c.name)?.kind ?? 'feature');
        return c.type === 'numeric'
          ? [
              c.name,
              c.type,
              role,
              String(c.missing),
              String(c.distinct),
              num(c.min),
              num(c.mean),
              num(c.median),
              num(c.max),
              num(c.std),
            ]
          : [
              c.name,
              kinds.get(c.name) ?? c.type,
              role,
              String(c.missing),
              String(c.distinct),
              '',
              '',
              '',
              '',
              c.top.map((t) => `${t.level} (${t.count})`).join(', '),
            ];
      }),
      [false, false, false, true, true, true, true, true, true, false],
    ),
  );
  for (const note of kindNotes) out.info(note);
  if (recipe) {
    out.info();
    out.info(
      `The ${recipe.name} recipe's label columns (${[...labels].join(', ')}): an experiment on one of them never uses the others as features.`,
    );
  }
  if (drops.size > 0) {
    out.info();
    out.info(
      `automl run drops ${drops.size === 1 ? 'this column' : `these ${drops.size} columns`} (--keep-column keeps one):`,
    );
    for (const [column, d] of drops) out.info(`  ${column}: ${d.reason}`);
  }
  if (target) {
    out.info();
    const classes = target.classes
      ? `, ${target.classes.length} classes: ${target.classes.map((c) => `${c.label} (${c.count})`).join(', ')}`
      : '';
    out.info(`target ${out.bold(target.name)}: ${target.task}${classes}`);
  }
}

/** Numbers for a terminal table: 6 significant digits, no exponent for ordinary magnitudes. */
export function fmt(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}
