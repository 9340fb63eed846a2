import { strict as assert } from 'node:assert';
import type { DrillEvidence } from '../../src/evidence/types';
import { recreationFailed, rollbackPassed } from '../evidence/fixtures';
import { hubFrame } from '../support/browser';
import { uuidFor } from './fixtures';
import { servedHub } from './servedHub';

/** The drill view of recreation and rollback drills in headless Chromium: objectives, phase timeline, leaks. */
describe('hub drill view: environment drills in headless Chromium', function () {
  this.timeout(90_000);
  const hub = servedHub('drill');

  async function show(evidence: DrillEvidence) {
    const doc = { ...evidence, id: uuidFor(`env-drill-${evidence.metrics.mode}`), service: 'checkout', environment: 'prod', finishedAt: new Date().toISOString() };
    await hub.addEvidence(doc);
    await hub.open('/host/readiness-hub', '#/service/checkout.prod/drill');
    const frame = await hubFrame(hub.page);
    await frame.waitForSelector(`[data-testid="drill-view"][data-mode="${evidence.metrics.mode}"]`, { timeout: 20_000 });
    return frame;
  }

  it('recreation drill -> environment RTO, leaks and drift; phases on one time axis with the RTO span from apply to probes', async () => {
    const frame = await show(recreationFailed());
    assert.match(await frame.locator('[data-testid="environment-rto"]').innerText(), /Environment RTO 412\.5 s\s*\/ target 900 s/);
    assert.match(await frame.locator('[data-testid="leaks"]').innerText(), /Leaks after destroy 1\s*\/ target 0/);
    // The hostile name from the fixture is shown as text, never run.
    assert.match(await frame.locator('[data-testid="leak-list"]').innerText(), /state: <script>alert\("x"\)<\/script>/);
    assert.match(await frame.locator('[data-testid="drift-list"]').innerText(), /terraform_data\.clock \(replace\)/);
    const phases = await frame.locator('[data-phase]').evaluateAll((rows) =>
      rows.map((r) => {
        const bar = r.querySelector('.readiness-step-bar') as HTMLElement;
        return { name: r.getAttribute('data-phase'), status: r.getAttribute('data-status'), left: bar.getBoundingClientRect().left, width: bar.getBoundingClientRect().width };
      }),
    );
    assert.deepEqual(phases.map((p) => p.name), ['preflight', 'init', 'plan', 'apply', 'probes', 'converge', 'destroy']);
    assert.equal(phases.find((p) => p.name === 'destroy')!.status, 'failed');
    for (let i = 1; i < phases.length; i++) assert.ok(phases[i].left >= phases[i - 1].left, `${phases[i].name} starts after ${phases[i - 1].name} on the time axis`);
    const apply = phases.find((p) => p.name === 'apply')!;
    const init = phases.find((p) => p.name === 'init')!;
    assert.ok(apply.width > init.width * 20, 'bar widths follow the durations (380 s apply against 9 s init)');
    const span = await frame.locator('[data-testid="measured-span"] .readiness-measured-span').boundingBox();
    assert.ok(span && Math.abs(span.x - apply.left) < 2, 'the RTO span starts where the apply starts');
    assert.match(await frame.locator('[data-testid="measured-span"]').innerText(), /Environment RTO\s+412\.5 s/);
  });

  it('rollback drill -> time to rollback and to recover, the versions, and the three phases', async () => {
    const frame = await show(rollbackPassed());
    assert.match(await frame.locator('[data-testid="time-to-rollback"]').innerText(), /Time to rollback 95 s\s*\/ target 300 s/);
    assert.match(await frame.locator('[data-testid="time-to-recover"]').innerText(), /Time to recover 80 s\s*\/ target 300 s/);
    assert.match(await frame.locator('[data-testid="drill-view"]').innerText(), /previous version 1\.4\.2, current 1\.5\.0/);
    assert.deepEqual(await frame.locator('[data-phase]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-phase'))), ['baseline', 'rollback', 'recover']);
  });
});
