import { InfrastructureError } from '../errors';
import type { LoadTestingClient } from '../azure/loadTestingClient';
import type { AltTestRun, MetricDefinition, MetricSeries } from '../azure/model';
import type { FigureSeries, Point, RunSeries } from './cloudSteps';

/**
 * A run's time series from the test-run metrics API (LoadTestRun_ListMetricNamespaces, _ListMetricDefinitions,
 * _ListMetrics; reference §3.2): VirtualUsers, TotalRequests and Errors (Total), ResponseTime (Average and the
 * percentiles the service offers: Percentile90/95/99 in ListTestRunMetricsDefinitions.json), at the finest time
 * grain the definitions list; and the same per request through the SamplerName dimension when a service level
 * names requests.
 */
export const RUN_METRICS_NAMESPACE = 'LoadTestRunMetrics';
const NEEDED = ['VirtualUsers', 'TotalRequests', 'Errors', 'ResponseTime'];
/** The service takes at most 20 values per dimension filter (reference §3.2). */
const FILTER_VALUES = 20;

export interface SeriesRequest {
  run: AltTestRun & { testRunId: string };
  /** Requests the service level names (SamplerName values). */
  samplers: string[];
  /** Whether a criterion needs Percentile90. */
  needP90: boolean;
  /** Where the timespan ends when the run has no endDateTime yet (a run still stopping). */
  fallbackEnd: Date;
  signal?: AbortSignal;
  /**
   * Filled by the first read, which checks the namespaces and definitions, and used by the later ones: the series
   * is read several times while a run goes on (src/capacity/kneeWatch.ts), its definitions need reading once.
   */
  layout?: { grain?: { name: string; seconds: number } };
}

export async function readRunSeries(client: LoadTestingClient, r: SeriesRequest): Promise<RunSeries> {
  const grain = r.layout?.grain ?? await readLayout(client, r);
  if (r.layout) r.layout.grain = grain;
  const id = r.run.testRunId;
  const start = new Date(r.run.startDateTime ?? r.fallbackEnd.toISOString());
  const end = r.run.endDateTime ? new Date(r.run.endDateTime) : r.fallbackEnd;
  const timespan = `${iso(start)}/${iso(new Date(Math.max(end.getTime(), start.getTime() + 1000)))}`;
  const query = (metricname: string, aggregation: string) => ({ metricname, metricNamespace: RUN_METRICS_NAMESPACE, timespan, aggregation, interval: grain.name });

  const total = async (metricname: string, aggregation: string, combine: 'sum' | 'max') =>
    merge(await client.listMetrics(id, query(metricname, aggregation), [], r.signal), combine);
  const figures = async (read: (metricname: string, aggregation: string, combine: 'sum' | 'max') => Promise<Point[]>): Promise<FigureSeries> => ({
    requests: await read('TotalRequests', 'Total', 'sum'),
    errors: await read('Errors', 'Total', 'sum'),
    responseTime: {
      avg: await read('ResponseTime', 'Average', 'max'),
      ...(r.needP90 ? { p90: await read('ResponseTime', 'Percentile90', 'max') } : {}),
      p95: await read('ResponseTime', 'Percentile95', 'max'),
      p99: await read('ResponseTime', 'Percentile99', 'max'),
    },
  });
  const series: RunSeries = { intervalSeconds: grain.seconds, virtualUsers: await total('VirtualUsers', 'Total', 'sum'), ...(await figures(total)), samplers: new Map() };

  if (r.samplers.length) {
    const bySampler = new Map<string, Record<string, Point[]>>();
    const read = async (metricname: string, aggregation: string) => {
      for (let i = 0; i < r.samplers.length; i += FILTER_VALUES) {
        const filters = [{ name: 'SamplerName', values: r.samplers.slice(i, i + FILTER_VALUES) }];
        for (const s of await client.listMetrics(id, query(metricname, aggregation), filters, r.signal)) {
          const name = s.dimensionValues?.find((d) => d.name === 'SamplerName')?.value;
          if (!name) continue;
          const entry = bySampler.get(name) ?? {};
          // Pages repeat a sampler's series with later points: they add up.
          entry[`${metricname}/${aggregation}`] = [...(entry[`${metricname}/${aggregation}`] ?? []), ...points(s)];
          bySampler.set(name, entry);
        }
      }
    };
    const wanted: Array<[string, string]> = [['TotalRequests', 'Total'], ['Errors', 'Total'], ['ResponseTime', 'Average'], ['ResponseTime', 'Percentile95'],
      ['ResponseTime', 'Percentile99'], ...(r.needP90 ? [['ResponseTime', 'Percentile90'] as [string, string]] : [])];
    for (const [metric, aggregation] of wanted) await read(metric, aggregation);
    for (const [name, e] of bySampler) {
      series.samplers.set(name, {
        requests: e['TotalRequests/Total'] ?? [], errors: e['Errors/Total'] ?? [],
        responseTime: { avg: e['ResponseTime/Average'] ?? [], ...(r.needP90 ? { p90: e['ResponseTime/Percentile90'] ?? [] } : {}),
          p95: e['ResponseTime/Percentile95'] ?? [], p99: e['ResponseTime/Percentile99'] ?? [] },
      });
    }
  }
  return series;
}

