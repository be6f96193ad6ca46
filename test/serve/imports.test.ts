import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');

/** Every module a file reaches through static and dynamic imports: project files and packages. */
function reach(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const src = readFileSync(file, 'utf8');
    const specs = [
      ...[...src.matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!),
      ...[...src.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!),
      ...[...src.matchAll(/new URL\(\s*'(\.[^']+)'\s*,\s*import\.meta\.url\s*\)/g)].map((m) => m[1]!),
    ];
    for (const spec of specs) {
      if (spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) {
        packages.set(spec, relative(root, file));
        continue;
      }
      visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
  };
  visit(join(root, entry));
  return { files, packages };
}

const under = (files: Set<string>, folders: string[]): string[] =>
  [...files].map((f) => relative(root, f)).filter((f) => !folders.some((d) => f.startsWith(d)));

describe('the scoring side imports no training code', () => {
  it('the request layer imports only the scorer (and Node built-ins): the Lambda handler will bundle it', () => {
    const { files, packages } = reach('src/serve/request.ts');
    expect(under(files, ['src/serve/request.ts', 'src/artifact/'])).toEqual([]);
    expect([...packages.keys()]).toEqual([]);
  });

  it('the Lambda handler and its entry module import only the request layer and the scorer: no package', () => {
    for (const entry of ['src/serve/lambda.ts', 'src/serve/lambda-entry.ts']) {
      const { files, packages } = reach(entry);
      expect(
        under(files, ['src/serve/lambda.ts', 'src/serve/lambda-entry.ts', 'src/serve/request.ts', 'src/artifact/']),
        entry,
      ).toEqual([]);
      expect([...packages.keys()], entry).toEqual([]);
    }
  });

  it('batch scoring (reader, chunks, worker threads) imports only the scorer', () => {
    for (const entry of ['src/serve/batch.ts', 'src/serve/parallel.ts', 'src/serve/batch-worker.ts']) {
      const { files, packages } = reach(entry);
      expect(under(files, ['src/serve/', 'src/artifact/']), entry).toEqual([]);
      expect([...packages.keys()], entry).toEqual([]);
    }
  });

  it('automl score and automl serve reach no training code and no training package', () => {
    for (const entry of ['src/cli/score.ts', 'src/cli/serve.ts']) {
      const { files, packages } = reach(entry);
      // The scorer, the serving code, the metrics (for the diagnostics), the CLI's output, its
      // exit codes and numeric option checks, and the file helpers; never src/search,
      // src/models, src/features, src/data or recipes/ (nor src/cli/args.ts, which reaches
      // src/data). What these files import is checked too: the walk goes through them.
      expect(
        under(files, [
          'src/serve/',
          'src/artifact/',
          'src/metrics/',
          'src/util/',
          'src/cli/score.ts',
          'src/cli/serve.ts',
          'src/cli/output.ts',
          'src/cli/exit.ts',
          'src/cli/numbers.ts',
        ]),
        entry,
      ).toEqual([]);
      expect([...packages.keys()].sort(), entry).toEqual(
        entry.endsWith('serve.ts') ? ['@fastify/swagger', '@fastify/swagger-ui', 'fastify'] : [],
      );
    }
  });

  it('the server takes only fastify and its documentation plugins', () => {
    const { packages } = reach('src/serve/server.ts');
    expect([...packages.keys()].sort()).toEqual(['@fastify/swagger', '@fastify/swagger-ui', 'fastify']);
  });
});
