/**
 * The test-run metrics of the Azure Load Testing emulator (altEmulator.ts): a documented-shape time series derived
 * from a modelled service of known capacity, driven by the stepped profile the run's test uploaded.
 *
 * Shapes: azure-rest-api-specs, specification/loadtestservice/data-plane/Microsoft.LoadTestService (SPEC):
 * - LoadTestRun_ListMetricNamespaces: stable/2022-11-01/examples/ListTestRunMetricsNamespaces.json;
 * - LoadTestRun_ListMetricDefinitions: stable/2022-11-01/examples/ListTestRunMetricsDefinitions.json (VirtualUsers,
 *   ResponseTime with Average and Percentile90/95/99, TotalRequests, Errors; time grains PT5S ... PT1H);
 * - LoadTestRun_ListMetrics: preview/2025-03-01-preview/examples/ListTestRunMetrics.json (POST with metricname,
 *   metricNamespace, timespan, aggregation, interval; body {filters: [{name: "SamplerName", values}]}; answer
 *   {value: [{data: [{timestamp, value}], dimensionValues: [{name, value}]}]}).
 * The 2025-03-01-preview examples folder holds only ListTestRunMetrics.json of the three; the other two shapes are
 * the 2022-11-01 ones (assumed unchanged). Not documented, and assumed here (docs/emulators.md): that an unfiltered
 * query answers one series for the whole run without dimensionValues; that nextLink (Azure.Core paging, `nextLink`
 * of the page model) is read with GET and carries the query in its continuation token; that VirtualUsers per bucket
 * is the level of users then running; that TotalRequests counts failed requests too.
 */
import type { ServerResponse } from 'node:http';
import { send } from './altEmulatorParts';

type Json = Record<string, unknown>;

/**
 * A service with `slots` requests served at once, each taking `serviceMs` (times the request's factor in `samplers`).
 * mode queue: past the slots, requests wait (latency grows, throughput stays at slots / service time).
 * mode shed: past the slots, the excess is refused at once with an error taking a fifth of the service time.
 * Its capacity is slots * 1000 / (serviceMs * mean factor) requests per second.
 */
export interface ModelledService {
  slots: number;
  serviceMs: number;
  mode?: 'queue' | 'shed';
  /** Latency factor per requestName; requests share the load equally. Default: every request 1. */
  samplers?: Record<string, number>;
  /** Each engine runs at most this many users, whatever the profile asks (engines out of resources). */
  engineUserLimit?: number;
}

export const METRIC_GRAINS = ['PT5S', 'PT10S', 'PT1M', 'PT5M', 'PT1H'];
const GRAIN_SECONDS: Record<string, number> = { PT5S: 5, PT10S: 10, PT1M: 60, PT5M: 300, PT1H: 3600 };

export function metricNamespaces(): Json {
  return { value: [{ description: 'Load test run metrics', name: 'LoadTestRunMetrics' }] };
}

const SAMPLER = { description: 'Sampler Name', name: 'SamplerName' };
const AVAILABILITY = METRIC_GRAINS.map((timeGrain) => ({ timeGrain }));
const DEFINITIONS = [
  { dimensions: [SAMPLER], description: 'No of concurrent virtual users', name: 'VirtualUsers', primaryAggregationType: 'Total', supportedAggregationTypes: ['Total'], unit: 'Count' },
  { dimensions: [SAMPLER], description: 'Response time (Successful request)', name: 'ResponseTime', primaryAggregationType: 'Percentile90',
    supportedAggregationTypes: ['Average', 'Percentile90', 'Percentile95', 'Percentile99'], unit: 'Milliseconds' },
  { dimensions: [SAMPLER], description: 'Total Requests', name: 'TotalRequests', primaryAggregationType: 'Total', supportedAggregationTypes: ['Total'], unit: 'Count' },
  { dimensions: [SAMPLER, { description: 'Error response code', name: 'Errors' }], description: 'Total Errors', name: 'Errors', primaryAggregationType: 'Total',
    supportedAggregationTypes: ['Total'], unit: 'Count' },
].map((d) => ({ ...d, namespace: 'LoadTestRunMetrics', metricAvailabilities: AVAILABILITY }));

