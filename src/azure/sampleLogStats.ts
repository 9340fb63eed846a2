import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import type { LoadTestMetrics, RequestStats } from '../evidence/types';
import { percentiles, round } from '../load/engine/recorder';
import type { LabelSamples, SampleLogOutcome } from './sampleLog';

/**
 * Joins the sample log (src/azure/sampleLog.ts) to the service's statistics. The service's figures stay what the
 * verdict is judged on (they are what its own criteria used); the log adds what the service does not expose: the
 * whole response-time distribution (`latencyHistogram`, which the baseline comparison reads) and the split of
 * errors into HTTP and network errors.
 *
 * The log is written by the engines running the test script, and the script decides what a row looks like: it can
 * make a slow sample look like a transaction controller or sub-result row, which the reader leaves out, and so
 * flatter the percentiles a regression is judged on. So a scope's distribution is used only when it is the one the
 * service measured: the same number of requests, and the same percentiles the service reports (median, p75, p90,
 * p95, p99) within the histogram's precision (0.1%) plus 1 ms. Otherwise that scope keeps the service's figures
 * and `metrics.azure.sampleLog` says why (docs/security.md).
 */
const CHECKED: ReadonlyArray<[keyof RequestStats['latencyMs'], number]> = [['p50', 50], ['p75', 75], ['p90', 90], ['p95', 95], ['p99', 99]];

/** Why the log's samples of a scope are not the requests the service measured, or undefined when they are. */
export function sampleLogDisagreement(stats: RequestStats, samples: LabelSamples): string | undefined {
  if (samples.requests !== stats.requests) return `${stats.name}: the log counts ${samples.requests} requests where the service counts ${stats.requests}`;
  const ours = percentiles(samples.histogram, CHECKED.map(([, p]) => p), false).map((us) => us / 1000);
  for (let i = 0; i < CHECKED.length; i++) {
    const [key] = CHECKED[i];
    const theirs = stats.latencyMs[key] ?? 0;
    if (Math.abs(ours[i] - theirs) > theirs * 0.001 + 1) return `${stats.name}: the log's ${key} is ${round(ours[i])} ms where the service's is ${theirs} ms`;
  }
  return undefined;
}

export function withSampleLog(stats: RequestStats, samples: LabelSamples | undefined): RequestStats {
  if (!samples || samples.requests === 0 || sampleLogDisagreement(stats, samples)) return stats;
  const out: RequestStats = { ...stats, latencyHistogram: encodeIntoCompressedBase64(samples.histogram) };
  // The evidence holds errors as HTTP (>= 400) plus network errors. A failed assertion on a 2xx or 3xx is neither,
  // so with any of those the split would not add up to the service's errors, and the service's figures stay.
  if (samples.otherFailures === 0 && samples.httpErrors + samples.networkErrors === stats.errors) {
    out.httpErrors = samples.httpErrors;
    out.networkErrors = samples.networkErrors;
  }
  return out;
}

/** What the evidence says about the sample log: read (what was left out, which scopes were not used) or why not. */
export function sampleLogNote(outcome: SampleLogOutcome | undefined, disagreements: string[] = []): NonNullable<LoadTestMetrics['azure']>['sampleLog'] {
  if (!outcome) return undefined;
  if (!outcome.log) return { read: false, detail: `${outcome.warning}; percentiles are the service's statistics.` };
  const { log } = outcome;
  const left = [log.excluded.subResults ? `${log.excluded.subResults} sub-result rows` : '',
    log.excluded.transactionControllers ? `${log.excluded.transactionControllers} transaction controller rows` : ''].filter(Boolean);
  const other = log.total.otherFailures
    ? ` ${log.total.otherFailures} failed samples were answered with a status below 400 (a failed assertion): the service counts them as ` +
      'errors, which are therefore not split into HTTP and network errors.'
    : '';
  return {
    read: true,
    detail: `Latency distributions from ${log.total.requests} samples in ${log.files.length} CSV file(s) of results.zip` +
      `${left.length ? `, leaving out ${left.join(' and ')}` : ''}.${other}${disagreements.length ? ` ${notUsed(disagreements)}` : ''}`,
  };
}

/** The sentence for distributions left unused (the evidence's note and the task's warning). */
export function notUsed(disagreements: string[]): string {
  return `Distributions not used, as the log disagrees with the service's statistics (${disagreements.join('; ')}): ` +
    'those percentiles are the service\'s.';
}
