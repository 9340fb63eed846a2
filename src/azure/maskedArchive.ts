import { once } from 'node:events';
import * as fs from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { finished, pipeline } from 'node:stream/promises';
import * as yazl from 'yazl';
import { longestSecretLength, maskSecrets, safeMaskCut } from '../redact/secretMask';
import { removePartialFile } from './partialFile';
import { eachZipEntry } from './zipEntries';

/**
 * Writes a copy of a downloaded archive (results.zip, report.zip) with every secret masked, entry by entry and
 * line by line, streaming. The sample log repeats what the test sent: URLs with `code=` keys or tokens, labels and
 * response messages built from `secrets:` values. The results directory is what pipelines publish as an artifact,
 * so only the masked copy is kept there (docs/security.md).
 *
 * Every entry goes through the one mask (src/redact) as text (CSV, JMeter's .jmx and .log, .tsv, .out, files with
 * no extension, the report's HTML and JavaScript), except known binary types: images and fonts, copied byte for
 * byte (a secret does not end up in a PNG by accident, and masking would garble them). An archive inside the
 * archive can be neither masked as text nor copied unread, so it is left out, and the caller is told. The list
 * names what is safe to copy, not what is text: a file type nobody thought of is masked, never copied as it is.
 *
 * Lines are masked whole. A line longer than 1 MiB (the report's graph.js can hold several MiB on one line) is
 * masked in pieces, each cut where no secret or secret-shaped token straddles it, and (longest registered secret
 * - 1) characters are carried over to the next piece, so a secret at a piece's end is seen whole in the next.
 */
const COPIED_AS_IS = /\.(png|jpe?g|gif|ico|bmp|webp|woff2?|ttf|eot|otf)$/i;
const LEFT_OUT = /\.(zip|jar|war|ear|gz|tgz|bz2|xz|7z|rar|tar)$/i;
const LONGEST_LINE = 1024 * 1024;

/**
 * Uncompressed bytes a masked copy holds at most: every byte is decoded and masked, and a zip under the download
 * cap can inflate without limit (a few MB of zeros become GBs). 4 GiB, as the sample log's CSV cap.
 */
export const MAX_MASKED_BYTES = 4 * 1024 ** 3;

/** The archive inflates past the cap: no copy is made (the caller says so and points to the portal). */
export class ArchiveTooLargeError extends Error {}

/** What the copy left out: archives inside the archive (by entry name). */
export interface MaskedCopy {
  leftOut: string[];
}

export async function writeMaskedArchive(source: string, target: string, signal?: AbortSignal, maxBytes = MAX_MASKED_BYTES): Promise<MaskedCopy> {
  // The sizes the central directory declares are summed before anything is written; yauzl then holds each entry to
  // its declared size, and the running count below holds the whole copy to the cap whatever the directory says.
  let declared = 0;
  await eachZipEntry(source, async (entry) => {
    declared += entry.uncompressedSize;
  }, signal);
  if (declared > maxBytes) throw new ArchiveTooLargeError(tooLarge(declared, maxBytes));
  let inflated = 0;
  const leftOut: string[] = [];
  const zip = new yazl.ZipFile();
  const out = fs.createWriteStream(target);
  // The output is listened to from the first byte: a write error (disk full, folder gone, no permission) stops the
  // entry being read through `stopped` and surfaces here, instead of as an uncaught 'error' that kills the process.
  const stopped = new AbortController();
  let writeError: unknown;
  const written = pipeline(zip.outputStream, out).catch((error: unknown) => {
    writeError = error;
    stopped.abort(error);
  });
  try {
    await eachZipEntry(source, async (entry, open) => {
      if (LEFT_OUT.test(entry.fileName)) return void leftOut.push(entry.fileName);
      const stream = await open();
      const counted = stream.pipe(new Transform({
        transform(chunk: Buffer, _encoding, done) {
          inflated += chunk.length;
          done(inflated > maxBytes ? new ArchiveTooLargeError(tooLarge(inflated, maxBytes, true)) : null, chunk);
        },
      }));
      const content: Readable = COPIED_AS_IS.test(entry.fileName) ? counted : counted.pipe(maskLines());
      stream.on('error', (error) => content.destroy(error));
      counted.on('error', (error) => content.destroy(error));
      zip.addReadStream(content, entry.fileName);
      // yazl stops reading the entry once its output is gone, so the wait ends on a write error too.
      await Promise.race([finished(content), once(stopped.signal, 'abort')]);
      if (writeError) throw writeError;
    }, signal ? AbortSignal.any([signal, stopped.signal]) : stopped.signal);
    zip.end();
    await written;
    if (writeError) throw writeError;
    return { leftOut };
  } catch (error) {
    // Taken before the clean-up, whose destroying the output makes the pipeline fail too (a premature close).
    const cause = signal?.aborted ? error : writeError ?? error;
    await removePartialFile(out, target);
    throw cause;
  }
}

function tooLarge(bytes: number, cap: number, atLeast = false): string {
  const size = (n: number) => (n >= 1024 ** 3 ? `${Math.round((n / 1024 ** 3) * 10) / 10} GiB` : `${Math.round(n / 1024)} KiB`);
  return `it inflates to ${size(bytes)}${atLeast ? ' or more' : ''}, over the ${size(cap)} a masked copy may hold`;
}

/** A transform that masks whole lines, holding back the unfinished last line of each chunk. */
function maskLines(): Transform {
  let pending = '';
  const decoder = new StringDecoder('utf8'); // a character split across two chunks stays whole
  return new Transform({
    decodeStrings: false,
    transform(chunk: Buffer, _encoding, done) {
      pending += decoder.write(chunk);
      const end = pending.lastIndexOf('\n');
      if (end >= 0) {
        this.push(maskSecrets(pending.slice(0, end + 1)));
        pending = pending.slice(end + 1);
      }
      if (pending.length > LONGEST_LINE) {
        const at = pending.length - Math.max(0, longestSecretLength() - 1);
        // A single token over a MiB long has no safe cut; it is cut where the carry-over starts.
        const cut = safeMaskCut(pending, at) || at;
        this.push(maskSecrets(pending.slice(0, cut)));
        pending = pending.slice(cut);
      }
      done();
    },
    flush(done) {
      pending += decoder.end();
      if (pending) this.push(maskSecrets(pending));
      done();
    },
  });
}
