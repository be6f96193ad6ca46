import { statSync } from 'node:fs';
import { loadPipeline } from '../artifact/scorer.js';
import type { CsvDelimiter, DecimalMark } from '../serve/csv-records.js';
import { parseEncoding } from '../serve/decode.js';
import { startServer, type FileReading } from '../serve/server.js';
import { AutomlError } from '../util/errors.js';
import { checkNumber, OPTION_NUMBERS } from './numbers.js';
import { EXIT, signalExitCode } from './exit.js';
import type { Output } from './output.js';

export interface ServeArgs {
  pipeline: string;
  port: number;
  host: string;
  maxBody: string;
  apiKey?: string;
  allowFileScoring?: string;
  /** How `GET /model/score?file=` reads files, as `automl score` does (README: Input files). */
  encoding?: string;
  delimiter?: string;
  decimal?: string;
  log: boolean;
}

/**
 * `--encoding`, `--delimiter`, `--decimal`: how the files of `GET /model/score?file=` are read.
 * They apply to those files only, so without `--allow-file-scoring` they are a mistake.
 */
export function fileReading(args: ServeArgs): FileReading {
  const given = (['encoding', 'delimiter', 'decimal'] as const).filter((k) => args[k] !== undefined);
  if (given.length > 0 && args.allowFileScoring === undefined)
    throw new AutomlError(
      'BAD_OPTION',
      `${given.map((k) => `--${k}`).join(', ')}: how files scored with GET /model/score?file= are read; add --allow-file-scoring DIR, or leave ${given.length === 1 ? 'it' : 'them'} out`,
    );
  const encoding = parseEncoding(args.encoding);
  return {
    ...(encoding ? { encoding } : {}),
    ...(args.delimiter !== undefined
      ? { delimiter: (args.delimiter === 'tab' ? '\t' : args.delimiter) as CsvDelimiter }
      : {}),
    ...(args.decimal !== undefined ? { decimal: args.decimal as DecimalMark } : {}),
  };
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `10mb`, `512kb`, `1048576` → bytes. */
export function parseSize(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  const bytes = m ? Math.floor(Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()]!) : NaN;
  if (!(bytes >= 1))
    throw new AutomlError(
      'BAD_OPTION',
      `${option} must be a size such as 10mb, 512kb or 1048576 (bytes); got '${text}'`,
    );
  return bytes;
}

export async function serveCommand(args: ServeArgs, out: Output): Promise<void> {
  checkNumber('--port', args.port, OPTION_NUMBERS.port);
  const maxBodyBytes = parseSize(args.maxBody, '--max-body');
  const reading = fileReading(args);
  const apiKey = args.apiKey ?? (process.env['AUTOML_API_KEY'] || undefined);
  if (apiKey !== undefined && apiKey.length === 0)
    throw new AutomlError('BAD_OPTION', '--api-key is empty; give a key, or leave the option out');
  if (args.allowFileScoring !== undefined) {
    let isDir = false;
    try {
      isDir = statSync(args.allowFileScoring).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir)
      throw new AutomlError(
        'BAD_OPTION',
        `--allow-file-scoring ${args.allowFileScoring}: no such folder; name a folder whose CSV files the server may score`,
      );
  }
  const scorer = loadPipeline(args.pipeline);
  const log = args.log ? (line: string) => process.stdout.write(`${line}\n`) : undefined;
  let server;
  try {
    server = await startServer(scorer, {
      port: args.port,
      host: args.host,
      maxBodyBytes,
      ...(apiKey !== undefined ? { apiKey } : {}),
      ...(args.allowFileScoring !== undefined
        ? { allowFileScoringDir: args.allowFileScoring, fileReading: reading }
        : {}),
      ...(log ? { log } : {}),
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE')
      throw new AutomlError(
        'PORT_IN_USE',
        `port ${args.port} on ${args.host} is in use; stop what holds it or choose another --port`,
      );
    if (code === 'EACCES')
      throw new AutomlError(
        'PORT_DENIED',
        `port ${args.port} on ${args.host} needs privileges; choose a port above 1023`,
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new AutomlError('BAD_OPTION', `--host ${args.host} is not an address of this machine`);
    throw e;
  }
  const file = scorer.file;
  // The listening line goes out even with --quiet: scripts (and tests) wait for it.
  process.stdout.write(`automl serve: listening on ${server.url}\n`);
  out.note(
    `pipeline ${file.name} (${file.pipelineId}): ${file.task} on ${file.target}, ${scorer.fields.length} input fields${apiKey !== undefined ? '; API key required' : ''}`,
  );
  out.note(`POST ${server.url}/model/score   docs ${server.url}/docs   Ctrl-C stops`);

  // A graceful stop, as servers do (README, "Exit codes"): no new connections, requests in flight
  // finish, then exit 0. A second signal while waiting stops at once: 130 (SIGINT) or 143 (SIGTERM).
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`automl serve: ${signal} again: stopping now\n`);
        process.exit(signalExitCode(signal));
      }
      stopping = true;
      out.note(`automl serve: ${signal}: finishing requests in flight, then stopping`);
      server.close().then(resolve, (e: unknown) => {
        // Not a user's mistake: the stop itself failed (exit 1, as any internal error).
        process.stderr.write(`automl serve: error while stopping: ${String(e)}\n`);
        process.exitCode = EXIT.internalError;
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  out.note('automl serve: stopped');
}
