import { strict as assert } from 'node:assert';
import type { CapacityEvidence } from '../../src/evidence/types';
import { capacityEvidence } from '../capacity/fixtures';
import { hubFrame } from '../support/browser';
import { servedHub } from './servedHub';

describe('hub: capacity view in headless Chromium against readiness serve', function () {
  this.timeout(90_000);
  const hub = servedHub('capacity');

  async function open(evidence: CapacityEvidence) {
    await hub.addEvidence(evidence);
    await hub.open('/host/readiness-hub', '#/service/checkout.prod/capacity');
    const frame = await hubFrame(hub.page);
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

  it('build-results tab: a run with a capacity search -> the capacity view with its curve', async () => {
    await hub.addEvidence(capacityEvidence('found'));
    await hub.open('/host/build-tab?buildId=120');
    const frame = await hubFrame(hub.page);
    await frame.getByText('Capacity search · checkout · prod').waitFor();
    assert.match((await frame.locator('[data-testid="capacity-throughput"] [data-testid="capacity-knee"]').textContent()) ?? '', /knee 250 rps/);
  });
});
