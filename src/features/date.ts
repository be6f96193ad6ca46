import type { DatePart, DateStep } from '../artifact/format/features.js';
import { DATE_FORMATS, DATE_PARTS, instantParts, parseInstant } from '../artifact/steps/index.js';
import { columnKind } from '../data/kinds.js';
import { badTransform, requestColumn } from './options.js';
import type { Transform } from './types.js';

/**
 * Fits a date step: the format (the request's, or detected from the values as `automl run`
 * detects date columns), and the parts that vary over the training rows (a part with one value,
 * such as the hour of a column of plain dates, is left out; `epoch_days` is kept when every part
 * is constant). Output names: `year(d)`, `month(d)`, `day(d)`, `weekday(d)`, `hour(d)`, `yday(d)`,
 * `epoch_days(d)`.
 *
 * @example
 * fitDate(['2024-03-01', '2024-04-15', null], 'd');
 * // { kind: 'date', column: 'd', format: 'iso', parts: ['month', 'day', 'weekday', 'yday', 'epoch_days'], outputs: [...] }
 */
export function fitDate(values: readonly (string | null)[], name: string, format?: DateStep['format']): DateStep {
  const fmt = format ?? detectFormat(values, name);
  const first = new Float64Array(DATE_PARTS.length).fill(NaN);
  const varies = new Array<boolean>(DATE_PARTS.length).fill(false);
  for (const v of values) {
    if (v === null) continue;
    const at = parseInstant(v, fmt);
    if (!at) continue;
    instantParts(at).forEach((x, k) => {
      if (first[k] !== first[k]) first[k] = x;
      else if (x !== first[k]) varies[k] = true;
    });
  }
  let parts: DatePart[] = DATE_PARTS.filter((_, k) => varies[k]);
  if (parts.length === 0) parts = ['epoch_days'];
  return { kind: 'date', column: name, format: fmt, parts, outputs: parts.map((p) => `${p}(${name})`) };
}

function detectFormat(values: readonly (string | null)[], name: string): DateStep['format'] {
  const levels = [...new Set(values.filter((v): v is string => v !== null))];
  const index = new Map(levels.map((l, i) => [l, i]));
  const codes = Int32Array.from(values, (v) => (v === null ? -1 : index.get(v)!));
  const { kind, note } = columnKind({ name, type: 'categorical', codes, levels });
  if (kind?.kind === 'date') return kind.format;
  throw badTransform(
    'date',
    name,
    note ?? `its values are not dates in a format automl reads (${DATE_FORMATS.join(', ')}); give 'format'`,
  );
}

export const dateTransform: Transform<'date'> = {
  kind: 'date',
  description: 'date/time text: year, month, day, weekday, hour, day of year, days since 1970 (UTC)',
  fit(request, ctx) {
    const column = requestColumn(request);
    const format = request.format;
    if (format !== undefined && !DATE_FORMATS.includes(format))
      throw badTransform(
        'date',
        column,
        `'format' must be one of ${DATE_FORMATS.join(', ')}, got ${JSON.stringify(format)}`,
      );
    return { step: fitDate(ctx.text(column), column, format) };
  },
};
