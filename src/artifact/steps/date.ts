/**
 * `date`: a date or date-time of a text input field, as numeric parts of its UTC instant. The
 * grammar (ASCII digits only, so that every runtime reads the same values):
 *
 *   iso  YYYY-M[M]-D[D][TIME]
 *   dmy  D[D]S M[M]S YYYY[TIME]      S one of / . - (the same both times)
 *   mdy  M[M]S D[D]S YYYY[TIME]
 *   TIME (T|t|space) h[h]:mm[:ss[(.|,)f…]] [optional space] [ZONE]   (1 to 9 fraction digits)
 *   ZONE Z | z | ±hh | ±hhmm | ±hh:mm
 *
 * with spaces and tabs around the value ignored. A value without a zone is read as UTC; with a
 * zone, it is converted to UTC (`2024-03-01T01:30+02:00` is 2024-02-29T23:30Z: day 29, hour 23).
 * Month 1–12, day 1 to the month's length (leap years as the Gregorian calendar has them, also
 * before 1582), hour 0–23, minute and second 0–59, zone hours 0–23 and minutes 0–59; anything
 * else does not parse. A missing value (null) or one that does not parse is NaN in every output.
 *
 * The arithmetic is exact: whole seconds are integers (no rounding below year 285 000), the
 * fraction is the decimal `0.f…` read as a float64, and `epoch_days` is
 * `(seconds since 1970-01-01T00:00:00Z + fraction) / 86400`, one addition and one division.
 */
import type { DatePart, DateStep } from '../format/features.js';
import { describe, type PreparedStep, type StepCheck } from './check.js';

/** Every part a date step can write, in the order a step lists them. */
export const DATE_PARTS: readonly DatePart[] = ['year', 'month', 'day', 'weekday', 'hour', 'yday', 'epoch_days'];
export const DATE_FORMATS: readonly DateStep['format'][] = ['iso', 'dmy', 'mdy'];

const TIME =
  '(?:[Tt ]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)? ?(Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?';
const ISO = new RegExp(`^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})${TIME}$`);
const SLASHED = new RegExp(`^([0-9]{1,2})([/.-])([0-9]{1,2})\\2([0-9]{4})${TIME}$`);

/** A parsed instant: whole seconds since 1970-01-01T00:00:00Z, and the fraction of a second. */
export interface Instant {
  readonly seconds: number;
  readonly fraction: number;
}

/** Days from 1970-01-01 to the proleptic Gregorian date y-m-d (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date [year, month, day] of a day number (days since 1970-01-01; civil_from_days). */
export function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function monthLength(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Spaces and tabs around a value are ignored (only these: every runtime trims the same). */
function trimBlanks(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s[a] === ' ' || s[a] === '\t')) a++;
  while (b > a && (s[b - 1] === ' ' || s[b - 1] === '\t')) b--;
  return s.slice(a, b);
}

/** The UTC instant of a value written in `format`, or null when it does not parse. */
export function parseInstant(value: string, format: DateStep['format']): Instant | null {
  const text = trimBlanks(value);
  let y: number, mo: number, d: number, t: number;
  let m: RegExpExecArray | null;
  if (format === 'iso') {
    m = ISO.exec(text);
    if (!m) return null;
    y = Number(m[1]);
    mo = Number(m[2]);
    d = Number(m[3]);
    t = 4;
  } else {
    m = SLASHED.exec(text);
    if (!m) return null;
    const a = Number(m[1]);
    const b = Number(m[3]);
    [d, mo] = format === 'dmy' ? [a, b] : [b, a];
    y = Number(m[4]);
    t = 5;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > monthLength(y, mo)) return null;
  const h = m[t] === undefined ? 0 : Number(m[t]);
  const mi = m[t + 1] === undefined ? 0 : Number(m[t + 1]);
  const s = m[t + 2] === undefined ? 0 : Number(m[t + 2]);
  const fraction = m[t + 3] === undefined ? 0 : Number(`0.${m[t + 3]}`);
  if (h > 23 || mi > 59 || s > 59) return null;
  let offset = 0;
  const zone = m[t + 4];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const zh = Number(zone.slice(1, 3));
    const zm = zone.length > 3 ? Number(zone.slice(zone.length - 2)) : 0;
    if (zh > 23 || zm > 59) return null;
    offset = (zone[0] === '-' ? -1 : 1) * (zh * 3600 + zm * 60);
  }
  return { seconds: daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset, fraction };
}

/** Every part of an instant, in the order of {@link DATE_PARTS}. */
export function instantParts(at: Instant): number[] {
  const day = Math.floor(at.seconds / 86400);
  const secondOfDay = at.seconds - day * 86400;
  const [y, m, d] = civilFromDays(day);
  return [
    y,
    m,
    d,
    (((day % 7) + 7 + 3) % 7) as number,
    Math.floor(secondOfDay / 3600),
    day - daysFromCivil(y, 1, 1) + 1,
    (at.seconds + at.fraction) / 86400,
  ];
}

export function prepareDate(step: DateStep, { where, strings, textField, textStep }: StepCheck): PreparedStep {
  const column = textField('column');
  const format = step.format;
  if (!DATE_FORMATS.includes(format))
    throw new TypeError(`${where}: format must be one of ${DATE_FORMATS.join(', ')}, got ${describe(format)}`);
  const parts = strings('parts');
  if (parts.length === 0) throw new TypeError(`${where}: parts must not be empty`);
  const index = parts.map((p, i) => {
    const k = DATE_PARTS.indexOf(p as DatePart);
    if (k < 0) throw new TypeError(`${where}: parts[${i}] must be one of ${DATE_PARTS.join(', ')}, got '${p}'`);
    return k;
  });
  for (let i = 1; i < index.length; i++)
    if (index[i]! <= index[i - 1]!)
      throw new TypeError(
        `${where}: parts must be in the order ${DATE_PARTS.join(', ')}; '${parts[i]}' is out of place`,
      );
  const outputs = strings('outputs', parts.length);
  return textStep(column, outputs, NaN, (v, r, outs) => {
    const at = parseInstant(v, format);
    if (!at) return;
    const all = instantParts(at);
    for (let j = 0; j < index.length; j++) outs[j]![r] = all[index[j]!]!;
  });
}
