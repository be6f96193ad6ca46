// Child process of the csv benchmark: reads one CSV with readCsv and reports time and peak RSS.
import { readCsv } from '../src/data/csv.js';

const path = process.argv[2];
if (!path) throw new Error('usage: csv-child FILE');
const t0 = performance.now();
const table = await readCsv(path);
const seconds = (performance.now() - t0) / 1000;
let tableBytes = 0;
for (const c of table.columns) tableBytes += c.type === 'numeric' ? c.values.byteLength : c.codes.byteLength;
process.stdout.write(
  `${JSON.stringify({ seconds, rows: table.nRows, columns: table.columns.length, tableBytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
