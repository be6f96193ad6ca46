/**
 * The hydraulic archive, read: profile.txt gives the cycles and their labels, then each sensor
 * file is streamed line by line and reduced to per-cycle statistics. Memory holds one line of
 * samples and the per-cycle results, never a whole file.
 */
import type { Entry } from 'yauzl';
import type { RecipeProgress } from '../types.js';
import { locateFiles, openArchive, readLines, type ZipArchive } from './archive.js';
import { parseDecimal } from './decimal.js';
import {
  cycleCount,
  emptyLine,
  noCycles,
  notNumeric,
  profileFields,
  profileNotInteger,
  sampleCount,
  type ArchiveLabel,
} from './messages.js';
import { CYCLE_SECONDS, HYDRAULIC_LABELS, HYDRAULIC_SENSORS, PROFILE_FILE, type SensorSpec } from './schema.js';
import { computeStat, statColumn, type StatName } from './stats.js';

/** The recipe's table before it is written: feature columns, then label columns, one row per cycle. */
export interface CycleTable {
  readonly cycles: number;
  /** Feature column names: grouped by statistic in the order asked, sensors in standard order. */
  readonly featureNames: readonly string[];
  /** One array per feature column, `cycles` long. */
  readonly features: readonly Float64Array[];
  readonly labelNames: readonly string[];
  /** One array per label column (integers), `cycles` long. */
  readonly labels: readonly Float64Array[];
}

export interface ReadArchiveOptions {
  readonly label: ArchiveLabel;
  /** Statistics per sensor and cycle, in column-group order (default: mean). */
  readonly stats?: readonly StatName[];
  readonly progress?: RecipeProgress;
}

/**
 * The feature column names for a list of statistics: grouped by statistic in the order given,
 * the 17 sensors in standard order within each group.
 *
 * @example
 * featureColumns(['mean', 'std']).slice(16, 18); // ['eff_fact_pct', 'psa_bar_std']
 */
export function featureColumns(stats: readonly StatName[]): string[] {
  return stats.flatMap((stat) => HYDRAULIC_SENSORS.map((s) => statColumn(s.column, stat)));
}

/**
 * Reads a hydraulic archive (the UCI zip, or one in the same format) into per-cycle
 * statistics and labels, checking its structure on the way: every file present, one line per
 * cycle in every file, the right number of samples per line, every sample a number, five
 * integer labels per profile line, each entry's CRC-32. Any fault is an AutomlError naming
 * the file and line.
 *
 * @example
 * const t = await readHydraulicArchive('data.zip', { label: { name: 'data.zip' }, stats: ['mean', 'max'] });
 * t.cycles; // 2205
 */
export async function readHydraulicArchive(path: string, opts: ReadArchiveOptions): Promise<CycleTable> {
  const stats = opts.stats ?? ['mean'];
  const archive = await openArchive(path, opts.label);
  let reading = false;
  try {
    const entries = locateFiles(archive, [PROFILE_FILE, ...HYDRAULIC_SENSORS.map((s) => s.file)]);
    const profileEntry = entries[0]!;
    const total = entries.reduce((n, e) => n + e.uncompressedSize, 0);
    let done = 0;
    const onBytes = (file: string) => (bytes: number) => {
      done += bytes;
      opts.progress?.readProgress?.(done, file);
    };
    opts.progress?.readStart?.(total);
    reading = true;
    const labels = await readProfile(archive, profileEntry, onBytes(PROFILE_FILE));
    const cycles = labels[0]!.length;

    const perSensor: Float64Array[][] = [];
    for (let k = 0; k < HYDRAULIC_SENSORS.length; k++) {
      const sensor = HYDRAULIC_SENSORS[k]!;
      const reference = { entry: profileEntry.fileName, cycles };
      perSensor.push(await readSensor(archive, entries[k + 1]!, sensor, stats, reference, onBytes(sensor.file)));
    }

    const features: Float64Array[] = [];
    stats.forEach((_stat, j) => {
      for (let k = 0; k < HYDRAULIC_SENSORS.length; k++) features.push(perSensor[k]![j]!);
    });
    return { cycles, featureNames: featureColumns(stats), features, labelNames: HYDRAULIC_LABELS, labels };
  } finally {
    if (reading) opts.progress?.readEnd?.();
    archive.zip.close();
  }
}

