import { gunzipSync } from 'node:zlib';
import { CheckFailedError } from '../../errors';

/**
 * Opens a PGlite `dumpDataDir()` tarball (gzip or plain tar) and checks the tar structure before PGlite sees it.
 * PGlite 0.5 decompresses through a DecompressionStream whose write promise nobody awaits, so a damaged gzip
 * crashes the whole process with an unhandled rejection instead of failing the load. Checking here turns a bad
 * backup into a failed drill with a reason.
 */
export function openTarball(bytes: Buffer, name: string): Blob {
  let tar = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      tar = gunzipSync(bytes);
    } catch (error) {
      throw new CheckFailedError(`The backup ${name} is a damaged gzip file (${(error as Error).message}); it cannot be restored.`);
    }
  }
  const problem = tarProblem(tar);
  if (problem) throw new CheckFailedError(`The backup ${name} is not a complete data-directory tarball: ${problem}.`);
  return new Blob([new Uint8Array(tar)]);
}

/** Walks ustar headers (512-byte blocks, size in octal at offset 124) to the end-of-archive marker. */
function tarProblem(tar: Buffer): string | undefined {
  let offset = 0;
  let entries = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return entries ? undefined : 'it holds no files';
    if (header.toString('latin1', 257, 262) !== 'ustar') return `no tar header at byte ${offset}`;
    const size = parseInt(header.toString('latin1', 124, 136).replace(/\0.*$/, '').trim() || '0', 8);
    offset += 512 + Math.ceil(size / 512) * 512;
    entries++;
    if (offset > tar.length) return `it ends inside a file (entry ${entries})`;
  }
  return `it ends without the end-of-archive marker after ${entries} entries`;
}
