import { parse } from 'csv-parse';
import type { Histogram } from 'hdr-histogram-js';
import type { Readable } from 'node:stream';
import { newHistogram } from '../load/engine/recorder';
import { maskSecrets } from '../redact/secretMask';
import { eachZipEntry } from './zipEntries';

/**
 * Reads the sample log of an Azure Load Testing run (results.zip) into the same HDR histograms the local engine
 * keeps (src/load/engine/recorder.ts newHistogram: microseconds, 3 significant digits), one per label and one for
 * the Total, streaming: the archive is read entry by entry and each CSV row by row, so the size of the log never
 * reaches memory; the histograms are a fixed size whatever the number of samples.
 *
 * The format, as documented (MicrosoftDocs/azure-docs, articles/load-testing/how-to-export-test-results.md): the
 * archive holds one CSV file per test engine instance, in Apache JMeter's CSV log format with a header row
 * (`timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,...`).
 * `elapsed` is the full response time in milliseconds, `success` is `true`/`false`.
 *
 * Rows left out, so each request counts once:
 * - sub-results: JMeter writes a sample's sub-results (followed redirects, embedded resources) as rows of their own
 *   right after it, labelled `<label>-<n>` (apache/jmeter CSVSaveService.saveSampleResult with
 *   `jmeter.save.saveservice.subresults`, on by default). Their time is already inside the parent's `elapsed`. A row
 *   is a sub-result when its label is the label of the last counted row of the same thread followed by `-<digits>`
 *   AND its time, [timeStamp, timeStamp + elapsed], lies within that row's (JMeter's jmeter.properties sets
 *   `sampleresult.timestamp.start=true`, so timeStamp is the start). A plan whose samplers are named `Search` and
 *   `Search-2` keeps every `Search-2` sample: one sampler runs after the other, not inside it. Without a numeric
 *   timeStamp column no row is taken for a sub-result.
 * - transaction controller samples: a transaction controller's own row sums the samples inside it, which are rows
 *   of their own too. JMeter marks it with the response message `Number of samples in transaction : ...`
 *   (apache/jmeter TransactionController.NUMBER_OF_SAMPLES_IN_TRANSACTION_PREFIX), and that is how it is known here.
 *
 * Anything unexpected (no CSV in the archive, a missing column, a malformed row, a truncated archive, past a size
 * cap) gives back a warning that names the file and the line, and no histogram at all: a partial log would be a
 * distribution of some other run.
 */
export interface LabelSamples {
  histogram: Histogram;
  requests: number;
  /** Failed samples with an HTTP status >= 400, as the local engine counts them. */
  httpErrors: number;
  /** Failed samples without one: JMeter writes `Non HTTP response code: <exception>` for refused, reset, timed out. */
  networkErrors: number;
  /**
   * Failed samples answered with a status below 400: an assertion failed on the response (a 200 without the
   * expected text, say). The service counts them as errors; they are neither HTTP nor network errors.
   */
  otherFailures: number;
}

export interface SampleLog {
  /** By label, unmasked (they are matched against the service's sampler names); masked wherever they are shown. */
  labels: Map<string, LabelSamples>;
  total: LabelSamples;
  /** The CSV files read, in archive order. */
  files: string[];
  excluded: { subResults: number; transactionControllers: number };
}

export type SampleLogOutcome = { log: SampleLog; warning?: undefined } | { log?: undefined; warning: string };

export interface SampleLogLimits {
  /** Uncompressed bytes of CSV read at most. Default 4 GiB (about 40 million samples). */
  maxCsvBytes?: number;
  /** Distinct labels at most; each costs a histogram (up to a few hundred KB). Default 1000. */
  maxLabels?: number;
}

export const SAMPLE_LOG_LIMITS: Readonly<Required<SampleLogLimits>> = Object.freeze({ maxCsvBytes: 4 * 1024 ** 3, maxLabels: 1000 });

const TRANSACTION_MESSAGE = 'Number of samples in transaction : ';
const REQUIRED_COLUMNS = ['elapsed', 'label', 'success'] as const;

class SampleLogError extends Error {}

/** Reads `zipFile` (the downloaded results.zip); `shownAs` names it in warnings. Never throws; aborted, it warns so. */
export async function readSampleLog(zipFile: string, shownAs = 'results.zip', limits: SampleLogLimits = {}, signal?: AbortSignal): Promise<SampleLogOutcome> {
  const max = { ...SAMPLE_LOG_LIMITS, ...limits };
  const log: SampleLog = { labels: new Map(), total: emptySamples(), files: [], excluded: { subResults: 0, transactionControllers: 0 } };
  let csvBytes = 0;
  try {
    await eachZipEntry(zipFile, async (entry, open) => {
      if (!/\.(csv|jtl)$/i.test(entry.fileName)) return;
      csvBytes += entry.uncompressedSize;
      if (csvBytes > max.maxCsvBytes) {
        throw new SampleLogError(`${shownAs}: its CSV files hold more than ${gib(max.maxCsvBytes)} uncompressed (at ${entry.fileName}); ` +
          'the sample log was not read');
      }
      log.files.push(entry.fileName);
      await readCsv(await open(), `${shownAs}/${entry.fileName}`, log, max.maxLabels);
    }, signal);
  } catch (error) {
    if (signal?.aborted) return { warning: `${shownAs}: reading was cancelled` };
    const reason = error instanceof SampleLogError ? error.message : `${shownAs}: ${zipProblem(error)}`;
    return { warning: maskSecrets(reason) };
  }
  if (log.files.length === 0) return { warning: `${shownAs}: the archive holds no CSV file, so there is no sample log to read` };
  if (log.total.requests === 0) return { warning: `${shownAs}: its CSV files (${log.files.join(', ')}) hold no sample` };
  return { log };
}

