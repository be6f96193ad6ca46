import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { AutomlError } from './errors.js';

/**
 * A file-system error while writing `path`, in words a user can act on (an AutomlError), or the
 * error itself when it is not one of the usual causes.
 */
export function writeFailure(path: string, e: unknown): unknown {
  const err = e as NodeJS.ErrnoException;
  const where = err.path && err.path !== path && !err.path.includes('.tmp') ? ` (at ${err.path})` : '';
  const why: Record<string, string> = {
    EEXIST: 'a file is in the way where a folder is needed; move it or choose another --out-dir',
    ENOTDIR: 'a file is in the way where a folder is needed; move it or choose another --out-dir',
    EACCES: 'permission denied; choose a folder you can write to (--out-dir)',
    EPERM: 'permission denied; choose a folder you can write to (--out-dir)',
    EROFS: 'the file system is read-only; choose another folder (--out-dir)',
    ENOSPC: 'no space left on the device; free some space and run again',
    EDQUOT: 'the disk quota is exceeded; free some space and run again',
    EISDIR: 'a folder of that name is in the way; move it or choose another name',
  };
  const reason = err.code ? why[err.code] : undefined;
  return reason ? new AutomlError('WRITE_FAILED', `cannot write ${path}${where}: ${reason} (${err.code})`) : e;
}

/** A temporary name beside `path`, so that the final rename stays on one file system. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes a whole file under a temporary name and renames it into place. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (e) {
    throw writeFailure(path, e);
  }
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw writeFailure(path, e);
  }
}

/**
 * A file written as a stream under a temporary name: `commit()` renames it into place,
 * `abort()` removes it. Nothing appears at `path` unless `commit()` succeeds.
 */
export class AtomicFileWriter {
  readonly tmpPath: string;
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  private constructor(readonly path: string) {
    this.tmpPath = tempPathFor(path);
    this.stream = createWriteStream(this.tmpPath);
    this.stream.on('error', (e) => {
      this.failure ??= e;
    });
  }

  static async open(path: string): Promise<AtomicFileWriter> {
    try {
      await mkdir(dirname(path), { recursive: true });
    } catch (e) {
      throw writeFailure(path, e);
    }
    return new AtomicFileWriter(path);
  }

  /** Writes text, waiting for the stream to drain when its buffer is full. */
  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.stream.write(text)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          this.stream.off('error', onError);
          resolve();
        };
        const onError = (e: Error): void => {
          this.stream.off('drain', onDrain);
          reject(e);
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
    } catch (e) {
      throw writeFailure(this.path, e);
    }
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await finished(this.stream).catch(() => undefined);
    await rm(this.tmpPath, { force: true });
  }
}
