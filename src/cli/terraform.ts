/**
 * The Terraform recipe of `automl export lambda --terraform DIR`: four .tf files that deploy the
 * zip as the tutorial's template (H2O Driverless AI's aws-lambda-scorer) does, behind an API key.
 *
 *   versions.tf   terraform >= 1.5, the AWS provider (>= 5.0, < 7.0), its region
 *   variables.tf  aws_region, function_name, runtime, memory_size, timeout, stage_name, log_retention_days
 *   main.tf       IAM role (logs only) ─► Lambda function (the zip, index.handler) ◄─ permission
 *                 CloudWatch log group                                              │
 *                 REST API ─► {proxy+} ANY (API key required) ─► AWS_PROXY ─────────┘
 *                 deployment (redeployed when the routes change) ─► stage `test`
 *                 usage plan (the stage) ─► API key
 *   outputs.tf    score_url (…/test/score), api_key (sensitive), function_name
 *
 * The zip is named relative to the recipe's folder (`${path.module}/…`), so the folder and the zip
 * can be moved together. Every file starts with MARKER: a file of ours is rewritten on the next
 * export; a file of the same name without it (the user's own) is never overwritten, and other
 * files in the folder (a backend.tf, the state, .terraform/) are never touched.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AutomlError } from '../util/errors.js';
import { tempPathFor, writeFailure } from '../util/fs.js';

/** The first words of every file the recipe writes: how a later export knows the file is its own. */
export const MARKER = '# Written by automl export lambda --terraform';
/** The recipe's files, in the order they are written and listed. */
export const TERRAFORM_FILES = ['versions.tf', 'variables.tf', 'main.tf', 'outputs.tf'] as const;
/** The API Gateway stage the recipe deploys by default (the tutorial's `…/test/score`). */
export const DEFAULT_STAGE = 'test';
/** The AWS provider versions the recipe is written for (nodejs24.x needs a 6.x release that knows it). */
export const AWS_PROVIDER_VERSION = '>= 5.0, < 7.0';

export interface TerraformRecipeInput {
  /** The recipe's folder. */
  dir: string;
  /** The zip the recipe deploys. */
  zip: string;
  /** The default of `var.function_name`. */
  functionName: string;
  handler: string;
  runtimes: readonly string[];
  pipelineName: string;
  pipelineId: string;
}

/** A Lambda function name made from a pipeline name: AWS's characters only, at most 64. */
export function functionNameFrom(pipelineName: string): string {
  const name = pipelineName
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return name.length > 0 ? name : 'automl-scorer';
}

/** An HCL quoted string: escapes, and `${` / `%{` doubled so that nothing is interpolated. */
export function hclString(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, '%%{');
  return `"${escaped}"`;
}

/** Text for a comment line: printable characters only, at most `max`. */
function commentText(text: string, max = 60): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/**
 * The zip as the recipe names it, an HCL expression: relative to the recipe's folder
 * (`"${path.module}/../model.zip"`), or absolute when no relative path leads there.
 */
export function zipExpression(dir: string, zip: string): string {
  const rel = relative(resolve(dir), resolve(zip));
  if (rel === '' || isAbsolute(rel)) return hclString(resolve(zip).split(sep).join('/'));
  return `"\${path.module}/${hclString(rel.split(sep).join('/')).slice(1)}`;
}