async function readCsv(stream: Readable, where: string, log: SampleLog, maxLabels: number): Promise<void> {
  // 'data' events and the parser's live line count, not `info: true` records: half the cost per row (bench/sample-log.ts).
  const parser = parse({ relax_column_count: false, skip_empty_lines: true, max_record_size: 1024 * 1024 });
  let columns: Record<string, number> | undefined;
  const lastOfThread = new Map<string, { label: string; start: number; end: number }>();
  const onRecord = (record: string[]) => {
    const line = parser.info.lines;
    if (!columns) {
      columns = Object.fromEntries(record.map((name, i) => [name.trim(), i]));
      const missing = REQUIRED_COLUMNS.filter((c) => columns![c] === undefined);
      if (missing.length) {
        throw new SampleLogError(`${where}: line ${line}: the header names no ${missing.map((m) => `"${m}"`).join(', ')} column; ` +
          'Azure Load Testing writes JMeter\'s CSV log format with a header row (timeStamp,elapsed,label,...)');
      }
      return;
    }
    const field = (name: string) => (columns![name] === undefined ? '' : record[columns![name]]);
    const elapsed = field('elapsed');
    const success = field('success');
    if (!/^\d+$/.test(elapsed)) throw new SampleLogError(`${where}: line ${line}: elapsed "${quoted(elapsed)}" is not a whole number of milliseconds`);
    if (success !== 'true' && success !== 'false') throw new SampleLogError(`${where}: line ${line}: success "${quoted(success)}" is neither true nor false`);
    const label = field('label');
    const thread = field('threadName');
    if (field('responseMessage').startsWith(TRANSACTION_MESSAGE)) {
      log.excluded.transactionControllers++;
      return;
    }
    const stamp = field('timeStamp');
    const start = /^\d+$/.test(stamp) ? Number(stamp) : NaN;
    const end = start + Number(elapsed);
    const parent = lastOfThread.get(thread);
    if (parent && isSubResultLabel(label, parent.label) && start >= parent.start && end <= parent.end) {
      log.excluded.subResults++;
      return;
    }
    lastOfThread.set(thread, { label, start, end });
    let samples = log.labels.get(label);
    if (!samples) {
      if (log.labels.size >= maxLabels) throw new SampleLogError(`${where}: line ${line}: more than ${maxLabels} distinct labels; the sample log was not read`);
      samples = emptySamples();
      log.labels.set(label, samples);
    }
    // JMeter measures whole milliseconds; the histogram counts microseconds, with 1 µs as its floor (as the local engine).
    const micros = Math.max(1, Number(elapsed) * 1000);
    const failed = success === 'false';
    const code = field('responseCode');
    const kind = !failed ? undefined : !/^\d+$/.test(code) ? 'networkErrors' : Number(code) >= 400 ? 'httpErrors' : 'otherFailures';
    for (const s of [samples, log.total]) {
      s.requests++;
      s.histogram.recordValue(micros);
      if (kind) s[kind]++;
    }
  };
  await new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => {
      stream.unpipe(parser);
      stream.destroy();
      parser.destroy();
      reject(describe(error, where));
    };
    parser.on('data', (record: string[]) => {
      try {
        onRecord(record);
      } catch (error) {
        fail(error);
      }
    });
    parser.on('error', fail);
    // If the archive breaks mid-entry (a truncated download), the inflate stream errors.
    stream.on('error', fail);
    parser.on('end', () => resolve());
    stream.pipe(parser);
  });
  if (!columns) throw new SampleLogError(`${where}: the file is empty (no header row)`);
}

/** A field quoted in a warning: masked whole, then shortened (cut first, a secret's head would be missed by the mask). */
function quoted(value: string): string {
  return maskSecrets(value).slice(0, 40);
}

/** `<parent>-<digits>`, as JMeter labels a sample's sub-results. */
function isSubResultLabel(label: string, parent: string): boolean {
  return label.length > parent.length + 1 && label.startsWith(`${parent}-`) && /^\d+$/.test(label.slice(parent.length + 1));
}

function describe(error: unknown, where: string): SampleLogError {
  if (error instanceof SampleLogError) return error;
  const csv = error as { code?: string; lines?: number; message?: string };
  if (typeof csv.code === 'string' && csv.code.startsWith('CSV_')) return new SampleLogError(`${where}: line ${csv.lines ?? '?'}: not valid CSV (${csv.message})`);
  return new SampleLogError(`${where}: ${zipProblem(error)}`);
}

function emptySamples(): LabelSamples {
  return { histogram: newHistogram(), requests: 0, httpErrors: 0, networkErrors: 0, otherFailures: 0 };
}

function zipProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `could not be read as a zip archive (${message}); it may be truncated or damaged`;
}

function gib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${Math.round((bytes / 1024 ** 3) * 10) / 10} GiB` : `${Math.round(bytes / 1024)} KiB`;
}

