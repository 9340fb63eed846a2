import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzureHttp, createAzurePipeline, serviceErrorText } from '../../src/azure/http';
import type { AltTest, AltTestRun, MetricSeries } from '../../src/azure/model';
import type { CheckResult } from './assumptions';

/**
 * The assumptions the capacity search on Azure Load Testing makes about the test-run metrics API (docs/emulators.md),
 * checked with raw REST calls on a finished run the caller names: READINESS_LIVE_METRICS_RUN_ID, ideally the run of
 * a capacity search (`readiness capacity --engine azure`), whose stepped profile the last check needs. Reading the
 * metrics of a finished run starts nothing and costs nothing.
 */
export const METRICS_CHECK_IDS = ['alt-metrics-unfiltered-one-series', 'alt-metrics-nextlink-get', 'alt-virtualusers-level',
  'alt-totalrequests-include-errors', 'alt-step-levels'] as const;

type Note = (id: string, outcome: CheckResult['outcome'], detail: string) => void;
type Page = { value?: MetricSeries[]; nextLink?: string };

export async function runMetricsChecks(runId: string | undefined, api: AzureHttp, url: (path: string, query?: string) => string, note: Note,
  attempt: (id: string, body: () => Promise<void>) => Promise<void>): Promise<void> {
  if (!runId) {
    for (const id of METRICS_CHECK_IDS) note(id, 'not checked', 'set READINESS_LIVE_METRICS_RUN_ID to a finished run (ideally of readiness capacity --engine azure)');
    return;
  }
  const run = (await api.send('GET', url(`test-runs/${encodeURIComponent(runId)}`))).body as AltTestRun;
  if (!run?.startDateTime || !run.endDateTime) {
    for (const id of METRICS_CHECK_IDS) note(id, 'not checked', `run ${runId} has no startDateTime and endDateTime (status ${run?.status ?? 'unknown'}); give a finished run`);
    return;
  }
  const iso = (t: string) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const query = (metric: string, aggregation: string) =>
    `&metricname=${metric}&metricNamespace=LoadTestRunMetrics&aggregation=${aggregation}&interval=PT5S&timespan=${encodeURIComponent(`${iso(run.startDateTime!)}/${iso(run.endDateTime!)}`)}`;
  const first = async (metric: string, aggregation: string): Promise<Page> => {
    const r = await api.send('POST', url(`test-runs/${encodeURIComponent(runId)}/metrics`, query(metric, aggregation)), { body: '{}', contentType: 'application/json' });
    if (r.status !== 200) throw new Error(`${metric}: HTTP ${r.status} ${serviceErrorText(r.body)}`);
    return r.body as Page;
  };
  const all = async (page: Page): Promise<MetricSeries[]> => {
    const series = [...(page.value ?? [])];
    for (let next = page.nextLink, n = 0; next && n < 100; n++) {
      const r = await api.send('GET', next);
      if (r.status !== 200) throw new Error(`nextLink: HTTP ${r.status} ${serviceErrorText(r.body)}`);
      series.push(...((r.body as Page).value ?? []));
      next = (r.body as Page).nextLink;
    }
    return series;
  };
  const values = (series: MetricSeries[]) => series.flatMap((s) => (s.data ?? []).map((p) => p.value ?? 0));

  const requestsPage = await first('TotalRequests', 'Total');
  await attempt('alt-metrics-unfiltered-one-series', async () => {
    const series = requestsPage.value ?? [];
    const one = series.length === 1 && !series[0].dimensionValues?.length;
    note('alt-metrics-unfiltered-one-series', one ? 'confirmed' : 'refuted',
      `${series.length} series; dimensionValues ${JSON.stringify(series.map((s) => s.dimensionValues ?? []))}`);
  });
  await attempt('alt-metrics-nextlink-get', async () => {
    if (!requestsPage.nextLink) return note('alt-metrics-nextlink-get', 'not checked', 'the run\'s TotalRequests series fit one page; a longer run pages');
    const r = await api.send('GET', requestsPage.nextLink);
    note('alt-metrics-nextlink-get', r.status === 200 && Array.isArray((r.body as Page)?.value) ? 'confirmed' : 'refuted', `GET nextLink: HTTP ${r.status}`);
  });
  await attempt('alt-totalrequests-include-errors', async () => {
    const total = values(await all(requestsPage)).reduce((n, v) => n + v, 0);
    const stats = run.testRunStatistics?.Total;
    if (!stats?.sampleCount || !stats.errorCount) {
      return note('alt-totalrequests-include-errors', 'not checked', `the run has ${stats?.errorCount ?? 'no'} errors; only a run with errors tells`);
    }
    const near = Math.abs(total - stats.sampleCount) <= stats.sampleCount * 0.01;
    const withoutErrors = Math.abs(total - (stats.sampleCount - stats.errorCount)) <= stats.sampleCount * 0.01;
    note('alt-totalrequests-include-errors', near ? 'confirmed' : withoutErrors ? 'refuted' : 'not checked',
      `TotalRequests sum ${total}; sampleCount ${stats.sampleCount}, errorCount ${stats.errorCount}`);
  });
  const users = values(await all(await first('VirtualUsers', 'Total')));
  await attempt('alt-virtualusers-level', async () => {
    const top = Math.max(0, ...users);
    if (!run.virtualUsers) return note('alt-virtualusers-level', 'not checked', 'the run reports no virtualUsers');
    note('alt-virtualusers-level', Math.abs(top - run.virtualUsers) <= run.virtualUsers * 0.05 ? 'confirmed' : 'refuted',
      `highest VirtualUsers ${top}; the run's virtualUsers ${run.virtualUsers}`);
  });
  await attempt('alt-step-levels', async () => {
    const test = (await api.send('GET', url(`tests/${encodeURIComponent(run.testId ?? '')}`))).body as AltTest;
    const planUrl = (test?.inputArtifacts?.urlTestConfigFileInfo as { url?: string } | undefined)?.url;
    if (!planUrl) return note('alt-step-levels', 'not checked', `test ${run.testId} has no requests JSON (not a URL test)`);
    const blobs = new AzureHttp(createAzurePipeline({ maxRetries: 1 }));
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-plan-'));
    let plan: { testSetup?: Array<Record<string, unknown>> };
    try {
      const file = path.join(scratch, 'requests.json');
      const got = await blobs.downloadTo(planUrl, file, 50 * 1024 ** 2);
      if (got.status !== 200 || got.tooLarge) return note('alt-step-levels', 'not checked', `requests JSON: HTTP ${got.status}${got.tooLarge ? ', over 50 MB' : ''}`);
      plan = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof plan;
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
    const setups = plan.testSetup ?? [];
    if (!setups.length || setups.some((t) => String(t.loadType).toLowerCase() !== 'step')) {
      return note('alt-step-levels', 'not checked', `test ${run.testId} does not use loadType step; give the run of a capacity search`);
    }
    const engines = run.loadTestConfiguration?.engineInstances ?? 1;
    const steps = Number(setups[0].rampUpSteps);
    const expected = Array.from({ length: steps }, (_, k) => engines * setups.reduce((n, t) => n + Math.floor((Number(t.virtualUsersPerEngine) * (k + 1)) / steps), 0));
    // A level held for two buckets or more is a step.
    const levels = users.filter((v, i) => v > 0 && (users[i - 1] === v || users[i + 1] === v)).filter((v, i, a) => a.indexOf(v) === i);
    const ok = levels.length === expected.length && levels.every((v, i) => v === expected[i]);
    note('alt-step-levels', ok ? 'confirmed' : 'refuted', `levels seen ${levels.join(', ')}; expected ${expected.join(', ')}`);
  });
}
