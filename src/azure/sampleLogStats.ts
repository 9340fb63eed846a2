import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import type { LoadTestMetrics, RequestStats } from '../evidence/types';
import type { LabelSamples, SampleLogOutcome } from './sampleLog';

/**
 * Joins the sample log (src/azure/sampleLog.ts) to the service's statistics. The service's figures stay what the
 * verdict is judged on (they are what its own criteria used); the log adds what the service does not expose: the
 * whole response-time distribution (`latencyHistogram`, which the baseline comparison reads) and the split of
 * errors into HTTP and network errors, taken only when the log counts the same requests and errors as the service.
 */
export function withSampleLog(stats: RequestStats, samples: LabelSamples | undefined): RequestStats {
  if (!samples || samples.requests === 0) return stats;
  const out: RequestStats = { ...stats, latencyHistogram: encodeIntoCompressedBase64(samples.histogram) };
  if (samples.requests === stats.requests && samples.httpErrors + samples.networkErrors === stats.errors) {
    out.httpErrors = samples.httpErrors;
    out.networkErrors = samples.networkErrors;
  }
  return out;
}

/** What the evidence says about the sample log: read (and what was left out) or why not. */
export function sampleLogNote(outcome: SampleLogOutcome | undefined, totals: RequestStats): NonNullable<LoadTestMetrics['azure']>['sampleLog'] {
  if (!outcome) return undefined;
  if (!outcome.log) return { read: false, detail: `${outcome.warning}; percentiles are the service's statistics.` };
  const { log } = outcome;
  const left = [log.excluded.subResults ? `${log.excluded.subResults} sub-result rows` : '',
    log.excluded.transactionControllers ? `${log.excluded.transactionControllers} transaction controller rows` : ''].filter(Boolean);
  const differs = log.total.requests !== totals.requests
    ? ` The log counts ${log.total.requests} requests where the service counts ${totals.requests}: distributions are the log's, counts and error figures the service's.`
    : '';
  return {
    read: true,
    detail: `Latency distributions from ${log.total.requests} samples in ${log.files.length} CSV file(s) of results.zip` +
      `${left.length ? `, leaving out ${left.join(' and ')}` : ''}.${differs}`,
  };
}
