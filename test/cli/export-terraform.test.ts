/**
 * `automl export lambda --terraform DIR`, spawned as a user runs it: the zip of the committed example
 * pipeline and the Terraform recipe beside it. Every .tf file is parsed with an HCL parser
 * (@cdktf/hcl2json) and the recipe checked against the zip it deploys: the handler names a module
 * and an export the zip's index.mjs really has (imported in a fresh node), the runtime is one the
 * zip is made for, the file name leads to the zip written, the function name is --name's; and the
 * API is the tutorial's (a `{proxy+}` resource behind an API key, stage `test`, outputs score_url
 * and the key). Where Terraform and a local mirror of the AWS provider are installed, `terraform
 * validate` and `terraform console` check it too, offline (no AWS here: nothing is applied).
 */
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/artifact/scorer.js';
import { LAMBDA_HANDLER, LAMBDA_RUNTIMES, lambdaZip } from '../../src/cli/export.js';
import { functionNameFrom, hclString, MARKER, TERRAFORM_FILES, zipExpression } from '../../src/cli/terraform.js';
import { zipEntries } from './zip.js';
import { REPO_ROOT, runCli, runCommand, type CliResult } from './run-cli.js';

// Loaded untyped: the package's declarations reference the DOM library (`/// <reference lib="dom" />`),
// which would replace Node's web-stream types for the whole project.
const { parse } = createRequire(import.meta.url)('@cdktf/hcl2json') as {
  parse(fileName: string, text: string): Promise<Record<string, unknown>>;
};

const PIPELINE = join(REPO_ROOT, 'pipelines', 'examples', 'gbdt.pipeline.json');
const BUNDLE = join(REPO_ROOT, 'dist', 'lambda', 'index.mjs');
/** A local mirror of the AWS provider (registry layout), for `terraform init` without a network. */
const PROVIDER_MIRROR = process.env['AUTOML_TF_PROVIDER_MIRROR'] ?? '/opt/tf-plugins';
const TERRAFORM = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;
const OFFLINE_TERRAFORM = TERRAFORM && existsSync(join(PROVIDER_MIRROR, 'registry.terraform.io', 'hashicorp', 'aws'));

/** A .tf file as @cdktf/hcl2json gives it: blocks are lists, expressions `${…}` strings. */
type Hcl = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let dir = '';
let zipPath = '';
let tfDir = '';
let exported: CliResult;
const tf: Record<string, Hcl> = {};

/** Every file of a folder: name → bytes (temporary files included, so that leftovers show). */
function folderBytes(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(folder).sort()) out[f] = readFileSync(join(folder, f)).toString('base64');
  return out;
}

/** The one block of a resource: `resource "<type>" "<name>"`. */
function resource(type: string, name: string): Hcl {
  const blocks = (tf['main.tf']!['resource'] as Hcl)[type]?.[name] as Hcl[] | undefined;
  expect(blocks, `resource "${type}" "${name}"`).toHaveLength(1);
  return blocks![0]!;
}

function variable(name: string): Hcl {
  return (tf['variables.tf']!['variable'] as Hcl)[name][0] as Hcl;
}

function output(name: string): Hcl {
  return (tf['outputs.tf']!['output'] as Hcl)[name][0] as Hcl;
}

