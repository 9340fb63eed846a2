import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { EVIDENCE_SCHEMA_VERSION, type LoadTestEvidence, type RequestStats } from '../../src/evidence/types';
import { newHistogram, summary } from '../../src/load/engine/recorder';

/** A seeded generator (mulberry32), so simulated trials are the same on every machine. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller). */
export function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export interface SimulatedRun {
  /** Median latency of the run, ms; samples are lognormal around it. */
  medianMs: number;
  requests: number;
  durationSeconds?: number;
  errors?: number;
  /** Spread of the lognormal (sigma of the log). */
  spread?: number;
  finishedAt: string;
  id?: string;
  planHash?: string;
  verdict?: LoadTestEvidence['verdict'];
  pool?: string;
  environment?: string;
  random: () => number;
}

let counter = 0;

/** A load-test document as the engine writes it, from simulated latencies: histogram, summary, timeline. */
export function simulatedRun(run: SimulatedRun): LoadTestEvidence {
  const h = newHistogram();
  const spread = run.spread ?? 0.15;
  for (let i = 0; i < run.requests; i++) h.recordValue(Math.max(1, Math.round(run.medianMs * 1000 * Math.exp(spread * normal(run.random)))));
  const duration = run.durationSeconds ?? 3;
  const errors = run.errors ?? 0;
  const stats: RequestStats = {
    name: 'GetItem', requests: run.requests, errors, httpErrors: errors, networkErrors: 0,
    errorPercentage: Math.round((100000 * errors) / run.requests) / 1000, rps: Math.round((1000 * run.requests) / duration) / 1000,
    latencyMs: summary(h), latencyHistogram: encodeIntoCompressedBase64(h),
  };
  const perSecond = run.requests / duration;
  const finished = Date.parse(run.finishedAt);
  counter++;
  const id = run.id ?? `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION, id, kind: 'loadtest', service: 'shop', environment: run.environment ?? 'staging', run: { runId: String(counter) },
    startedAt: new Date(finished - duration * 1000).toISOString(), finishedAt: run.finishedAt, verdict: run.verdict ?? 'passed', summary: 'simulated',
    criteria: [],
    metrics: {
      engine: 'local', model: 'closed', testId: 'shop-test', virtualUsers: 4, durationSeconds: duration, cancelled: false,
      totals: { ...stats, name: 'Total' }, requests: [stats],
      timeline: Array.from({ length: Math.ceil(duration) + 1 }, (_, second) => ({
        second, requests: Math.max(0, Math.round(perSecond * (1 + 0.05 * normal(run.random)))), errors: 0, activeUsers: 4,
        latencyMs: { p50: 0, p90: 0, p95: 0, p99: 0, max: 0 },
      })),
      comparable: { planHash: run.planHash ?? 'a'.repeat(64), engine: 'local', ...(run.pool ? { pool: run.pool } : {}) },
    },
    links: [],
  };
}

/** Minutes after a fixed origin, as an ISO time: runs in order. */
export function at(minutes: number): string {
  return new Date(Date.UTC(2026, 0, 1) + minutes * 60_000).toISOString();
}