export function metricDefinitions(namespace: string | null): Json | undefined {
  return namespace === 'LoadTestRunMetrics' ? { value: DEFINITIONS } : undefined;
}

/** What the run played: its uploaded stepped profile, its engines, and how many of the profile's seconds ran. */
export interface PlayedRun {
  testSetup: Json[];
  requestNames: string[];
  engines: number;
  startMs: number;
  playedSeconds: number;
  /** The load is still running (EXECUTING, not stopped): the series so far, its newest buckets maybe incomplete. */
  live?: boolean;
}

export interface MetricsQuery {
  metricname: string;
  metricNamespace: string;
  timespan: string;
  aggregation: string;
  interval: string;
  filters: Array<{ name: string; values: string[] }>;
  offset: number;
}

/** Virtual users at second s: step i of N runs floor(V * i / N) users per engine (an assumption, see steppedProfile.ts). */
function usersAt(run: PlayedRun, second: number, engineUserLimit = Infinity): number {
  return run.engines * Math.min(engineUserLimit, run.testSetup.reduce((n, setup) => {
    const v = Number(setup.virtualUsersPerEngine ?? 1);
    const steps = Number(setup.rampUpSteps ?? 1);
    const ramp = Number(setup.rampUpTimeInSeconds ?? 0);
    if (setup.loadType !== 'step' || ramp <= 0 || second >= ramp) return n + v;
    return n + Math.floor((v * (Math.floor(second / (ramp / steps)) + 1)) / steps);
  }, 0));
}

/** One bucket of the modelled service at `users` closed-model users (no think time). */
function bucket(service: ModelledService, run: PlayedRun, users: number, seconds: number) {
  const names = run.requestNames.length ? run.requestNames : ['HTTP Request'];
  const factor = (name: string) => service.samplers?.[name] ?? 1;
  const meanFactor = names.reduce((n, name) => n + factor(name), 0) / names.length;
  const served = Math.min(users, service.slots);
  const stretch = service.mode === 'shed' ? 1 : Math.max(1, users / service.slots);
  const ok = (served * 1000) / (service.serviceMs * meanFactor);
  const refused = service.mode === 'shed' ? ((users - served) * 1000) / (service.serviceMs / 5) : 0;
  const perSampler = Object.fromEntries(names.map((name) => [name, {
    requests: ((ok + refused) * seconds) / names.length,
    errors: (refused * seconds) / names.length,
    latency: service.serviceMs * factor(name) * stretch,
  }]));
  return { users, requests: (ok + refused) * seconds, errors: refused * seconds, latency: service.serviceMs * meanFactor * stretch, perSampler };
}

/** A bucket still being aggregated: `share` of its requests and errors counted so far. */
function partly(b: ReturnType<typeof bucket>, share: number): ReturnType<typeof bucket> {
  if (share === 1) return b;
  const perSampler = Object.fromEntries(Object.entries(b.perSampler).map(([name, s]) => [name, { ...s, requests: s.requests * share, errors: s.errors * share }]));
  return { ...b, requests: b.requests * share, errors: b.errors * share, perSampler };
}

/** The whole run at the finest grain, as the series adds up: the statistics and virtualUsers the run reports. */
export function modelTotals(service: ModelledService, run: PlayedRun): { requests: number; errors: number; topUsers: number } {
  const totals = { requests: 0, errors: 0, topUsers: 0 };
  for (let s = 0; s + 5 <= run.playedSeconds; s += 5) {
    const b = bucket(service, run, usersAt(run, s, service.engineUserLimit), 5);
    totals.requests += Math.round(b.requests);
    totals.errors += Math.round(b.errors);
    totals.topUsers = Math.max(totals.topUsers, b.users);
  }
  return totals;
}

