import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { AutomlError } from './errors.js';

/**
 * A file-system error while writing `path`, in words a user can act on (an AutomlError, exit
 * code 2), or the error itself when it is not one of the usual causes. `option` is the option
 * that named the path, for the advice (default `--out-dir`, automl run's).
 *
 * @example
 * writeFailure('/proc/x.csv', enoent, '--out-train');
 * // cannot write /proc/x.csv: its folder does not exist or cannot hold files; choose another --out-train (ENOENT)
 */
export function writeFailure(path: string, e: unknown, option = '--out-dir'): unknown {
  if (e instanceof AutomlError) return e;
  const err = e as NodeJS.ErrnoException;
  const where = err.path && err.path !== path && !err.path.includes('.tmp') ? ` (at ${err.path})` : '';
  const why: Record<string, string> = {
    ENOENT: `its folder does not exist or cannot hold files; choose another ${option}`,
    EEXIST: `a file is in the way where a folder is needed; move it or choose another ${option}`,
    ENOTDIR: `a file is in the way where a folder is needed; move it or choose another ${option}`,
    EACCES: `permission denied; choose a folder you can write to (${option})`,
    EPERM: `permission denied; choose a folder you can write to (${option})`,
    EROFS: `the file system is read-only; choose another folder (${option})`,
    ENOSPC: 'no space left on the device; free some space and run again',
    EDQUOT: 'the disk quota is exceeded; free some space and run again',
    EFBIG: 'the file is larger than the file system allows; choose another folder',
    EISDIR: `a folder of that name is in the way; move it or choose another ${option}`,
    ENAMETOOLONG: `the name is too long for the file system; choose a shorter ${option}`,
  };
  const reason = err.code ? why[err.code] : undefined;
  return reason ? new AutomlError('WRITE_FAILED', `cannot write ${path}${where}: ${reason} (${err.code})`) : e;
}

/** An errno-style error, as the file system would give it. */
function fsError(code: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${path}`), { code, path });
}

/**
 * The folder `dir` and those above it that are missing, made one level at a time (Node's
 * `mkdir(…, { recursive: true })` never returns for a folder under /proc, where mkdir answers
 * ENOENT). A file in the way is EEXIST (it is `dir` itself) or ENOTDIR (a folder above it).
 */
export async function makeFolder(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ;) {
    let isDir: boolean | null = null;
    try {
      isDir = (await stat(d)).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    }
    if (isDir === false) throw fsError(missing.length === 0 ? 'EEXIST' : 'ENOTDIR', d);
    if (isDir) break;
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d);
    } catch (e) {
      // Made meanwhile by another process: fine if it is a folder.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(d)).isDirectory()) throw e;
    }
  }
}

/**
 * Temporary names handed out and not yet settled. A process that exits (`process.exit`, as a
 * second or third Ctrl-C does, whatever is being written) removes those files as it exits, so
 * nothing is left behind; a name already renamed into place is no file any more, and costs
 * nothing there.
 */
const inFlight = new Set<string>();
let removingOnExit = false;

/**
 * A temporary name beside `path`, so that the final rename stays on one file system. Its file is
 * removed if the process exits before it is renamed (see {@link inFlight}).
 */
export function tempPathFor(path: string): string {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  if (!removingOnExit) {
    removingOnExit = true;
    process.on('exit', () => {
      for (const p of inFlight) rmSync(p, { force: true });
    });
  }
  inFlight.add(tmp);
  return tmp;
}

/**
 * Writes a whole file under a temporary name and renames it into place (making its folder).
 * `option` names the option that gave the path, for the advice of an error.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, option?: string): Promise<void> {
  try {
    await makeFolder(dirname(path));
  } catch (e) {
    throw writeFailure(path, e, option);
  }
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw writeFailure(path, e, option);
  } finally {
    inFlight.delete(tmp);
  }
}

/**
 * A file written as a stream under a temporary name: `commit()` renames it into place,
 * `abort()` removes it. Nothing appears at `path` unless `commit()` succeeds. Every file-system
 * error (opening, writing, renaming) is said as {@link writeFailure} says it.
 */
export class AtomicFileWriter {
  readonly tmpPath: string;
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly option: string | undefined,
  ) {
    this.tmpPath = tempPathFor(path);
    this.stream = createWriteStream(this.tmpPath);
    this.stream.on('error', (e) => {
      this.failure ??= e;
    });
  }

  /**
   * Makes the folder and opens the temporary file: a path that cannot be written is refused here,
   * before anything is read or computed. `option` names the option that gave the path.
   */
  static async open(path: string, option?: string): Promise<AtomicFileWriter> {
    try {
      await makeFolder(dirname(path));
    } catch (e) {
      throw writeFailure(path, e, option);
    }
    const writer = new AtomicFileWriter(path, option);
    try {
      await once(writer.stream, 'open');
    } catch (e) {
      await writer.abort();
      throw writeFailure(path, e, option);
    }
    return writer;
  }

  private failed(e: unknown): unknown {
    return writeFailure(this.path, e, this.option);
  }

  /** Writes text, waiting for the stream to drain when its buffer is full. */
  async write(text: string): Promise<void> {
    if (this.failure) throw this.failed(this.failure);
    if (!this.stream.write(text)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          this.stream.off('error', onError);
          resolve();
        };
        const onError = (e: Error): void => {
          this.stream.off('drain', onDrain);
          reject(this.failed(e));
        };
        this.stream.once('drain', onDrain);
        this.stream.once('error', onError);
      });
    }
  }

  async commit(): Promise<void> {
    try {
      this.stream.end();
      await finished(this.stream);
      if (this.failure) throw this.failure;
      await rename(this.tmpPath, this.path);
      inFlight.delete(this.tmpPath);
    } catch (e) {
      throw this.failed(e);
    }
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await finished(this.stream).catch(() => undefined);
    await rm(this.tmpPath, { force: true });
    inFlight.delete(this.tmpPath);
  }
}
