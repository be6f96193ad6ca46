/**
 * The scoring request of the hydraulic data set's best-known tutorial (README "A sample scoring
 * request"): 16 fields, one row of strings, in H2O's Scoring API shape. `scoreRequest(n)` repeats
 * the row n times.
 */
export const FIELDS: readonly string[] = [
  'psa_bar',
  'psb_bar',
  'psc_bar',
  'psd_bar',
  'pse_bar',
  'psf_bar',
  'fsa_vol_flow',
  'fsb_vol_flow',
  'tsa_temp',
  'tsb_temp',
  'tsc_temp',
  'tsd_temp',
  'pump_eff',
  'vs_vib',
  'cool_pwr_pct',
  'eff_fact_pct',
];

export const ROW: readonly string[] = [
  '155.56646728515625',
  '104.93318176269531',
  '0.862698495388031',
  '0.00021100000594742596',
  '8.37287425994873',
  '8.321526527404785',
  '2.0819649696350098',
  '8.871089935302734',
  '35.355934143066406',
  '40.99454879760742',
  '38.31908416748047',
  '30.47344970703125',
  '2366.707275390625',
  '0.5243666768074036',
  '1.3755667209625244',
  '19.58085060119629',
];

/** The JSON body `{"fields": [...], "rows": [[...], ...]}` with the tutorial's row `rows` times. */
export function scoreRequest(rows = 1): string {
  return JSON.stringify({ fields: FIELDS, rows: Array.from({ length: rows }, () => ROW) });
}
