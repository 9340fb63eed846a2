import { strict as assert } from 'node:assert';
import { mkdtempSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { Evidence, LoadTestEvidence } from '../../src/evidence/types';
import { Collections } from '../../src/gate/records';
import { judgeAgainstBaseline } from '../../src/regression/apply';
import { RunningServer, startServer } from '../../src/serve/server';
import type { StoredDocument } from '../../src/store/documentStore';
import { FileDocumentStore } from '../../src/store/fileStore';
import { evidenceAges, evidenceAgeSeries, loadTestTrend, readinessMargins } from '../../hub/model/trend';
import { at, seeded, simulatedRun } from '../regression/fixtures';
import { Browser, ensureHubBuilt, hubFrame, launchBrowser } from '../support/browser';
import { drillEvidence, gateEvidence, uuidFor } from './fixtures';

/**
 * Six load tests of shop in staging: five at 20 ms, each compared with the ones before it, then one at 24 ms that
 * regressed; and two drills whose RTO margin shrank. As the CLI writes them (judged against their baseline).
 */
function history(): Evidence[] {
  const random = seeded(5);
  const runs: LoadTestEvidence[] = [];
  for (let i = 0; i < 6; i++) {
    const run = simulatedRun({ medianMs: i === 5 ? 24 : 20, requests: 2000, finishedAt: at(i * 60), random });
    run.criteria = [{ expression: 'p95(response_time_ms) > 40', actual: run.metrics.totals.latencyMs.p95, threshold: 40, failed: false, explanation: 'within' }];
    runs.push(judgeAgainstBaseline(run, runs, []));
  }
  const drill = (minutes: number, rto: number) => {
    const d = drillEvidence('shop', 'staging', String(minutes));
    return { ...d, id: uuidFor(`drill-${minutes}`), startedAt: at(minutes - 1), finishedAt: at(minutes), metrics: { ...d.metrics, rtoSeconds: rto } };
  };
  // Two gate evaluations: the drill evidence 0.1 days old at the first, stale (8.1 days) at the second.
  const gate = (minutes: number, drillState: 'passed' | 'stale') => {
    const g = gateEvidence('shop', 'staging', String(minutes));
    const checks = [{ id: 'drill', title: 'Restore drill', type: 'drill', state: drillState, reason: drillState, evidence: [{ id: uuidFor('drill-30'), kind: 'drill' as const, finishedAt: at(30) }] }];
    return { ...g, id: uuidFor(`gate-${minutes}`), startedAt: at(minutes), finishedAt: at(minutes), metrics: { ...g.metrics, evaluatedAt: at(minutes), checks } };
  };
  return [...runs, drill(30, 120), drill(200, 240), gate(30 + 144, 'passed'), gate(30 + 8.1 * 1440, 'stale')];
}

describe('hub trends: model', () => {
  const evidence = history();

  it('trend: six runs -> p95 of each, a band from the second comparable run on, the 24 ms run marked regressed', () => {
    const trend = loadTestTrend(evidence)!;
    assert.equal(trend.p95.length, 6);
    assert.deepEqual(trend.p95.map((p) => p.band !== undefined), [false, false, true, true, true, true]);
    assert.deepEqual(trend.p95.map((p) => p.regressedBecause.length > 0), [false, false, false, false, false, true]);
    assert.match(trend.p95[5].regressedBecause[0], /^Total p95 \+\d/);
    assert.ok(trend.p95[5].value > trend.p95[5].band!.high);
  });

  it('margins: load-test headroom to the tightest criterion and RTO against its target, run by run', () => {
    const margins = readinessMargins(evidence);
    assert.deepEqual(margins.map((m) => m.name), ['Load-test headroom', 'RTO margin', 'RPO margin']);
    assert.equal(margins[0].points.length, 6);
    assert.ok(margins[0].points[5].marginPercent < margins[0].points[0].marginPercent, 'the slower run has less headroom');
    assert.deepEqual(margins[1].points.map((p) => p.marginPercent), [60, 20]);
    const ageSeries = evidenceAgeSeries(evidence);
    assert.deepEqual(ageSeries.map((a) => [a.check, a.points.map((p) => [p.ageDays, p.stale])]), [['drill', [[0.1, false], [8.1, true]]]]);
    const ages = evidenceAges(evidence, new Date(at(24 * 60 + 300)));
    assert.deepEqual(ages.map((a) => [a.kind, a.ageDays]), [['loadtest', 1], ['drill', 1.1]]);
  });
});

describe('hub trends in headless Chromium against readiness serve', function () {
  this.timeout(90_000);
  let browser: Browser;
  let server: RunningServer;
  let storeDir: string;
  let page: Page;

  before(async () => {
    const hubDir = await ensureHubBuilt();
    browser = await launchBrowser();
    storeDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-trends-'));
    const store = new FileDocumentStore(storeDir);
    for (const e of history()) await store.setDocument(Collections.evidence, e as unknown as StoredDocument);
    server = await startServer({ storeDir, hubDir, user: { id: 'alice', name: 'Alice', groups: [] } });
    page = await browser.context.newPage();
  });
  after(async () => {
    await page?.close();
    await server?.close();
    await browser?.close();
    await fs.rm(storeDir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('service page, Trends tab: p95, throughput and errors over six runs, the baseline band drawn, the regressed run ringed', async () => {
    await page.goto(server.signInUrl('/host/readiness-hub') + `#/service/shop.staging/trends`);
    const frame = await hubFrame(page);
    await frame.waitForSelector('[data-testid="regression-trend"]', { timeout: 20_000 });
    for (const chart of ['p95', 'rps', 'errors']) {
      assert.equal(await frame.locator(`[data-testid="trend-${chart}"] circle`).count(), 6, chart);
      assert.ok((await frame.locator(`[data-testid="trend-${chart}"] polygon[data-band="baseline"]`).count()) >= 1, `${chart} band`);
    }
    const marks = await frame.locator('[data-testid="trend-p95"] circle').evaluateAll((els) => els.map((e) => e.getAttribute('data-regressed')));
    assert.deepEqual(marks, ['false', 'false', 'false', 'false', 'false', 'true']);
    assert.match(await frame.locator('[data-testid="trend-p95"] circle[data-regressed="true"] title').textContent() ?? '', /regressed: Total p95 \+\d/);
    // The ringed point sits above its band: its y is smaller than the band's top edge there.
    const [pointY, bandTop] = await frame.locator('[data-testid="trend-p95"]').evaluate((fig) => {
      const circle = fig.querySelector('circle[data-regressed="true"]') as SVGCircleElement;
      const polygon = fig.querySelector('polygon[data-band="baseline"]') as SVGPolygonElement;
      const last = polygon.points.getItem(polygon.points.numberOfItems / 2 - 1);
      return [circle.cy.baseVal.value, last.y];
    });
    assert.ok(pointY < bandTop, `regressed p95 drawn above the band (${pointY} < ${bandTop})`);
    assert.match(await frame.locator('[data-testid="regression-summary"]').innerText(), /1 run\(s\) regressed against their baseline/);
  });

  it('service page, Load test tab: the newest run\'s comparison with its baseline, the regressed figures named', async () => {
    await page.goto('about:blank'); // a new hash alone would not reload the hub
    await page.goto(server.signInUrl('/host/readiness-hub') + `#/service/shop.staging/loadtest`);
    const frame = await hubFrame(page);
    await frame.waitForSelector('[data-testid="baseline-comparison"]', { timeout: 20_000 });
    assert.equal(await frame.locator('[data-testid="baseline-comparison"]').getAttribute('data-verdict'), 'regressed');
    const text = await frame.locator('[data-testid="baseline-comparison"]').innerText();
    assert.match(text, /Regressed against 5 baseline runs/);
    assert.match(text, /GetItem\s+p50\s+.*regressed/);
  });

  it('service page, Trends tab: readiness over time -> headroom and RTO margin per run, and the age of the newest evidence', async () => {
    await page.goto('about:blank');
    await page.goto(server.signInUrl('/host/readiness-hub') + `#/service/shop.staging/trends`);
    const frame = await hubFrame(page);
    await frame.waitForSelector('[data-testid="margins"]', { timeout: 20_000 });
    assert.equal(await frame.locator('[data-testid="trend-margin-load-test-headroom"] circle').count(), 6);
    assert.equal(await frame.locator('[data-testid="trend-margin-rto-margin"] circle').count(), 2);
    const ageMarks = await frame.locator('[data-testid="trend-age-drill"] circle').evaluateAll((els) => els.map((e) => e.getAttribute('data-regressed')));
    assert.deepEqual(ageMarks, ['false', 'true'], 'the stale evaluation is ringed');
    const ages = await frame.locator('[data-testid="evidence-ages"]').innerText();
    assert.match(ages, /Load test/);
    assert.match(ages, /DR drill/);
  });
});
