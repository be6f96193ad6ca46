#!/usr/bin/env node
/**
 * Generates pipelines/pipeline.schema.json (JSON Schema draft-07) from the pipeline file's types,
 * `PipelineFile` in src/artifact/format/pipeline.ts, with ts-json-schema-generator; the constraints
 * TypeScript cannot say (patterns, bounds, integers, …) are JSDoc annotations on those types.
 *
 *   node scripts/pipeline-schema.mjs            writes the file (`npm run schema`)
 *   node scripts/pipeline-schema.mjs --stdout   prints it instead (test/artifact/schema.test.ts
 *                                               compares that with the committed file)
 */
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'pipelines', 'pipeline.schema.json');

/** @returns {string} the schema, as written to the file */
export function pipelineSchemaText() {
  const generated = createGenerator({
    path: join(ROOT, 'src', 'artifact', 'format', 'pipeline.ts'),
    tsconfig: join(ROOT, 'tsconfig.json'),
    type: 'PipelineFile',
    topRef: false,
    expose: 'export',
    jsDoc: 'extended',
    additionalProperties: false,
    sortProps: true,
    // `@items {…}` on an array property replaces its generated `items` (e.g. integer indices);
    // `@dependencies {…}` is draft-07's keyword (2020-12's dependentSchemas); `@type […]` states a
    // union's JSON types next to its anyOf, so that a keyword such as minItems may sit beside it
    // (ajv's strictTypes).
    extraTags: ['items', 'dependencies', 'type'],
  }).createSchema('PipelineFile');
  // The root is PipelineFile itself; its doc comment gives way to the file's own description.
  const { $schema, definitions, description: _typeDoc, ...root } = generated;
  const schema = {
    $schema,
    $id: 'https://automl.invalid/pipeline-2.schema.json',
    title: 'automl pipeline file, format version 2.x',
    description:
      "One portable JSON scoring pipeline: input fields, fitted feature steps, the model (trees, linear, MLP, or an ensemble), class labels, metrics, importance, (binary) decision thresholds, provenance and a sha256 checksum of the RFC 8785 canonical JSON of the file's object without its checksum member. Generated from src/artifact/format/*.ts by `npm run schema` (scripts/pipeline-schema.mjs); do not edit by hand. Every example pipeline and every pipeline the tests produce is validated against it.",
    ...root,
    definitions,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = pipelineSchemaText();
  if (process.argv.includes('--stdout')) {
    process.stdout.write(text);
  } else {
    const tmp = `${OUT}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, OUT);
    console.log(`wrote ${OUT}`);
  }
}
