/**
 * The cost of a baseline comparison for runs of 1,000,000 requests each: five baseline runs and a candidate,
 * every request's latency in the evidence's compressed histogram. The comparison decodes the six histograms and
 * judges 10 figures (p50, p95, p99, error rate and throughput of one request and the Total), intervals included.
 * Peers measured in the same process on the same samples:
 *   - sorting the candidate's 1,000,000 raw latencies once (what any exact percentile over raw samples costs);
 *   - a naive bootstrap of the candidate's p95 over raw samples, 200 resamples of 1,000,000 draws each
 *     (measured on 5 resamples and scaled by 40, as the cost is linear in resamples).
 * Run: npx tsx bench/regression-compare.ts [requests] [rounds]
 */
import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { newHistogram, summary } from '../src/load/engine/recorder';
import { judgeAgainstBaseline } from '../src/regression/apply';
import { EVIDENCE_SCHEMA_VERSION, type LoadTestEvidence, type RequestStats } from '../src/evidence/types';
import { machine } from './load-support';

const requests = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 5);

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(42);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** Lognormal latencies around `medianMs`, as microseconds, the engine's unit. */
function samples(medianMs: number): Float64Array {
  const out = new Float64Array(requests);
  for (let i = 0; i < requests; i++) out[i] = Math.max(1, Math.round(medianMs * 1000 * Math.exp(0.25 * gaussian())));
  return out;
}

function evidence(latencies: Float64Array, minute: number): LoadTestEvidence {
  const h = newHistogram();
  for (const v of latencies) h.recordValue(v);
  const duration = 600;
  const stats: RequestStats = {
    name: 'GetItem', requests, errors: 0, httpErrors: 0, networkErrors: 0, errorPercentage: 0, rps: requests / duration,
    latencyMs: summary(h), latencyHistogram: encodeIntoCompressedBase64(h),
  };
  const finishedAt = new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION, id: `00000000-0000-4000-8000-${String(minute).padStart(12, '0')}`, kind: 'loadtest', service: 'bench', environment: 'bench', run: {},
    startedAt: new Date(Date.parse(finishedAt) - duration * 1000).toISOString(), finishedAt, verdict: 'passed', summary: '', criteria: [],
    metrics: {
      engine: 'local', model: 'closed', testId: 'bench', virtualUsers: 100, durationSeconds: duration, cancelled: false, totals: { ...stats, name: 'Total' }, requests: [stats],
      timeline: Array.from({ length: duration }, (_, second) => ({ second, requests: requests / duration, errors: 0, activeUsers: 100, latencyMs: { p50: 0, p90: 0, p95: 0, p99: 0, max: 0 } })),
      comparable: { planHash: 'c'.repeat(64), engine: 'local' },
    },
    links: [],
  };
}

function time(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const baseline = [0, 1, 2, 3, 4].map((i) => evidence(samples(20 * Math.exp(0.02 * gaussian())), i * 20));
const raw = samples(24);
const candidate = evidence(raw, 200);
const bytes = Buffer.byteLength(candidate.metrics.requests[0].latencyHistogram!);

const compareMs: number[] = [];
const sortMs: number[] = [];
const bootstrapMs: number[] = [];
let verdict = '';
for (let round = 0; round < rounds; round++) {
  compareMs.push(time(() => (verdict = judgeAgainstBaseline(candidate, baseline, []).metrics.regression!.verdict)));
  sortMs.push(time(() => Float64Array.from(raw).sort()));
  bootstrapMs.push(
    time(() => {
      const resample = new Float64Array(requests);
      for (let b = 0; b < 5; b++) {
        for (let i = 0; i < requests; i++) resample[i] = raw[(random() * requests) | 0];
        resample.sort();
      }
    }) * 40,
  );
}
const ours = median(compareMs);
console.log(`# Baseline comparison: 5 baseline runs + 1 candidate, ${requests.toLocaleString('en')} requests each, ${rounds} rounds (medians)\n${machine()}\n`);
console.log(`histogram in the evidence: ${bytes} bytes of base64 per request (1 request + Total per run)`);
console.log(`verdict: ${verdict} (candidate 20% slower)\n`);
console.log('| work | median ms | ratio to the comparison |');
console.log('| --- | ---: | ---: |');
console.log(`| comparison (decode 12 histograms, 10 figures with intervals) | ${ours.toFixed(1)} | 1 |`);
console.log(`| sort the candidate's raw latencies once | ${median(sortMs).toFixed(1)} | ${(median(sortMs) / ours).toFixed(1)} |`);
console.log(`| naive bootstrap of p95, 200 resamples of raw latencies | ${median(bootstrapMs).toFixed(0)} | ${(median(bootstrapMs) / ours).toFixed(0)} |`);