/** Runs terraform in `cwd` with the provider mirror as its only source; stdout, or the failure. */
function terraform(cwd: string, args: string[], input?: string): string {
  const rc = join(dir, 'terraformrc');
  writeFileSync(
    rc,
    `provider_installation {\n  filesystem_mirror {\n    path = ${hclString(PROVIDER_MIRROR)}\n  }\n}\n`,
  );
  const r = spawnSync('terraform', args, {
    cwd,
    input,
    encoding: 'utf8',
    env: { ...process.env, TF_CLI_CONFIG_FILE: rc, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
    timeout: 120_000,
  });
  expect(r.status, `terraform ${args.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'automl-export-terraform-'));
  zipPath = join(dir, 'out', 'model-hydraulic-lambda.zip');
  tfDir = join(dir, 'deploy');
  exported = await runCli(
    ['export', 'lambda', '--pipeline', PIPELINE, '--out', zipPath, '--name', 'hydraulic', '--terraform', tfDir],
    { cwd: dir },
  );
  if (exported.code !== 0) return;
  for (const name of readdirSync(tfDir).filter((f) => f.endsWith('.tf')))
    tf[name] = (await parse(name, readFileSync(join(tfDir, name), 'utf8'))) as Hcl;
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('automl export lambda --terraform: what is written', () => {
  it('exits 0; says where the files went and what to run next, in 80 columns', () => {
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => [...l].length > 80 && !l.includes(dir))).toEqual([]);
    expect(lines).toContain(`Terraform recipe in ${tfDir}:`);
    expect(lines).toContain('  versions.tf, variables.tf, main.tf, outputs.tf');
    expect(lines).toContain('  function hydraulic, stage test, zip ../out/model-hydraulic-lambda.zip');
    expect(lines).toContain(`  cd ${tfDir} && terraform init && terraform apply`);
  });

  it('the zip and the four .tf files, each parsed by an HCL parser, and no temporary file', () => {
    expect(readdirSync(tfDir).sort()).toEqual([...TERRAFORM_FILES].sort());
    expect(readdirSync(join(dir, 'out'))).toEqual(['model-hydraulic-lambda.zip']);
    expect(Object.keys(tf).sort()).toEqual([...TERRAFORM_FILES].sort());
    for (const name of TERRAFORM_FILES) expect(readFileSync(join(tfDir, name), 'utf8').startsWith(MARKER)).toBe(true);
  });

  it('the handler names the module and the export that the zip holds: index.mjs exporting handler', async () => {
    const fn = resource('aws_lambda_function', 'scorer');
    expect(fn['handler']).toBe(LAMBDA_HANDLER);
    const [module, exportName] = (fn['handler'] as string).split('.') as [string, string];
    const zip = readFileSync(zipPath);
    const entries = await zipEntries(zip);
    expect([...entries.keys()]).toEqual([`${module}.mjs`, 'pipeline.json']);
    expect(zip.equals(await lambdaZip(readFileSync(BUNDLE), readFileSync(PIPELINE)))).toBe(true);
    // The unzipped module in a fresh node (it reads pipeline.json beside it): the export is the handler.
    const unzipped = join(dir, 'unzipped');
    mkdirSync(unzipped);
    for (const [name, bytes] of entries) writeFileSync(join(unzipped, name), bytes);
    const url = pathToFileURL(join(unzipped, `${module}.mjs`)).href;
    const script = `const m = await import(${JSON.stringify(url)});
const r = await m[${JSON.stringify(exportName)}]({ httpMethod: 'GET', path: '/test/model/id' }, {});
process.stdout.write(JSON.stringify([typeof m[${JSON.stringify(exportName)}], r.statusCode, r.body]));`;
    const r = await runCommand(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(['function', 200, loadPipeline(PIPELINE).file.pipelineId]);
  });

  it('the runtime is a variable: nodejs22.x by default, validated against the runtimes the zip is made for', () => {
    expect(resource('aws_lambda_function', 'scorer')['runtime']).toBe('${var.runtime}');
    const runtime = variable('runtime');
    expect(runtime['default']).toBe('nodejs22.x');
    const condition = runtime['validation'][0]['condition'] as string;
    const listed = /contains\(\[([^\]]*)\], var\.runtime\)/.exec(condition)![1]!;
    expect(JSON.parse(`[${listed}]`)).toEqual([...LAMBDA_RUNTIMES]);
  });

  it('the file name leads from the recipe folder to the zip written, and its hash is taken of it', () => {
    const zipRef = tf['main.tf']!['locals'][0]['zip_path'] as string;
    expect(zipRef).toBe('${path.module}/../out/model-hydraulic-lambda.zip');
    expect(resolve(tfDir, zipRef.replace('${path.module}/', ''))).toBe(zipPath);
    const fn = resource('aws_lambda_function', 'scorer');
    expect(fn['filename']).toBe('${local.zip_path}');
    expect(fn['source_code_hash']).toBe('${filebase64sha256(local.zip_path)}');
  });

  it('the function name is --name, and names the function, its log group, role and API', () => {
    const name = variable('function_name');
    expect(name['default']).toBe('hydraulic');
    expect(resource('aws_lambda_function', 'scorer')['function_name']).toBe('${var.function_name}');
    expect(resource('aws_cloudwatch_log_group', 'scorer')['name']).toBe('/aws/lambda/${var.function_name}');
    expect(resource('aws_lambda_function', 'scorer')['role']).toBe('${aws_iam_role.scorer.arn}');
    expect(resource('aws_iam_role_policy_attachment', 'logs')['policy_arn']).toBe(
      'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    );
    expect(resource('aws_api_gateway_rest_api', 'scorer')['name']).toBe('${var.function_name}-api');
    expect(variable('memory_size')['default']).toBe(512);
    expect(variable('timeout')['default']).toBe(10);
    expect(variable('aws_region')['default']).toBe('us-east-1');
  });

  it('the API: every path under {proxy+} reaches the function, behind an API key, on stage test', () => {
    const proxy = resource('aws_api_gateway_resource', 'proxy');
    expect(proxy['path_part']).toBe('{proxy+}');
    expect(proxy['parent_id']).toBe('${aws_api_gateway_rest_api.scorer.root_resource_id}');
    expect(resource('aws_api_gateway_method', 'proxy')).toMatchObject({
      http_method: 'ANY',
      resource_id: '${aws_api_gateway_resource.proxy.id}',
      api_key_required: true,
    });
    expect(resource('aws_api_gateway_integration', 'proxy')).toMatchObject({
      type: 'AWS_PROXY',
      integration_http_method: 'POST',
      uri: '${aws_lambda_function.scorer.invoke_arn}',
    });
    expect(resource('aws_lambda_permission', 'api_gateway')).toMatchObject({
      action: 'lambda:InvokeFunction',
      principal: 'apigateway.amazonaws.com',
      function_name: '${aws_lambda_function.scorer.function_name}',
      source_arn: '${aws_api_gateway_rest_api.scorer.execution_arn}/*/*',
    });
    const deployment = resource('aws_api_gateway_deployment', 'scorer');
    expect(deployment['triggers']['redeployment']).toMatch(/^\$\{sha1\(jsonencode\(\[/);
    expect(deployment['lifecycle'][0]['create_before_destroy']).toBe(true);
    expect(resource('aws_api_gateway_stage', 'scorer')).toMatchObject({
      deployment_id: '${aws_api_gateway_deployment.scorer.id}',
      stage_name: '${var.stage_name}',
    });
    expect(variable('stage_name')['default']).toBe('test');
    expect(resource('aws_api_gateway_usage_plan', 'scorer')['api_stages'][0]).toEqual({
      api_id: '${aws_api_gateway_rest_api.scorer.id}',
      stage: '${aws_api_gateway_stage.scorer.stage_name}',
    });
    expect(resource('aws_api_gateway_usage_plan_key', 'scorer')).toMatchObject({
      key_id: '${aws_api_gateway_api_key.scorer.id}',
      key_type: 'API_KEY',
      usage_plan_id: '${aws_api_gateway_usage_plan.scorer.id}',
    });
  });

  it('outputs the score URL (…/test/score) and the key, marked sensitive; pins Terraform and the provider', () => {
    expect(output('score_url')['value']).toBe('${aws_api_gateway_stage.scorer.invoke_url}/score');
    expect(output('api_key')).toMatchObject({ value: '${aws_api_gateway_api_key.scorer.value}', sensitive: true });
    expect(output('function_name')['value']).toBe('${aws_lambda_function.scorer.function_name}');
    const block = tf['versions.tf']!['terraform'][0] as Hcl;
    expect(block['required_version']).toBe('>= 1.5');
    expect(block['required_providers'][0]['aws']).toEqual({ source: 'hashicorp/aws', version: '>= 5.0, < 7.0' });
    expect(tf['versions.tf']!['provider']['aws'][0]['region']).toBe('${var.aws_region}');
  });
});

describe('automl export lambda --terraform: the same bytes, and the folder', () => {
  it('a second export elsewhere gives the same zip and recipe, byte for byte, whatever the time zone', async () => {
    const again = mkdtempSync(join(dir, 'again-'));
    const r = await runCli(
      [
        'export',
        'lambda',
        '--pipeline',
        PIPELINE,
        '--out',
        join('out', 'model-hydraulic-lambda.zip'),
        '--name',
        'hydraulic',
        '--terraform',
        'deploy',
        '--quiet',
      ],
      { cwd: again, env: { TZ: 'Pacific/Kiritimati' } },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(folderBytes(join(again, 'deploy'))).toEqual(folderBytes(tfDir));
    expect(folderBytes(join(again, 'out'))).toEqual(folderBytes(join(dir, 'out')));
  });

  it('exporting again into the folder rewrites its own files in place and leaves the others alone', async () => {
    const folder = mkdtempSync(join(dir, 'rerun-'));
    cpSync(tfDir, join(folder, 'deploy'), { recursive: true });
    const backend = 'terraform {\n  backend "local" {}\n}\n';
    writeFileSync(join(folder, 'deploy', 'backend.tf'), backend);
    writeFileSync(join(folder, 'deploy', 'main.tf'), `${MARKER} (an older export)\n`);
    const r = await runCli(
      [
        'export',
        'lambda',
        '--pipeline',
        PIPELINE,
        '--out',
        'out/model-hydraulic-lambda.zip',
        '--name',
        'hydraulic',
      ].concat(['--terraform', 'deploy']),
      { cwd: folder },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('  left as they were, read with it: backend.tf\n');
    expect(readFileSync(join(folder, 'deploy', 'backend.tf'), 'utf8')).toBe(backend);
    const { ['backend.tf']: _kept, ...recipe } = folderBytes(join(folder, 'deploy'));
    expect(recipe).toEqual(folderBytes(tfDir));
  });

  it('--json adds the recipe: folder, files and the function name (from the pipeline name without --name)', async () => {
    const folder = mkdtempSync(join(dir, 'json-'));
    const r = await runCli(
      ['export', 'lambda', '--pipeline', PIPELINE, '--out', 'm.zip', '--terraform', 'tf', '--json'],
      { cwd: folder },
    );
    expect(r.code, r.stderr).toBe(0);
    const derived = functionNameFrom(loadPipeline(PIPELINE).file.name);
    expect(derived).toBe('hydraulic-cool_cond_y-gbdt');
    expect((JSON.parse(r.stdout) as Record<string, unknown>)['terraform']).toEqual({
      dir: 'tf',
      files: [...TERRAFORM_FILES],
      functionName: derived,
      otherFiles: [],
    });
    const vars = (await parse('variables.tf', readFileSync(join(folder, 'tf', 'variables.tf'), 'utf8'))) as Hcl;
    expect(vars['variable']['function_name'][0]['default']).toBe(derived);
  });
});

describe('automl export lambda --terraform: bad input writes nothing', () => {
  /** Runs the export in a folder of its own, prepared by `setup`: exit 2, and the folder as it was. */
  async function failing(args: string[], setup: (folder: string) => void): Promise<string> {
    const folder = mkdtempSync(join(dir, 'bad-'));
    setup(folder);
    const before = JSON.stringify(readdirSync(folder, { recursive: true }).sort());
    const r = await runCli(['export', 'lambda', '--pipeline', PIPELINE, '--out', 'm.zip', ...args], { cwd: folder });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(JSON.stringify(readdirSync(folder, { recursive: true }).sort())).toBe(before);
    return r.stderr;
  }

  it('--terraform naming a file: exit 2 saying so, and no zip', async () => {
    const stderr = await failing(['--terraform', 'main.tf'], (f) => writeFileSync(join(f, 'main.tf'), 'x'));
    expect(stderr).toBe(
      'automl: error: --terraform main.tf: a file is in the way; give a folder for the Terraform recipe (it is created if need be)\n',
    );
  });

  it('--terraform below a file: exit 2, and no zip', async () => {
    const stderr = await failing(['--terraform', 'notes/deploy'], (f) => writeFileSync(join(f, 'notes'), 'x'));
    expect(stderr).toMatch(/^automl: error: --terraform notes\/deploy: a file is in the way of this folder/);
  });

  it('a main.tf there that is not ours: exit 2, it is not overwritten, and no zip', async () => {
    const mine = 'resource "null_resource" "mine" {}\n';
    const stderr = await failing(['--terraform', 'deploy'], (f) => {
      mkdirSync(join(f, 'deploy'));
      writeFileSync(join(f, 'deploy', 'main.tf'), mine);
    });
    expect(stderr).toBe(
      'automl: error: --terraform deploy: main.tf there was not written by automl, so it is not overwritten; move it or give another folder (nothing was written)\n',
    );
  });

  it('a damaged pipeline: exit 2 from the loader, no zip and no recipe', async () => {
    const damaged = join(dir, 'damaged.pipeline.json');
    const file = JSON.parse(readFileSync(PIPELINE, 'utf8')) as Record<string, unknown>;
    writeFileSync(damaged, JSON.stringify({ ...file, name: 'edited by hand' }, null, 2));
    const folder = mkdtempSync(join(dir, 'bad-'));
    const r = await runCli(['export', 'lambda', '--pipeline', damaged, '--out', 'm.zip', '--terraform', 'tf'], {
      cwd: folder,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/was changed after it was exported: .*\(no Lambda package was written\)\n$/);
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe('the recipe text', () => {
  it('quotes names so that nothing in them is interpolated, and names the zip absolutely when it must', () => {
    expect(hclString('a "b" \\ ${x} %{y}\n')).toBe('"a \\"b\\" \\\\ $${x} %%{y}\\n"');
    expect(zipExpression('/srv/deploy', '/srv/out/m.zip')).toBe('"${path.module}/../out/m.zip"');
    expect(zipExpression('/srv/deploy', '/srv/deploy/m.zip')).toBe('"${path.module}/m.zip"');
    expect(zipExpression('/srv/deploy', '/srv/${odd}/m.zip')).toBe('"${path.module}/../$${odd}/m.zip"');
    expect(functionNameFrom('hydraulic cool/cond (v2)')).toBe('hydraulic-cool-cond-v2');
    expect(functionNameFrom('***')).toBe('automl-scorer');
    expect(functionNameFrom('x'.repeat(80))).toHaveLength(64);
  });
});

describe.skipIf(!OFFLINE_TERRAFORM)('terraform itself, offline (the AWS provider from a local mirror)', () => {
  it('terraform fmt finds nothing to change; init and validate pass; console evaluates the zip and its hash', () => {
    const work = mkdtempSync(join(dir, 'tf-'));
    cpSync(join(dir, 'out'), join(work, 'out'), { recursive: true });
    cpSync(tfDir, join(work, 'deploy'), { recursive: true });
    const cwd = join(work, 'deploy');
    expect(terraform(cwd, ['fmt', '-check', '-no-color', '.'])).toBe('');
    terraform(cwd, ['init', '-backend=false', '-input=false', '-no-color']);
    expect(terraform(cwd, ['validate', '-no-color'])).toMatch(/The configuration is valid/);
    const answer = terraform(
      cwd,
      ['console', '-no-color'],
      'jsonencode([local.zip_path, filebase64sha256(local.zip_path), var.function_name, var.runtime])\n',
    );
    const sha = createHash('sha256').update(readFileSync(zipPath)).digest('base64');
    expect(JSON.parse(JSON.parse(answer.trim()) as string)).toEqual([
      './../out/model-hydraulic-lambda.zip',
      sha,
      'hydraulic',
      'nodejs22.x',
    ]);
  }, 120_000);
});
