#!/usr/bin/env node
/**
 * The `automl` command line. Only yargs and the option definitions load at start; each
 * command's module (and anything heavy behind it) is imported when that command runs, so that
 * `automl --help` answers at once.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DELIMITER_NAMES } from '../data/delimiters.js';
import { TASK_REQUESTS } from '../data/infer.js';
import { METRIC_NAMES } from '../metrics/registry.js';
import { FINAL_CHOICES } from '../search/final.js';
import { AutomlError } from '../util/errors.js';
import { packageVersion } from '../util/paths.js';
import { listOption, numberOption, OPTION_NUMBERS, RUN_NUMBERS } from './args.js';
import { Output } from './output.js';
import { debugEnabled, errorReport, receivedSignal } from './exit.js';

const common = <T>(y: Argv<T>) =>
  y
    .option('quiet', { type: 'boolean', default: false, describe: 'Print only errors' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON on stdout' });

/** How a data file is read: the same options on every command that reads one (README: Input files). */
const ENCODING_OPTION = {
  type: 'string',
  describe:
    'Text encoding: utf-8, utf-16 (with a byte order mark), latin1 or windows-1252 (default: utf-8, or as the byte order mark says)',
} as const;
const DECIMAL_OPTION = {
  type: 'string',
  choices: [',', '.'],
  describe: "Decimal mark of numbers (default: detected: ',' when a ; or tab file writes 1,5)",
} as const;

/** An option naming one column, given once (`--weight w`). */
function singleColumnOption(flag: string): { type: 'string'; requiresArg: true; coerce: (v: unknown) => string } {
  return {
    type: 'string',
    requiresArg: true,
    coerce: (v: unknown) => {
      if (Array.isArray(v)) throw new AutomlError('BAD_OPTION', `--${flag} is given ${v.length} times; give it once`);
      return String(v);
    },
  };
}

