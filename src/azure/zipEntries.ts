import { addAbortSignal, type Readable } from 'node:stream';
import * as yauzl from 'yauzl';

export interface ZipEntryInfo {
  fileName: string;
  uncompressedSize: number;
}

/**
 * Visits each file of a zip archive in order, one at a time (yauzl with lazy entries: the central directory is
 * read from the end of the file, so a truncated archive fails up front; each entry streams, and yauzl checks that
 * it inflates to the size the directory declares, which stops a zip bomb at its declared size). `visit` gets an
 * opener for the entry's stream and must finish with it before it returns. Directory entries are skipped. Aborting
 * `signal` destroys the entry being read, so the visit fails and no further entry is visited.
 */
export async function eachZipEntry(zipFile: string, visit: (entry: ZipEntryInfo, open: () => Promise<Readable>) => Promise<void>,
  signal?: AbortSignal): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(zipFile, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (error, z) => (error ? reject(error) : resolve(z))));
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        if (signal?.aborted) return reject(signal.reason);
        const open = () => new Promise<Readable>((res, rej) =>
          zip.openReadStream(entry, (error, stream) => (error ? rej(error) : res(signal ? addAbortSignal(signal, stream) : stream))));
        visit({ fileName: entry.fileName, uncompressedSize: entry.uncompressedSize }, open).then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}
