import * as yazl from 'yazl';

/**
 * The sample log an emulated run leaves in results.zip, generated from a modelled distribution so tests know its
 * percentiles. Shape as documented (MicrosoftDocs/azure-docs, articles/load-testing/how-to-export-test-results.md):
 * one CSV per engine instance, JMeter's CSV log format with its header row and the columns of the documented sample
 * (timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,
 * grpThreads,allThreads,URL,Latency,IdleTime,Connect), thread names prefixed with the engine's address as in that
 * sample. The archive's file names are not documented; the emulator's are an assumption (docs/emulators.md).
 *
 * Response times follow a shifted exponential: the i-th of n samples of a request takes
 * scale * (baseMs + tailMs * ln(1 / (1 - (i + 0.5) / n))) ms, rounded to whole ms as JMeter writes them. So the
 * p-th percentile is close to scale * (baseMs + tailMs * ln(1 / (1 - p))) (modelPercentile).
 */
export interface ModelledRequest {
  label: string;
  count: number;
  baseMs: number;
  tailMs: number;
  /** Every n-th sample fails with HTTP 500. */
  errorEvery?: number;
  /** Every n-th sample fails without an HTTP response (JMeter's "Non HTTP response code: ..."). */
  networkErrorEvery?: number;
}

export interface SampleLogModel {
  requests: ModelledRequest[];
  /** Engine instances; the samples are dealt out among them, one CSV each. Default 2. */
  engines?: number;
  /** Multiplies every response time: 1.2 is a run 20% slower. Default 1. */
  scale?: number;
  /** Adds, after every 10th sample, a sub-result row `<label>-0` and a transaction controller row "Journey". */
  withParents?: boolean;
  /** Appended to each sample's URL (a query string carrying a secret, say). */
  urlSuffix?: string;
}

export interface GeneratedSample {
  label: string;
  elapsed: number;
  success: boolean;
  responseCode: string;
}

const HEADER = 'timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect';
const START = 1_767_000_000_000;

export function modelPercentile(request: ModelledRequest, percentile: number, scale = 1): number {
  return scale * (request.baseMs + request.tailMs * Math.log(1 / (1 - percentile / 100)));
}

/** The samples of the model, interleaved across requests (as concurrent users would produce them). */
export function modelledSamples(model: SampleLogModel): GeneratedSample[] {
  const scale = model.scale ?? 1;
  const perRequest = model.requests.map((r) => Array.from({ length: r.count }, (_, i): GeneratedSample => {
    const network = r.networkErrorEvery && (i + 1) % r.networkErrorEvery === 0;
    const http = !network && r.errorEvery && (i + 1) % r.errorEvery === 0;
    const elapsed = Math.round(scale * (r.baseMs + r.tailMs * Math.log(1 / (1 - (i + 0.5) / r.count))));
    return { label: r.label, elapsed, success: !network && !http,
      responseCode: network ? 'Non HTTP response code: java.net.SocketTimeoutException' : http ? '500' : '200' };
  }));
  // Deal the sorted samples out in a fixed scrambled order so each engine sees the whole range.
  const out: GeneratedSample[] = [];
  const longest = Math.max(...perRequest.map((s) => s.length));
  for (let k = 0; k < longest; k++) {
    const i = (k * 7919) % longest; // 7919 is prime, so this visits every index once when longest is not a multiple of it
    for (const samples of perRequest) if (i < samples.length) out.push(samples[i]);
  }
  return out;
}

/** The model's sample log as JMeter CSV files, one per engine. */
export function sampleLogFiles(model: SampleLogModel): Array<{ name: string; csv: string }> {
  const engines = model.engines ?? 2;
  const lines: string[][] = Array.from({ length: engines }, () => [HEADER]);
  modelledSamples(model).forEach((s, n) => {
    const engine = n % engines;
    const thread = `172.18.33.${engine + 7}-Thread Group 1-${(n % 5) + 1}`;
    const ts = START + n * 10;
    const url = `https://app.example.test/${encodeURIComponent(s.label)}${model.urlSuffix ?? ''}`;
    const message = s.responseCode === '200' ? 'OK' : s.responseCode === '500' ? 'Internal Server Error' : 'Read timed out';
    const row = (label: string, elapsed: number, responseMessage: string) =>
      [ts, elapsed, label, s.responseCode, responseMessage, thread, 'text', s.success, s.success ? '' : 'failed', 1607, 133, 5, 5, url,
        Math.max(0, elapsed - 2), 0, 1].map(csvField).join(',');
    lines[engine].push(row(s.label, s.elapsed, message));
    if (model.withParents && n % 10 === 0) {
      lines[engine].push(row(`${s.label}-0`, Math.max(0, s.elapsed - 1), message));
      lines[engine].push(row('Journey', 5000 + s.elapsed, 'Number of samples in transaction : 2, number of failing samples : 0'));
    }
  });
  return lines.map((l, i) => ({ name: `engine${i + 1}/results.csv`, csv: `${l.join('\n')}\n` }));
}

export async function zipOf(files: Array<{ name: string; content: string | Buffer }>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addBuffer(Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content), f.name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function resultsZipOf(model: SampleLogModel): Promise<Buffer> {
  return zipOf(sampleLogFiles(model).map((f) => ({ name: f.name, content: f.csv })));
}

/**
 * TestRunStatistics computed from the same samples, so the service's figures and the sample log agree as they do
 * live: JMeter-style percentiles (the smallest sample with at least p% of samples at or below it), over a 60 s run.
 */
export function statisticsOf(model: SampleLogModel): Record<string, Record<string, number>> {
  const samples = modelledSamples(model);
  const groups = new Map<string, GeneratedSample[]>([['Total', samples]]);
  for (const s of samples) groups.set(s.label, [...(groups.get(s.label) ?? []), s]);
  return Object.fromEntries([...groups].map(([name, list]) => {
    const sorted = list.map((s) => s.elapsed).sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
    const errors = list.filter((s) => !s.success).length;
    return [name, {
      sampleCount: list.length, errorCount: errors, errorPct: Math.round((10000 * errors) / list.length) / 100,
      meanResTime: sorted.reduce((a, b) => a + b, 0) / sorted.length, medianResTime: at(50), minResTime: sorted[0], maxResTime: sorted[sorted.length - 1],
      pct75ResTime: at(75), pct1ResTime: at(90), pct2ResTime: at(95), pct3ResTime: at(99), pct96ResTime: at(96), pct97ResTime: at(97),
      pct98ResTime: at(98), pct999ResTime: at(99.9), pct9999ResTime: at(99.99), throughput: Math.round((100 * list.length) / 60) / 100,
    }];
  }));
}

function csvField(value: string | number | boolean): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