export function buildCli(argv: string[]): Argv {
  return yargs(argv)
    .scriptName('automl')
    .usage('$0 <command> [options]\n\nFrom a table of data to one portable JSON scoring pipeline.')
    .command(
      'describe',
      'Describe the columns of a CSV file: type, missing values, distinct values, range or top levels',
      (y) =>
        common(y)
          .option('data', {
            type: 'string',
            describe: 'CSV file, also gzipped or in a zip (default: the embedded hydraulic data)',
          })
          .option('delimiter', {
            type: 'string',
            choices: DELIMITER_NAMES,
            describe: 'Field delimiter (default: detected)',
          })
          .option('type', {
            type: 'string',
            describe: 'Force column types: COLUMN=numeric|categorical, comma-separated or repeated',
            coerce: listOption,
          })
          .option('target', { type: 'string', describe: 'Also report the task this column would be as a target' })
          .option('task', { type: 'string', choices: TASK_REQUESTS, default: 'auto' })
          .option('encoding', ENCODING_OPTION)
          .option('decimal', DECIMAL_OPTION)
          .example('$0 describe', 'Describe the embedded hydraulic data')
          .example(
            '$0 describe --data recipes/hydraulic/hydraulic.csv --type cool_cond_y=categorical',
            'Read cool_cond_y as categorical',
          )
          .example('$0 describe --data h.csv --target cool_cond_y --json', 'Machine-readable, with the target task'),
      async (args) => (await import('./describe.js')).describeCommand(args as never, output(args)),
    )
    .command(
      'split',
      'Split a CSV file into train and test parts (stratified, seeded)',
      (y) =>
        common(y)
          .option('data', { type: 'string', describe: 'CSV file (default: the embedded hydraulic data)' })
          .option('target', { type: 'string', demandOption: true, describe: 'Target column (stratifies the split)' })
          .option('ratio', {
            ...numberOption('ratio', OPTION_NUMBERS.ratio),
            default: 0.75,
            describe: 'Share of rows in the train part',
          })
          .option('seed', { ...numberOption('seed', OPTION_NUMBERS.seed), default: 42, describe: 'Random seed' })
          .option('stratify', {
            type: 'boolean',
            default: true,
            describe: 'Stratify by the target (classification); --no-stratify for a plain random split',
          })
          .option('task', { type: 'string', choices: TASK_REQUESTS, default: 'auto' })
          .option('delimiter', {
            type: 'string',
            choices: DELIMITER_NAMES,
            describe: 'Field delimiter (default: detected)',
          })
          .option('encoding', ENCODING_OPTION)
          .option('decimal', DECIMAL_OPTION)
          .option('time-column', {
            ...singleColumnOption('time-column'),
            describe:
              'A column of times (numbers or ISO 8601 dates): the test part is the latest rows (not stratified; --seed plays no part)',
          })
          .option('out-train', { type: 'string', describe: 'Train file (default: <name>.train.csv next to the input)' })
          .option('out-test', { type: 'string', describe: 'Test file (default: <name>.test.csv next to the input)' })
          .option('out-dir', { type: 'string', describe: 'Folder for the default output names' })
          .example('$0 split --data recipes/hydraulic/hydraulic.csv --target cool_cond_y', '75/25, stratified, seed 42')
          .example('$0 split --data h.csv --target stable_y --ratio 0.8 --seed 7', 'An 80/20 split with another seed')
          .example('$0 split --data sales.csv --target units --time-column date', 'The latest 25% of the dates test')
          .example(
            '$0 split --data recipes/hydraulic/hydraulic.csv --target pump_eff --out-train tr.csv --out-test te.csv',
            'Regression target: a plain random split',
          ),
      async (args) => (await import('./split.js')).splitCommand(args as never, output(args)),
    )
    .command(
      'run [config]',
      'Search feature steps × model families inside a time budget, export the best pipeline, print the dashboard',
      (y) =>
        common(y)
          .positional('config', {
            type: 'string',
            describe: 'An experiment file (experiments/*.json); flags override it',
          })
          .option('data', { type: 'string', describe: 'CSV file, split 75/25 (default: the embedded hydraulic data)' })
          .option('train', { type: 'string', describe: 'Training CSV (instead of --data)' })
          .option('test', { type: 'string', describe: 'Test CSV, scored once at the end (with --train)' })
          .option('delimiter', {
            type: 'string',
            choices: DELIMITER_NAMES,
            describe: 'Field delimiter of the data files (default: detected)',
          })
          .option('encoding', ENCODING_OPTION)
          .option('decimal', DECIMAL_OPTION)
          .option('target', { type: 'string', describe: 'Target column' })
          .option('task', { type: 'string', choices: TASK_REQUESTS })
          .option('drop', {
            type: 'string',
            describe: 'Columns that are not features, comma-separated or repeated',
            coerce: listOption,
          })
          .option('keep-column', {
            type: 'string',
            describe:
              'Keep a column as a feature though it looks like an identifier or a constant (or is another label of the recipe); comma-separated or repeated',
            coerce: listOption,
          })
          .option('id-column', {
            type: 'string',
            requiresArg: true,
            coerce: (v: unknown) => {
              if (Array.isArray(v))
                throw new AutomlError('BAD_OPTION', `--id-column is given ${v.length} times; give it once`);
              return String(v);
            },
            describe:
              'A column that identifies rows: never a feature; it names the rows of test-predictions.csv (default: their line in the file)',
          })
          .option('weight', {
            ...singleColumnOption('weight'),
            describe:
              'A numeric column of sample weights (>= 0): not a feature; every fit and score is weighted; rows of weight 0 are not trained on',
          })
          .option('fold', {
            ...singleColumnOption('fold'),
            describe: 'A column of fold labels (2 to 20 values): not a feature; each value is one validation fold',
          })
          .option('time-column', {
            ...singleColumnOption('time-column'),
            describe:
              'A column of times (numbers or ISO 8601 dates): not a feature; the test part is the latest 25% and each fold trains only on earlier rows',
          })
          .option('date-format', {
            type: 'string',
            describe:
              'How dates are written, for every date column (FORMAT) or one (COL=FORMAT): iso, DD/MM/YYYY or MM/DD/YYYY (or COL=none: not dates); repeatable (default: detected)',
            coerce: listOption,
          })
          .option('name', { type: 'string', describe: 'Experiment name (default: <target>-<data file>)' })
          .option('seed', { ...numberOption('seed', RUN_NUMBERS.seed), describe: 'Random seed (default 42)' })
          .option('scorer', { type: 'string', describe: `Metric to optimise: ${METRIC_NAMES.join(', ')}` })
          .option('time', {
            ...numberOption('time', RUN_NUMBERS.time),
            describe: 'Time dial 1–10: budget 10 s × 2^(time−1) (default 3)',
          })
          .option('accuracy', {
            ...numberOption('accuracy', RUN_NUMBERS.accuracy),
            describe:
              'Accuracy dial 1–10: holdout at 1–3, 3-fold at 4–6, 5-fold at 7–10; beyond 100,000 rows holdout at 1–6, 3-fold at 7–10 (default 5)',
          })
          .option('interpretability', {
            ...numberOption('interpretability', RUN_NUMBERS.interpretability),
            describe: 'Interpretability dial 1–10: at 8–10 original features and interpretable models (default 5)',
          })
          .option('max-runtime', {
            ...numberOption('max-runtime', RUN_NUMBERS.maxRuntime),
            describe: 'Budget in seconds (overrides --time)',
          })
          .option('max-models', {
            ...numberOption('max-models', RUN_NUMBERS.maxModels),
            describe: 'Try exactly this many candidates instead of a budget (deterministic)',
          })
          .option('final', {
            type: 'string',
            choices: FINAL_CHOICES,
            describe:
              "The pipeline's model: the winner refit on all rows, or the average of its fold models; auto refits unless the budget is too short (default auto)",
          })
          .option('threads', {
            ...numberOption('threads', RUN_NUMBERS.threads),
            describe:
              'Worker threads the search trains on (default: one per core, at most 8, fewer if memory is short); results do not depend on it',
          })
          .option('out-dir', {
            type: 'string',
            describe: 'Folder for pipelines/ and experiments/runs/ (default: the working folder)',
          })
          .option('progress', {
            type: 'boolean',
            default: true,
            describe: 'A progress bar on a terminal; --no-progress hides it',
          })
          .example(
            '$0 run --target cool_cond_y --time 5',
            'The tutorial: cooler condition on the embedded hydraulic data',
          )
          .example('$0 run experiments/hydraulic-valve-cond.json', 'A committed experiment definition')
          .example(
            '$0 run --data recipes/hydraulic/hydraulic.csv --target stable_y --max-models 6 --seed 7',
            'A deterministic run of six candidates',
          ),
      async (args) => (await import('./run.js')).runCommand(args as never, output(args)),
    )
    .command(
      'score',
      'Score a CSV file with a pipeline: class probabilities (or values) per row, metrics when the file has the target',
      (y) =>
        common(y)
          .option('pipeline', {
            type: 'string',
            demandOption: true,
            describe: 'The pipeline file (pipelines/<name>.pipeline.json)',
          })
          .option('data', {
            type: 'string',
            demandOption: true,
            describe: "CSV file to score ('-' for standard input)",
          })
          .option('keep', {
            type: 'string',
            describe: 'Columns of the data copied to the output first, comma-separated or repeated',
            coerce: listOption,
          })
          .option('out', { type: 'string', describe: 'Output CSV (default: standard output)' })
          .option('threshold', {
            type: 'string',
            describe:
              'Binary targets: predict the positive class from this probability on: a number, best-f1 or best-mcc (chosen out of fold by automl run); default: the most probable class',
          })
          .option('on-error', {
            type: 'string',
            choices: ['fail', 'skip', 'missing'],
            default: 'fail',
            describe: 'A value that is not a number in a numeric field: stop, skip the row, or score it as missing',
          })
          .option('metrics', {
            type: 'string',
            describe: 'Write the diagnostics (when the file has the target column) to this JSON file',
          })
          .option('delimiter', {
            type: 'string',
            choices: DELIMITER_NAMES,
            describe: 'Field delimiter (default: detected)',
          })
          .option('encoding', ENCODING_OPTION)
          .option('decimal', DECIMAL_OPTION)
          .option('progress', {
            type: 'boolean',
            default: true,
            describe: 'A progress bar on a terminal; --no-progress hides it',
          })
          .option('threads', {
            ...numberOption('threads', OPTION_NUMBERS.threads),
            describe:
              'Worker threads for large files (default: one per core, at most 4); the output does not depend on it',
          })
          .example(
            '$0 score --pipeline pipelines/cool_cond_y-hydraulic.pipeline.json --data cycles.csv --out scores.csv',
            'Probabilities per class, to a file',
          )
          .example(
            '$0 score --pipeline p.json --data test.csv --keep cool_cond_y --metrics m.json > scores.csv',
            'Keep the actual label; diagnostics to m.json',
          )
          .example(
            '$0 score --pipeline stable.json --data new.csv --threshold best-f1',
            'Binary: the F1-best threshold chosen out of fold',
          ),
      async (args) => (await import('./score.js')).scoreCommand(args as never, output(args)),
    )
    .command(
      'serve',
      "Serve a pipeline over REST, speaking H2O's Scoring API (POST /model/score)",
      (y) =>
        common(y)
          .option('pipeline', { type: 'string', demandOption: true, describe: 'The pipeline file to serve' })
          .option('port', {
            ...numberOption('port', OPTION_NUMBERS.port),
            default: 8080,
            describe: 'Port (0: any free port)',
          })
          .option('host', {
            type: 'string',
            default: '127.0.0.1',
            describe: 'Address to bind (0.0.0.0 for every interface)',
          })
          .option('max-body', {
            type: 'string',
            default: '10mb',
            describe: 'Largest request body: bytes, or with kb / mb / gb',
          })
          .option('api-key', {
            type: 'string',
            describe: "Require this key in the 'api_key' header on every route but /readyz (or set AUTOML_API_KEY)",
          })
          .option('allow-file-scoring', {
            type: 'string',
            describe: 'Allow GET /model/score?file=PATH for CSV files under this folder',
          })
          .option('encoding', { ...ENCODING_OPTION, describe: `${ENCODING_OPTION.describe}; for ?file=` })
          .option('delimiter', {
            type: 'string',
            choices: DELIMITER_NAMES,
            describe: 'Field delimiter of the ?file= files (default: detected)',
          })
          .option('decimal', { ...DECIMAL_OPTION, describe: `${DECIMAL_OPTION.describe}; for ?file=` })
          .option('log', { type: 'boolean', default: false, describe: 'Print one line per request' })
          .example(
            '$0 serve --pipeline pipelines/cool_cond_y-hydraulic.pipeline.json',
            'Serve on http://127.0.0.1:8080',
          )
          .example(
            'AUTOML_API_KEY=s3cret $0 serve --pipeline p.json --host 0.0.0.0 --log',
            'On every interface, with an API key and a request log',
          ),
      async (args) => (await import('./serve.js')).serveCommand(args as never, output(args)),
    )
    .command(
      'list',
      'List the experiments under experiments/runs/, newest first: status, scores, winner, elapsed time, date',
      (y) =>
        common(y)
          .option('dir', {
            type: 'string',
            describe: 'The working folder whose experiments/runs/ to list (default: the current folder)',
          })
          .example('$0 list', 'The runs of the current folder')
          .example('$0 list --dir ~/work/hydraulic --json', "Another folder's runs, as JSON"),
      async (args) => (await import('./list.js')).listCommand(args as never, output(args)),
    )
    .command(
      'report [run]',
      'Report a run: the dashboard, leaderboard, checks, confusion matrix and per-class scores; or an HTML page or Markdown',
      (y) =>
        common(y)
          .positional('run', {
            type: 'string',
            describe: 'A run name under experiments/runs/, or a run folder (default: the newest run)',
          })
          .option('format', {
            type: 'string',
            choices: ['terminal', 'html', 'markdown'],
            describe: 'terminal (default), one self-contained HTML file, or Markdown with its charts beside it',
          })
          .option('out', {
            type: 'string',
            describe:
              'The file to write (default for html: <run folder>/report.html; markdown: <run folder>/report.md); with --all, a folder',
          })
          .option('open', {
            type: 'boolean',
            default: false,
            describe: 'Open the written file with the default application (a browser, for HTML)',
          })
          .option('dir', {
            type: 'string',
            describe: 'The working folder whose experiments/runs/ holds the runs (default: the current folder)',
          })
          .option('all', {
            type: 'boolean',
            default: false,
            describe: 'Every run: an index.html linking one HTML report per run (default folder: experiments/reports)',
          })
          .example('$0 report', 'The newest run, in the terminal')
          .example('$0 report cool_cond_y-hydraulic --format html --out report.html --open', 'One HTML file, opened')
          .example(
            '$0 report --format markdown --out docs/run/report.md',
            'Markdown, the charts as SVG files beside it',
          )
          .example('$0 report --all --out reports', 'reports/index.html and a page per run'),
      async (args) => (await import('./report.js')).reportCommand(args as never, output(args)),
    )
    .command(
      'recipe <name>',
      'Run a data recipe: download a public data set and turn it into one table',
      (y) =>
        common(y)
          .positional('name', { type: 'string', choices: ['hydraulic'], describe: 'The recipe' })
          .option('source', {
            type: 'string',
            describe: 'Archive to read: a URL or a local zip file (default: the UCI archive)',
          })
          .option('out', { type: 'string', describe: 'Output CSV (default: <name>.csv in the working folder)' })
          .option('out-dir', { type: 'string', describe: 'Folder for the default output name' })
          .option('stats', {
            type: 'string',
            describe: 'Per-cycle statistics per sensor, comma-separated or repeated (default: mean)',
            coerce: listOption,
          })
          .option('refresh', {
            type: 'boolean',
            default: false,
            describe: 'Download again even if the archive is cached',
          })
          .example('$0 recipe hydraulic', 'Download the UCI archive (cached) and write hydraulic.csv')
          .example('$0 recipe hydraulic --source ~/Downloads/data.zip --out h.csv', 'From a local copy of the archive')
          .example('$0 recipe hydraulic --stats mean,std,min,max,slope', 'Richer per-cycle features'),
      async (args) => (await import('./recipe.js')).recipeCommand(args as never, output(args)),
    )
    .command('export', 'Export a pipeline for deployment: lambda (an AWS Lambda zip), python (a Python scorer)', (y) =>
      y
        .command(
          'lambda',
          'A zip that deploys as is on AWS Lambda (Node.js 22 or 24, handler index.handler) behind API Gateway',
          (l) =>
            common(l)
              .option('pipeline', { type: 'string', demandOption: true, describe: 'The pipeline file to deploy' })
              .option('out', {
                type: 'string',
                demandOption: true,
                describe: 'The zip file to write (a name ending in .zip)',
              })
              .option('name', {
                type: 'string',
                describe: 'The Lambda function name (default: made from the pipeline name)',
              })
              .option('terraform', {
                type: 'string',
                describe: 'Also write a Terraform recipe deploying the zip (API Gateway, API key) to this folder',
              })
              .example(
                '$0 export lambda --pipeline pipelines/cool_cond_y-hydraulic.pipeline.json --out model-hydraulic-lambda.zip',
                'index.mjs and pipeline.json, ready for aws lambda create-function',
              )
              .example(
                '$0 export lambda --pipeline p.pipeline.json --out deploy/model.zip --terraform deploy',
                'The zip and main.tf etc. beside it: cd deploy && terraform init && terraform apply',
              ),
          async (args) => (await import('./export.js')).exportLambdaCommand(args as never, output(args)),
        )
        .command(
          'python',
          'A folder with the Python runtime (one file, standard library only) and the pipeline',
          (l) =>
            common(l)
              .option('pipeline', { type: 'string', demandOption: true, describe: 'The pipeline file to export' })
              .option('out', {
                type: 'string',
                demandOption: true,
                describe: 'The folder to write automl_scorer.py and pipeline.json to (created if need be)',
              })
              .example(
                '$0 export python --pipeline pipelines/cool_cond_y-hydraulic.pipeline.json --out scorer-py',
                'Then: python3 scorer-py/automl_scorer.py scorer-py/pipeline.json data.csv',
              ),
          async (args) => (await import('./export.js')).exportPythonCommand(args as never, output(args)),
        )
        .demandCommand(1, 'Name what to export: automl export lambda, or automl export python'),
    )
    .demandCommand(1, 'Name a command; see automl --help')
    .strict()
    .parserConfiguration({ 'duplicate-arguments-array': true, 'greedy-arrays': false })
    .version(packageVersion())
    .help()
    .alias('help', 'h')
    .wrap(Math.min(120, process.stdout.columns || 80))
    .epilogue('Each command has --help with examples. Docs: README.md')
    .fail((msg, err) => {
      // The option parser's own verdicts (an unknown option, a value missing or refused by a
      // check such as numberOption's) are a user's mistake: exit 2. Errors of a command go on.
      if (err && err.name !== 'YError') throw err;
      process.stderr.write(
        `automl: ${err ? `error: ${needsValue(err.message)}` : dedupeUnknown(msg)}\nRun 'automl --help' or 'automl <command> --help' for the options.\n`,
      );
      process.exit(2);
    });
}

