/**
 * A file that cannot be written is the user's to fix (README, "Exit codes": 2), said naming the
 * path, the cause and the option to change; never "internal error", never a hang. Real file
 * systems where this machine has them (/proc takes no new files: ENOENT; sysfs refuses even root:
 * EACCES; a file in the way; a folder in the way), the error objects Node gives otherwise
 * (read-only file system, full disk).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutomlError } from '../../src/util/errors.js';
import { AtomicFileWriter, makeFolder, writeFailure, writeFileAtomic } from '../../src/util/fs.js';
import { REPO_ROOT, runCli } from '../cli/run-cli.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'automl-fs-errors-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The error a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

/** An error as Node's fs gives it. */
function errno(code: string, path: string, syscall = 'open'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, path, syscall, errno: -1 });
}

const hasProc = existsSync('/proc/self');
const hasSys = existsSync('/sys/kernel');

describe('writeFailure: each cause in words, naming the path and the option', () => {
  it.each([
    ['ENOENT', 'its folder does not exist or cannot hold files; choose another --out'],
    ['EACCES', 'permission denied; choose a folder you can write to (--out)'],
    ['EPERM', 'permission denied; choose a folder you can write to (--out)'],
    ['EROFS', 'the file system is read-only; choose another folder (--out)'],
    ['ENOSPC', 'no space left on the device; free some space and run again'],
    ['EDQUOT', 'the disk quota is exceeded; free some space and run again'],
    ['EISDIR', 'a folder of that name is in the way; move it or choose another --out'],
    ['ENOTDIR', 'a file is in the way where a folder is needed; move it or choose another --out'],
    ['EEXIST', 'a file is in the way where a folder is needed; move it or choose another --out'],
  ])('%s', (code, reason) => {
    const e = writeFailure('out/s.csv', errno(code, 'out/.s.csv.1.abcd.tmp'), '--out');
    expect(e).toBeInstanceOf(AutomlError);
    expect((e as AutomlError).code).toBe('WRITE_FAILED');
    expect((e as AutomlError).message).toBe(`cannot write out/s.csv: ${reason} (${code})`);
  });

  it('names the folder where the error was, when it is not the file itself; --out-dir by default', () => {
    const e = writeFailure('a/b/p.json', errno('EACCES', 'a/b', 'mkdir')) as AutomlError;
    expect(e.message).toBe(
      'cannot write a/b/p.json (at a/b): permission denied; choose a folder you can write to (--out-dir) (EACCES)',
    );
  });

  it('leaves other errors as they are (an internal error), and an AutomlError too', () => {
    const other = errno('EBADF', 'x');
    expect(writeFailure('x', other)).toBe(other);
    const mine = new AutomlError('BAD_OPTION', 'x');
    expect(writeFailure('x', mine)).toBe(mine);
  });
});