/** The recipe's files: name → text. The same input gives the same text. */
export function terraformRecipe(input: TerraformRecipeInput): Record<(typeof TERRAFORM_FILES)[number], string> {
  const header = [
    `${MARKER} for the pipeline`,
    `# ${commentText(input.pipelineName)} (${input.pipelineId}).`,
    '# Exporting again rewrites this file; keep your own settings in other .tf files here',
    '# (backend.tf, terraform.tfvars): they are left alone.',
    '',
  ].join('\n');
  const runtimes = input.runtimes.map((r) => hclString(r)).join(', ');
  const description = hclString(`automl scorer: ${input.pipelineName}`.slice(0, 256));

  const versions = `${header}
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ${hclString(AWS_PROVIDER_VERSION)}
    }
  }
}

provider "aws" {
  region = var.aws_region
}
`;

  const variables = `${header}
variable "aws_region" {
  description = "The AWS region to deploy to."
  type        = string
  default     = "us-east-1"
}

variable "function_name" {
  description = "The Lambda function's name; the role, log group, API, key and plan are named after it."
  type        = string
  default     = ${hclString(input.functionName)}
  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "A Lambda function name is 1 to 64 letters, digits, hyphens or underscores."
  }
}

variable "runtime" {
  description = "The Node.js runtime of the function (nodejs24.x needs an AWS provider release that knows it)."
  type        = string
  default     = ${hclString(input.runtimes[0] ?? 'nodejs22.x')}
  validation {
    condition     = contains([${runtimes}], var.runtime)
    error_message = "The zip is made for these runtimes: ${input.runtimes.join(', ')}."
  }
}

variable "memory_size" {
  description = "Memory of the function, in MB (the CPU share grows with it)."
  type        = number
  default     = 512
  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "Lambda memory is 128 to 10240 MB."
  }
}

variable "timeout" {
  description = "Seconds a request may take (API Gateway answers 504 after 29 s whatever this says)."
  type        = number
  default     = 10
  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "A Lambda timeout is 1 to 900 seconds."
  }
}

variable "stage_name" {
  description = "The API Gateway stage: the first segment of every URL (…/test/score)."
  type        = string
  default     = ${hclString(DEFAULT_STAGE)}
}

variable "log_retention_days" {
  description = "Days the function's CloudWatch logs are kept."
  type        = number
  default     = 14
}
`;

  const main = `${header}
locals {
  # The zip of automl export lambda, named from this folder: move both together.
  zip_path = ${zipExpression(input.dir, input.zip)}
}

# The function's role: it may write its own logs, nothing else.
resource "aws_iam_role" "scorer" {
  name = "\${substr(var.function_name, 0, 59)}-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.scorer.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_cloudwatch_log_group" "scorer" {
  name              = "/aws/lambda/\${var.function_name}"
  retention_in_days = var.log_retention_days
}

# index.mjs (the bundled handler) and pipeline.json, loaded and verified once per container.
resource "aws_lambda_function" "scorer" {
  function_name    = var.function_name
  description      = ${description}
  role             = aws_iam_role.scorer.arn
  filename         = local.zip_path
  source_code_hash = filebase64sha256(local.zip_path)
  handler          = ${hclString(input.handler)}
  runtime          = var.runtime
  memory_size      = var.memory_size
  timeout          = var.timeout

  depends_on = [
    aws_iam_role_policy_attachment.logs,
    aws_cloudwatch_log_group.scorer,
  ]
}

# A REST API whose every path reaches the function: POST /score and the /model/... routes.
resource "aws_api_gateway_rest_api" "scorer" {
  name        = "\${var.function_name}-api"
  description = ${description}
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_resource" "proxy" {
  rest_api_id = aws_api_gateway_rest_api.scorer.id
  parent_id   = aws_api_gateway_rest_api.scorer.root_resource_id
  path_part   = "{proxy+}"
}

resource "aws_api_gateway_method" "proxy" {
  rest_api_id      = aws_api_gateway_rest_api.scorer.id
  resource_id      = aws_api_gateway_resource.proxy.id
  http_method      = "ANY"
  authorization    = "NONE"
  api_key_required = true
}

resource "aws_api_gateway_integration" "proxy" {
  rest_api_id             = aws_api_gateway_rest_api.scorer.id
  resource_id             = aws_api_gateway_method.proxy.resource_id
  http_method             = aws_api_gateway_method.proxy.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.scorer.invoke_arn
}

resource "aws_lambda_permission" "api_gateway" {
  statement_id  = "AllowInvokeFromApiGateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.scorer.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "\${aws_api_gateway_rest_api.scorer.execution_arn}/*/*"
}

resource "aws_api_gateway_deployment" "scorer" {
  rest_api_id = aws_api_gateway_rest_api.scorer.id
  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.proxy.id,
      aws_api_gateway_method.proxy.id,
      aws_api_gateway_method.proxy.api_key_required,
      aws_api_gateway_integration.proxy.id,
      aws_api_gateway_integration.proxy.uri,
    ]))
  }
  lifecycle {
    create_before_destroy = true
  }
  depends_on = [aws_api_gateway_integration.proxy]
}

resource "aws_api_gateway_stage" "scorer" {
  rest_api_id   = aws_api_gateway_rest_api.scorer.id
  deployment_id = aws_api_gateway_deployment.scorer.id
  stage_name    = var.stage_name
}

# The key clients send as the x-api-key header, valid through the usage plan of the stage.
resource "aws_api_gateway_api_key" "scorer" {
  name    = "\${var.function_name}-key"
  enabled = true
}

resource "aws_api_gateway_usage_plan" "scorer" {
  name = "\${var.function_name}-plan"
  api_stages {
    api_id = aws_api_gateway_rest_api.scorer.id
    stage  = aws_api_gateway_stage.scorer.stage_name
  }
}

resource "aws_api_gateway_usage_plan_key" "scorer" {
  key_id        = aws_api_gateway_api_key.scorer.id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.scorer.id
}
`;

  const outputs = `${header}
output "score_url" {
  description = "POST a scoring request here, with the header x-api-key."
  value       = "\${aws_api_gateway_stage.scorer.invoke_url}/score"
}

output "api_key" {
  description = "The API key (terraform output -raw api_key)."
  value       = aws_api_gateway_api_key.scorer.value
  sensitive   = true
}

output "function_name" {
  description = "The Lambda function (aws lambda update-function-code, logs)."
  value       = aws_lambda_function.scorer.function_name
}
`;

  return { 'versions.tf': versions, 'variables.tf': variables, 'main.tf': main, 'outputs.tf': outputs };
}