/**
 * Drops trailing tabs, spaces and carriage returns: harmless, and a tab at the end of a line
 * would otherwise count as one more (empty) sample.
 */
function trimEnd(line: string): string {
  let end = line.length;
  for (;;) {
    const c = line.charCodeAt(end - 1);
    if (c === 9 || c === 32 || c === 13) end--;
    else break;
  }
  return end === line.length ? line : line.slice(0, end);
}

/** Tracks blank lines: trailing ones are ignored, one followed by more data is an error. */
class LineCounter {
  /** Lines that hold data. */
  count = 0;
  private blankAt = 0;

  constructor(
    private readonly label: ArchiveLabel,
    private readonly entry: string,
  ) {}

  /** Returns false for a blank line (skip it), true for a data line. */
  data(line: string, lineNo: number): boolean {
    if (line.length === 0) {
      if (this.blankAt === 0) this.blankAt = lineNo;
      return false;
    }
    if (this.blankAt !== 0) throw emptyLine(this.label, this.entry, this.blankAt);
    this.count++;
    return true;
  }
}

const INTEGER = /^[+-]?\d+$/;

async function readProfile(archive: ZipArchive, entry: Entry, onBytes: (n: number) => void): Promise<Float64Array[]> {
  const name = entry.fileName;
  const label = archive.label;
  let cap = 4096;
  let cols = HYDRAULIC_LABELS.map(() => new Float64Array(cap));
  const counter = new LineCounter(label, name);
  await readLines(
    archive,
    entry,
    (raw, lineNo) => {
      const line = trimEnd(raw);
      if (!counter.data(line, lineNo)) return;
      const fields = line.split('\t');
      if (fields.length !== HYDRAULIC_LABELS.length) throw profileFields(label, name, lineNo, fields.length, line);
      const row = counter.count - 1;
      if (row >= cap) {
        cap *= 2;
        cols = cols.map((c) => {
          const grown = new Float64Array(cap);
          grown.set(c);
          return grown;
        });
      }
      fields.forEach((f, j) => {
        if (!INTEGER.test(f)) throw profileNotInteger(label, name, lineNo, j + 1, f);
        cols[j]![row] = Number(f);
      });
    },
    onBytes,
  );
  if (counter.count === 0) throw noCycles(label, name);
  return cols.map((c) => c.slice(0, counter.count));
}

async function readSensor(
  archive: ZipArchive,
  entry: Entry,
  sensor: SensorSpec,
  stats: readonly StatName[],
  reference: { entry: string; cycles: number },
  onBytes: (n: number) => void,
): Promise<Float64Array[]> {
  const name = entry.fileName;
  const label = archive.label;
  const expected = sensor.samples;
  const dt = CYCLE_SECONDS / expected;
  const out = stats.map(() => new Float64Array(reference.cycles));
  const samples = new Array<number>(expected).fill(0);
  const counter = new LineCounter(label, name);
  await readLines(
    archive,
    entry,
    (raw, lineNo) => {
      const line = trimEnd(raw);
      if (!counter.data(line, lineNo)) return;
      const row = counter.count - 1;
      // Past the last cycle: only count the lines, for the error below.
      if (row >= reference.cycles) return;
      const fields = line.split('\t');
      if (fields.length !== expected) throw sampleCount(label, name, lineNo, fields.length, expected);
      for (let i = 0; i < expected; i++) {
        const text = fields[i]!;
        const v = parseDecimal(text);
        if (Number.isNaN(v)) throw notNumeric(label, name, lineNo, i + 1, text);
        samples[i] = v;
      }
      for (let j = 0; j < stats.length; j++) out[j]![row] = computeStat(stats[j]!, samples, dt);
    },
    onBytes,
  );
  if (counter.count !== reference.cycles)
    throw cycleCount(label, name, counter.count, reference.entry, reference.cycles);
  return out;
}
