/**
 * `npm run bench -- NAME [options]`: runs one benchmark (or all with no name). Each benchmark
 * measures our code and a peer (Debian's python3-sklearn / python3-xgboost, run with
 * /usr/bin/python3) in the same run and prints the ratio, since absolute times on a shared
 * machine wander. Benchmarks are never part of `npm test`.
 */
const BENCHES: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  recipe: () => import('./recipe.js'),
  csv: () => import('./csv.js'),
  'run-scale': () => import('./run-scale.js'),
  gbdt: () => import('./gbdt.js'),
  forest: () => import('./forest.js'),
  budget: () => import('./budget.js'),
  search: () => import('./search.js'),
  peers: () => import('./peers.js'),
  serve: () => import('./serve.js'),
  scorer: () => import('./scorer.js'),
  lambda: () => import('./lambda.js'),
};

const [name, ...rest] = process.argv.slice(2);
const names = name ? [name] : Object.keys(BENCHES);
for (const n of names) {
  const load = BENCHES[n];
  if (!load) {
    process.stderr.write(`bench: no benchmark '${n}'; there are: ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
  }
  process.stdout.write(`\n== bench ${n} ==\n`);
  await (await load()).run(rest);
}
