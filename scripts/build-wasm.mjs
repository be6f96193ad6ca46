/**
 * The GBDT's histogram kernels: src/models/gbdt/hist.wat assembled by wabt (from npm) into
 * dist/src/models/gbdt/hist.wasm, beside the compiled hist-kernel.js that loads it. `npm run
 * build` runs it after tsc. The module uses SIMD, bulk memory and a shared memory; V8 (Node 20)
 * validates it here, so a module that Node would refuse fails the build, not a fit.
 *
 *   node scripts/build-wasm.mjs [WAT] [WASM]   (defaults: the paths above)
 */
/* global WebAssembly */
import wabtInit from 'wabt';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const wat = resolve(process.argv[2] ?? join(ROOT, 'src', 'models', 'gbdt', 'hist.wat'));
const out = resolve(process.argv[3] ?? join(ROOT, 'dist', 'src', 'models', 'gbdt', 'hist.wasm'));

const wabt = await wabtInit();
let bytes;
try {
  const module = wabt.parseWat(relative(ROOT, wat), readFileSync(wat, 'utf8'), {
    simd: true,
    threads: true,
    bulk_memory: true,
  });
  // wabt's own validator refuses shared memories whatever the features say; V8 checks below.
  bytes = module.toBinary({}).buffer;
  module.destroy();
} catch (e) {
  process.stderr.write(`build-wasm: ${relative(ROOT, wat)}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
if (!WebAssembly.validate(bytes)) {
  process.stderr.write(`build-wasm: ${relative(ROOT, wat)} assembles, but Node refuses the module\n`);
  process.exit(1);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.tmp`, bytes);
renameSync(`${out}.tmp`, out);
process.stdout.write(`build-wasm: ${relative(ROOT, out)} (${bytes.length} bytes)\n`);