describe('on real file systems', () => {
  it.skipIf(!hasProc)('a file in /proc (no new files there): ENOENT at open, nothing left', async () => {
    const e = await failure(AtomicFileWriter.open('/proc/x.csv', '--out-train'));
    expect(e).toBeInstanceOf(AutomlError);
    expect((e as Error).message).toBe(
      'cannot write /proc/x.csv: its folder does not exist or cannot hold files; choose another --out-train (ENOENT)',
    );
    expect(readdirSync('/proc').filter((f) => f.includes('x.csv'))).toEqual([]);
  });

  it.skipIf(!hasProc)(
    'a folder to make under /proc: refused at once (Node`s recursive mkdir never returns)',
    async () => {
      const t0 = Date.now();
      const e = await failure(writeFileAtomic('/proc/automl-missing/sub/p.json', '{}'));
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect((e as Error).message).toBe(
        'cannot write /proc/automl-missing/sub/p.json (at /proc/automl-missing): its folder does not exist or cannot hold files; choose another --out-dir (ENOENT)',
      );
    },
  );

  it.skipIf(!hasSys)('sysfs (refused even to root): EACCES', async () => {
    const e = await failure(writeFileAtomic('/sys/kernel/automl.json', '{}', '--metrics'));
    expect((e as Error).message).toMatch(
      /^cannot write \/sys\/kernel\/automl\.json: (permission denied; choose a folder you can write to|the file system is read-only; choose another folder) \(--metrics\) \((EACCES|EPERM|EROFS)\)$/,
    );
  });

  it('a file in the way of the folder: EEXIST (the folder itself) or ENOTDIR (one above it)', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const direct = await failure(writeFileAtomic(join(file, 'p.json'), '{}'));
    expect((direct as Error).message).toBe(
      `cannot write ${join(file, 'p.json')} (at ${file}): a file is in the way where a folder is needed; move it or choose another --out-dir (EEXIST)`,
    );
    const deeper = await failure(AtomicFileWriter.open(join(file, 'sub', 's.csv'), '--out'));
    expect((deeper as Error).message).toBe(
      `cannot write ${join(file, 'sub', 's.csv')} (at ${file}): a file is in the way where a folder is needed; move it or choose another --out (ENOTDIR)`,
    );
  });

  it('a folder where the file goes: EISDIR at the rename, the temporary file removed', async () => {
    const target = join(dir, 'is-a-folder');
    mkdirSync(target);
    const e = await failure(writeFileAtomic(target, 'x', '--out'));
    expect((e as Error).message).toBe(
      `cannot write ${target}: a folder of that name is in the way; move it or choose another --out (EISDIR)`,
    );
    const w = await AtomicFileWriter.open(target, '--out');
    await w.write('a,b\n');
    expect((await failure(w.commit())) as Error).toBeInstanceOf(AutomlError);
    await w.abort();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a process that exits mid-write (a third Ctrl-C) leaves no temporary file behind', () => {
    // Both kinds of write are caught half done: a whole-file write of 64 MB whose temporary file
    // is on disk, and a streamed file opened and written to but not committed.
    const into = join(dir, 'exits');
    mkdirSync(into);
    const script = `
      import { existsSync, readdirSync } from 'node:fs';
      import { AtomicFileWriter, writeFileAtomic } from ${JSON.stringify(join(REPO_ROOT, 'dist/src/util/fs.js'))};
      const into = ${JSON.stringify(into)};
      const w = await AtomicFileWriter.open(into + '/streamed.csv');
      await w.write('a,b\\n1,2\\n');
      void writeFileAtomic(into + '/whole.bin', new Uint8Array(64 << 20));
      const seen = setInterval(() => {
        const tmps = readdirSync(into).filter((f) => f.endsWith('.tmp'));
        if (tmps.length === 2) {
          console.log(tmps.length);
          process.exit(130);
        }
      }, 1);
      setTimeout(() => { clearInterval(seen); console.log('never both'); }, 20000);
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('2');
    expect(child.status).toBe(130);
    expect(readdirSync(into)).toEqual([]);
  });

  it('makeFolder makes the missing folders, one level at a time', async () => {
    const deep = join(dir, 'm', 'n', 'o');
    await makeFolder(deep);
    await makeFolder(deep); // already there
    expect(existsSync(deep)).toBe(true);
    await writeFileAtomic(join(deep, 'f.txt'), 'ok');
    expect(readdirSync(deep)).toEqual(['f.txt']);
  });
});

describe('the command line: exit 2 with the message, not "internal error"', () => {
  it.skipIf(!hasProc)(
    'automl split --out-train /proc/x.csv',
    async () => {
      const r = await runCli(
        [
          'split',
          '--data',
          join(REPO_ROOT, 'recipes', 'hydraulic', 'hydraulic.csv'),
          '--target',
          'cool_cond_y',
          '--out-train',
          '/proc/x.csv',
          '--out-test',
          join(dir, 'te.csv'),
        ],
        { cwd: dir },
      );
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('automl: error: cannot write /proc/x.csv: its folder does not exist');
      expect(r.stderr).not.toContain('internal error');
      expect(existsSync(join(dir, 'te.csv'))).toBe(false);
    },
    60_000,
  );

  it.skipIf(!hasProc)(
    'automl split --out-test /proc/…: exit 2 naming --out-test, and no temporary train file left',
    async () => {
      const out = join(dir, 'split-test-fails');
      const r = await runCli(
        [
          'split',
          '--data',
          join(REPO_ROOT, 'recipes', 'hydraulic', 'hydraulic.csv'),
          '--target',
          'cool_cond_y',
          '--out-train',
          join(out, 'tr.csv'),
          '--out-test',
          '/proc/automl-missing/te.csv',
        ],
        { cwd: dir },
      );
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('choose another --out-test (ENOENT)');
      expect(readdirSync(out)).toEqual([]);
    },
    60_000,
  );

  it.skipIf(!hasProc)(
    'automl score --out under a folder that cannot be made',
    async () => {
      const r = await runCli(
        [
          'score',
          '--pipeline',
          join(REPO_ROOT, 'pipelines', 'examples', 'binary-categorical.pipeline.json'),
          '--data',
          join(REPO_ROOT, 'recipes', 'hydraulic', 'hydraulic.csv'),
          '--out',
          '/proc/automl-missing/s.csv',
        ],
        { cwd: dir },
      );
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(
        'automl: error: cannot write /proc/automl-missing/s.csv (at /proc/automl-missing): its folder does not exist or cannot hold files; choose another --out (ENOENT)\n',
      );
    },
    60_000,
  );
});