/** yargs' "Not enough arguments following: time" (an option given without its value), in words. */
function needsValue(message: string): string {
  const m = /^Not enough arguments following: (\S+)$/.exec(message);
  return m ? `--${m[1]} needs a value` : message;
}

/** yargs lists a mistyped dashed option twice (`out-trian, outTrian`): keep the dashed one. */
function dedupeUnknown(msg: string): string {
  const m = /^Unknown arguments?: (.*)$/.exec(msg);
  if (!m) return msg;
  const names = m[1]!.split(', ');
  const dashed = new Set(
    names.filter((n) => n.includes('-')).map((n) => n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())),
  );
  const kept = names.filter((n) => !dashed.has(n));
  return `Unknown argument${kept.length > 1 ? 's' : ''}: ${kept.join(', ')}`;
}

function output(args: { quiet?: boolean; json?: boolean }): Output {
  return new Output({ quiet: args.quiet ?? false, json: args.json ?? false });
}

/**
 * `--data -` (standard input): yargs takes a lone `-` for a positional argument, so an option's
 * value `-` is passed on as `--data=-`.
 */
export function joinDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of argv) {
    const prev = out[out.length - 1];
    if (a === '-' && prev !== undefined && /^--[a-z][a-z-]*$/.test(prev)) out[out.length - 1] = `${prev}=-`;
    else out.push(a);
  }
  return out;
}

export async function main(argv: string[]): Promise<void> {
  // `automl describe | head`: a reader that closes early is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  // An error thrown outside the command's own promise (in a callback) ends the command the same way.
  const fatal = (e: unknown): void => {
    process.exitCode = reportError(e);
    process.exit();
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  try {
    await buildCli(joinDashValues(argv)).parseAsync();
  } catch (e) {
    process.exitCode = reportError(e);
  }
}

/**
 * Prints the error that ended a command and returns the exit code (exit.ts, README "Exit codes"):
 * 2 a user's mistake, 130 / 143 interrupted before anything could be finished, 1 a bug (the stack
 * trace only with AUTOML_DEBUG=1).
 */
function reportError(e: unknown): number {
  const report = errorReport(e, {
    colour: Boolean(process.stderr.isTTY) && !process.env['NO_COLOR'],
    debug: debugEnabled(),
    signal: receivedSignal(),
    version: versionOrNull(),
  });
  process.stderr.write(report.text);
  return report.code;
}

/** The package's version for a bug report, or undefined when even that cannot be read. */
function versionOrNull(): string | undefined {
  try {
    return packageVersion();
  } catch {
    return undefined;
  }
}

await main(hideBin(process.argv));