const PERCENTILE: Record<string, number> = { Average: 1, Percentile90: 1.05, Percentile95: 1.1, Percentile99: 1.3 };

/**
 * Answers LoadTestRun_ListMetrics, a page of `pageSize` points per series; undefined for a query the service refuses.
 *
 * A run still executing answers the buckets played so far, up to "now" of the run's (compressed) clock: the portal's
 * dashboard shows a running test's client-side metrics as they come in (Azure Load Testing docs, "Create and run a
 * load test" quickstart and "Monitor server-side application metrics": the metrics are viewed during the load test
 * and after it). That the REST metrics API answers the same partial series is assumed (alt-metrics-live-partial in
 * docs/emulators.md), and so is the lag: with `lateBuckets`, the newest buckets of a running run count only half of
 * their requests and errors (still being aggregated) and are revised to their full value once later buckets exist.
 */
export function listMetrics(service: ModelledService, run: PlayedRun, q: MetricsQuery, pageSize: number, nextLink: (offset: number) => string,
  lateBuckets = 0): { status: number; body: Json } {
  const definition = DEFINITIONS.find((d) => d.name === q.metricname);
  const fail = (message: string) => ({ status: 400, body: { error: { code: 'BadRequest', message } } });
  if (q.metricNamespace !== 'LoadTestRunMetrics') return fail(`Unknown metricNamespace ${q.metricNamespace}.`);
  if (!definition) return fail(`Unknown metricname ${q.metricname}.`);
  if (!definition.supportedAggregationTypes.includes(q.aggregation)) return fail(`Aggregation ${q.aggregation} is not supported for ${q.metricname}.`);
  const grain = GRAIN_SECONDS[q.interval];
  if (!grain) return fail(`Unsupported interval ${q.interval}.`);
  const [from, to] = q.timespan.split('/').map((t) => Date.parse(t));
  if (!Number.isFinite(from) || !Number.isFinite(to)) return fail(`timespan must be <start>/<end> in ISO 8601, got ${q.timespan}.`);
  const filter = q.filters.find((f) => f.name === 'SamplerName');
  if (q.filters.some((f) => f.name !== 'SamplerName' && f.name !== 'Errors') || (filter && filter.values.length > 20)) return fail('Unsupported filter.');

  const played = Math.floor(run.playedSeconds / grain);
  const late = (i: number) => (run.live && i >= played - lateBuckets ? 0.5 : 1);
  const buckets = Array.from({ length: played }, (_, i) => i * grain)
    .filter((s) => run.startMs + s * 1000 >= from && run.startMs + s * 1000 < to)
    .map((s) => ({ second: s, b: partly(bucket(service, run, usersAt(run, s, service.engineUserLimit), grain), late(s / grain)) }));
  const value = (b: ReturnType<typeof bucket>, sampler?: string): number => {
    const s = sampler ? b.perSampler[sampler] : undefined;
    switch (q.metricname) {
      case 'VirtualUsers':
        return b.users;
      case 'TotalRequests':
        return Math.round(s ? s.requests : b.requests);
      case 'Errors':
        return Math.round(s ? s.errors : b.errors);
      default:
        return Math.round((s ? s.latency : b.latency) * PERCENTILE[q.aggregation] * 10) / 10;
    }
  };
  const page = buckets.slice(q.offset, q.offset + pageSize);
  const series = (sampler?: string) => ({
    data: page.map(({ second, b }) => ({ timestamp: new Date(run.startMs + second * 1000).toISOString(), value: value(b, sampler) })),
    dimensionValues: sampler ? [{ name: 'SamplerName', value: sampler }] : [],
  });
  const values = filter ? filter.values.filter((v) => run.requestNames.includes(v)).map((v) => series(v)) : [series()];
  const more = q.offset + pageSize < buckets.length;
  return { status: 200, body: { value: values, ...(more ? { nextLink: nextLink(q.offset + pageSize) } : {}) } };
}

export function sendMetrics(res: ServerResponse, answer: { status: number; body: Json }): void {
  send(res, answer.status, answer.body);
}
