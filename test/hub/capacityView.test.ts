import { strict as assert } from 'node:assert';
import { mkdtempSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { CapacityEvidence } from '../../src/evidence/types';
import { validateEvidence } from '../../src/evidence/validate';
import { Collections } from '../../src/gate/records';
import { RunningServer, startServer } from '../../src/serve/server';
import type { StoredDocument } from '../../src/store/documentStore';
import { FileDocumentStore } from '../../src/store/fileStore';
import { Browser, ensureHubBuilt, hubFrame, launchBrowser } from '../support/browser';
import { seedStore, uuidFor } from './fixtures';

/** A search that found its knee at 250 rps: good up to 250, broke at 262.5 and above. */
function capacityEvidence(outcome: 'found' | 'generator-bound'): CapacityEvidence {
  const step = (phase: 'ramp' | 'bisect' | 'confirm', offered: number, good: boolean, p95: number) => ({
    phase, offeredRps: offered, achievedRps: good ? offered : 250, holdSeconds: 2, requests: offered * 2, errors: 0, errorPercentage: 0,
    latencyMs: { p50: p95 / 2, p95, p99: p95 * 1.3 }, good,
    signals: good ? [] : [{ kind: 'slo' as const, bound: 'latency' as const, expression: 'p95(response_time_ms) > 80', detail: `The p95 was ${p95} ms` }],
    generator: { cpuPercent: 8, eventLoopDelayP90Ms: 1, schedulerLagP90Ms: 2, peakUsers: 12, maxVirtualUsers: 1000, arrivals: offered * 2, arrivalsWithoutFreeUser: 0 },
  });
  const found = outcome === 'found';
  const doc: CapacityEvidence = {
    schemaVersion: 1, id: uuidFor(`capacity-${outcome}`), kind: 'capacity', service: 'checkout', environment: 'prod', run: { runId: '120' },
    startedAt: new Date(Date.now() - 60_000).toISOString(), finishedAt: new Date().toISOString(), verdict: found ? 'passed' : 'error',
    summary: found ? 'Sustainable rate 250 rps (knee between 250 rps and 262.5 rps); latency-bound.' : 'Generator-bound.',
    criteria: [],
    metrics: {
      engine: 'local', testId: 'checkout', outcome, bound: found ? 'latency' : 'generator',
      sustainableRps: found ? 250 : null, interval: found ? { lowRps: 250, highRps: 262.5 } : null, provenRps: found ? 250 : 100,
      firstBreak: found ? { kind: 'slo', bound: 'latency', expression: 'p95(response_time_ms) > 80', detail: 'The p95 was 128 ms', offeredRps: 262.5 } : null,
      ...(found ? {} : { advice: 'To go further, raise capacity.maxVirtualUsers, or run the load on Azure Load Testing (engine: azure).' }),
      serviceLevel: ['p95(response_time_ms) > 80'], durationSeconds: 27, requests: 4400, cancelled: false,
      steps: found
        ? [step('ramp', 50, true, 33), step('ramp', 100, true, 33), step('ramp', 200, true, 34), step('ramp', 400, false, 900), step('bisect', 300, false, 400),
          step('bisect', 250, true, 40), step('bisect', 275, false, 200), step('bisect', 262.5, false, 128), step('confirm', 250, true, 41)]
        : [step('ramp', 50, true, 21), step('ramp', 100, true, 22)],
    },
    links: [],
  };
  const check = validateEvidence(doc);
  assert.ok(check.ok, check.ok ? '' : check.errors.join('\n'));
  return doc;
}

describe('hub: capacity view in headless Chromium against readiness serve', function () {
  this.timeout(90_000);
  let browser: Browser;
  let hubDir: string;
  let storeDir: string;
  let server: RunningServer;
  let page: Page;

  before(async () => {
    hubDir = await ensureHubBuilt();
    browser = await launchBrowser();
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    storeDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-hub-capacity-'));
    await seedStore(storeDir);
    server = await startServer({ storeDir, hubDir, user: { id: 'alice', name: 'Alice Approver', groups: [] } });
    page = await browser.context.newPage();
  });
  afterEach(async () => {
    await page.close();
    await server.close();
    await fs.rm(storeDir, { recursive: true, force: true, maxRetries: 3 });
  });

  async function open(evidence: CapacityEvidence) {
    await new FileDocumentStore(storeDir).setDocument(Collections.evidence, evidence as unknown as StoredDocument);
    await page.goto(`${server.url}/host/readiness-hub#/service/checkout.prod/capacity`);
    const frame = await hubFrame(page);
    await frame.waitForSelector('[data-testid="capacity-view"]', { timeout: 20_000 });
    return frame;
  }

  it('capacity: a found knee -> both curves drawn with the knee line between the last good and the first bad probe', async () => {
    const frame = await open(capacityEvidence('found'));
    assert.match(await frame.locator('[data-testid="capacity-outcome"]').innerText(), /Knee found · sustainable 250 rps · knee between 250 and 262\.5 rps · limited by latency/);
    for (const which of ['throughput', 'latency']) {
      const chart = frame.locator(`[data-testid="capacity-${which}"]`);
      const knee = chart.locator('[data-testid="capacity-knee"]');
      assert.match((await knee.textContent()) ?? '', /knee 250 rps/);
      const kneeX = Number(await knee.locator('line').getAttribute('x1'));
      // Circles of the first series, in offered-rate order: 50, 100, 200, 250, 250, 262.5, 275, 300, 400.
      const xs = (await chart.locator('circle').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('cx'))))).slice(0, 9);
      assert.ok(kneeX >= xs[3] - 0.5 && kneeX < xs[5], `knee at ${kneeX}, probes at ${xs.join(', ')}`);
      const hollow = await chart.locator('circle[fill="#fff"]').count();
      assert.ok(hollow >= 4, 'probes that broke are drawn hollow');
    }
    const rows = await frame.locator('[data-testid="capacity-steps"] tbody tr').allInnerTexts();
    assert.equal(rows.length, 9);
    assert.match(rows[8], /confirm\s+250\s+250/);
    assert.match(rows[7], /bisect\s+262\.5\s+250.*broke: slo/);
  });

  it('capacity: generator-bound -> says it is not a service capacity, marks the highest rate reached, and gives the advice', async () => {
    const frame = await open(capacityEvidence('generator-bound'));
    assert.match(await frame.locator('[data-testid="capacity-outcome"]').innerText(), /Generator-bound: not a service capacity · highest rate held 100 rps/);
    assert.match((await frame.locator('[data-testid="capacity-throughput"] [data-testid="capacity-knee"]').textContent()) ?? '', /generator limit 100 rps/);
    assert.match(await frame.locator('[data-testid="capacity-view"]').innerText(), /Azure Load Testing/);
  });
});