/** The namespace and the definitions the search needs, checked; the finest time grain ResponseTime has. */
async function readLayout(client: LoadTestingClient, r: SeriesRequest): Promise<{ name: string; seconds: number }> {
  const id = r.run.testRunId;
  const namespaces = await client.listMetricNamespaces(id, r.signal);
  if (!namespaces.some((n) => n.name === RUN_METRICS_NAMESPACE)) {
    throw new InfrastructureError(`Run ${id} has no ${RUN_METRICS_NAMESPACE} metrics (namespaces: ${namespaces.map((n) => n.name).join(', ') || 'none'}); the capacity search reads its steps from them.`);
  }
  const definitions = await client.listMetricDefinitions(id, RUN_METRICS_NAMESPACE, r.signal);
  const aggregations = ['Average', 'Percentile95', 'Percentile99', ...(r.needP90 ? ['Percentile90'] : [])];
  const missing = [
    ...NEEDED.filter((name) => !definitions.some((d) => d.name === name)),
    ...aggregations.filter((a) => !definitions.find((d) => d.name === 'ResponseTime')?.supportedAggregationTypes?.includes(a)).map((a) => `ResponseTime ${a}`),
    ...(r.samplers.length && !definitions.find((d) => d.name === 'TotalRequests')?.dimensions?.some((d) => d.name === 'SamplerName') ? ['the SamplerName dimension'] : []),
  ];
  if (missing.length) throw new InfrastructureError(`Run ${id}'s ${RUN_METRICS_NAMESPACE} metrics lack ${missing.join(', ')}; the capacity search cannot judge its steps without them.`);
  return finestGrain(definitions.find((d) => d.name === 'ResponseTime')!);
}

/** The finest time grain a metric is available at (PT5S in the spec's example). */
function finestGrain(d: MetricDefinition): { name: string; seconds: number } {
  const grains = (d.metricAvailabilities ?? []).flatMap((a) => {
    const seconds = a.timeGrain ? isoSeconds(a.timeGrain) : undefined;
    return seconds ? [{ name: a.timeGrain!, seconds }] : [];
  }).sort((a, b) => a.seconds - b.seconds);
  if (!grains.length) throw new InfrastructureError(`The ResponseTime metric lists no time grain; the capacity search needs one to slice the steps.`);
  return grains[0];
}

/** PT5S, PT10S, PT1M, PT5M, PT1H: the time grains of the metric definitions. */
export function isoSeconds(duration: string): number | undefined {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(duration);
  if (!m || (!m[1] && !m[2] && !m[3])) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function points(s: MetricSeries): Point[] {
  return (s.data ?? []).flatMap((p) => (typeof p.value === 'number' && Number.isFinite(p.value) ? [{ t: Date.parse(p.timestamp), v: p.value }] : []));
}

/**
 * Unfiltered queries are assumed to answer one series for the whole run. Should the service answer one per sampler,
 * counts add up per timestamp, and of response times the highest is kept (the slowest request bounds the level).
 */
function merge(series: MetricSeries[], combine: 'sum' | 'max'): Point[] {
  const byTime = new Map<number, number>();
  for (const s of series) {
    for (const p of points(s)) byTime.set(p.t, byTime.has(p.t) ? (combine === 'sum' ? byTime.get(p.t)! + p.v : Math.max(byTime.get(p.t)!, p.v)) : p.v);
  }
  return [...byTime].map(([t, v]) => ({ t, v })).sort((a, b) => a.t - b.t);
}
