import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

/** One sensor file of the UCI archive and the output column it becomes. */
export interface SensorSpec {
  /** File name in the archive, e.g. `PS1.txt` (found by this base name in any folder). */
  readonly file: string;
  /** Output column name for its per-cycle mean, e.g. `psa_bar`. */
  readonly column: string;
  /** Samples on each line (one line per 60-second load cycle). */
  readonly samples: number;
}

/** Every load cycle of the test rig lasts 60 seconds; a file's rate is its samples / 60 s. */
export const CYCLE_SECONDS = 60;

/**
 * The 17 sensors in the standard column order: the order of the embedded hydraulic.csv header.
 *
 * @example
 * HYDRAULIC_SENSORS.map((s) => s.column); // ['psa_bar', 'psb_bar', …, 'eff_fact_pct']
 */
export const HYDRAULIC_SENSORS: readonly SensorSpec[] = [
  { file: 'PS1.txt', column: 'psa_bar', samples: 6000 },
  { file: 'PS2.txt', column: 'psb_bar', samples: 6000 },
  { file: 'PS3.txt', column: 'psc_bar', samples: 6000 },
  { file: 'PS4.txt', column: 'psd_bar', samples: 6000 },
  { file: 'PS5.txt', column: 'pse_bar', samples: 6000 },
  { file: 'PS6.txt', column: 'psf_bar', samples: 6000 },
  { file: 'FS1.txt', column: 'fsa_vol_flow', samples: 600 },
  { file: 'FS2.txt', column: 'fsb_vol_flow', samples: 600 },
  { file: 'TS1.txt', column: 'tsa_temp', samples: 60 },
  { file: 'TS2.txt', column: 'tsb_temp', samples: 60 },
  { file: 'TS3.txt', column: 'tsc_temp', samples: 60 },
  { file: 'TS4.txt', column: 'tsd_temp', samples: 60 },
  { file: 'EPS1.txt', column: 'pump_eff', samples: 6000 },
  { file: 'VS1.txt', column: 'vs_vib', samples: 60 },
  { file: 'CE.txt', column: 'cool_eff_pct', samples: 60 },
  { file: 'CP.txt', column: 'cool_pwr_pct', samples: 60 },
  { file: 'SE.txt', column: 'eff_fact_pct', samples: 60 },
];

/** The file holding the five labels of each cycle. */
export const PROFILE_FILE = 'profile.txt';

/**
 * The label columns, from the five columns of profile.txt in this order.
 *
 * @example
 * HYDRAULIC_LABELS[0]; // 'cool_cond_y'
 */
export const HYDRAULIC_LABELS: readonly string[] = [
  'cool_cond_y',
  'valve_cond_y',
  'pump_leak_y',
  'acc_gas_leak_y',
  'stable_y',
];

/**
 * Where the raw archive is published: the UCI data set 00447, then the newer static address
 * tried when the first fails.
 */
export const HYDRAULIC_URLS: readonly string[] = [
  'https://archive.ics.uci.edu/ml/machine-learning-databases/00447/data.zip',
  'https://archive.ics.uci.edu/static/public/447/condition+monitoring+of+hydraulic+systems.zip',
];

/**
 * The embedded default data set (the recipe's output with cycle means, 2205 rows). Resolved from
 * the package root, so it works from the repository (sources or dist/) and from an installed
 * package, where the compiled code is in dist/recipes/ and the CSV in recipes/hydraulic/.
 *
 * @example
 * const t = await readCsv(hydraulicDataPath());
 */
export function hydraulicDataPath(): string {
  return join(packageRoot(), 'recipes', 'hydraulic', 'hydraulic.csv');
}
