import * as fs from 'node:fs';

/**
 * Removes a file whose writing failed or was given up. The stream is destroyed and waited for first: it opens its
 * file lazily, so removing the path before the stream lets go of it would leave the file behind. Errors the stream
 * reports from here on are about the write already abandoned and are not raised again (the caller has the first).
 */
export async function removePartialFile(out: fs.WriteStream, file: string): Promise<void> {
  out.on('error', () => undefined);
  out.destroy();
  if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
  fs.rmSync(file, { force: true });
}