/**
 * Checks that the recipe can be written to `dir` before anything is: it is a folder (or does not
 * exist yet), and none of the recipe's file names there holds a file that is not ours.
 * Returns the other .tf files in it (left alone; Terraform reads them with the recipe).
 */
export function checkTerraformDir(dir: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory())
      throw new AutomlError(
        'BAD_OPTION',
        `--terraform ${dir}: a file is in the way; give a folder for the Terraform recipe (it is created if need be)`,
      );
    entries = readdirSync(dir);
  } catch (e) {
    if (e instanceof AutomlError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR')
      throw new AutomlError(
        'BAD_OPTION',
        `--terraform ${dir}: a file is in the way of this folder; give another folder for the Terraform recipe`,
      );
    throw new AutomlError('FILE_UNREADABLE', `--terraform ${dir}: cannot read the folder (${(e as Error).message})`);
  }
  const ours: readonly string[] = TERRAFORM_FILES;
  for (const name of TERRAFORM_FILES) {
    if (!entries.includes(name)) continue;
    const path = join(dir, name);
    let head = '';
    try {
      head = readFileSync(path, 'utf8').slice(0, MARKER.length);
    } catch {
      head = '';
    }
    if (head !== MARKER)
      throw new AutomlError(
        'BAD_OPTION',
        `--terraform ${dir}: ${name} there was not written by automl, so it is not overwritten; ` +
          'move it or give another folder (nothing was written)',
      );
  }
  return entries.filter((f) => f.endsWith('.tf') && !ours.includes(f)).sort();
}

/**
 * Writes several files together: each under a temporary name first, then all renamed into place.
 * If any write fails, the temporary files are removed and nothing is renamed.
 */
export async function writeFilesAtomic(files: ReadonlyArray<readonly [string, string | Uint8Array]>): Promise<void> {
  const staged: Array<[string, string]> = [];
  try {
    for (const [path, data] of files) {
      const tmp = tempPathFor(path);
      staged.push([tmp, path]);
      try {
        await writeFile(tmp, data);
      } catch (e) {
        throw writeFailure(path, e);
      }
    }
  } catch (e) {
    await Promise.all(staged.map(([tmp]) => rm(tmp, { force: true })));
    throw e;
  }
  for (const [i, [tmp, path]] of staged.entries()) {
    try {
      await rename(tmp, path);
    } catch (e) {
      await Promise.all(staged.slice(i).map(([t]) => rm(t, { force: true })));
      throw writeFailure(path, e);
    }
  }
}
