/** Reading the zips the CLI writes, in tests: every entry's name and bytes. */
import { readFileSync } from 'node:fs';
import yauzl from 'yauzl';

/** The entries of a zip (name → bytes), from its bytes or its path. */
export function zipEntries(zipFile: Buffer | string): Promise<Map<string, Buffer>> {
  const bytes = typeof zipFile === 'string' ? readFileSync(zipFile) : zipFile;
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const entries = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (b: Buffer) => chunks.push(b));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        }),
      );
      zip.readEntry();
    });
  });
}
