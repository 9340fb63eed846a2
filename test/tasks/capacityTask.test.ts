import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { validateEvidence } from '../../src/evidence/validate';
import { capacityTest } from '../capacity/helpers';
import { startCapacityTarget, type CapacityTarget } from '../support/capacityTarget';
import { explain, runBundledTask } from '../support/agentRunner';

/** ReadinessLoadTest@1 with mode: capacity, run as the agent runs it, against a server of known capacity (4 x 40 ms: 100 rps). */
describe('ReadinessLoadTest@1 mode capacity (bundled, local engine)', function () {
  this.timeout(120_000);
  let target: CapacityTarget;
  before(async () => (target = await startCapacityTarget({ mode: 'queue', servers: 4, serviceMs: 40 })));
  after(() => target.close());

  const config = () => capacityTest(target.url, [
    'serviceLevel: ["p95(response_time_ms) > 150", "percentage(error) > 1"]',
    'startRps: 25', 'holdSeconds: 2', 'confirmSeconds: 2', 'precisionPercent: 20', 'budget: { seconds: 40 }',
    'expectedPeakRps: 30', 'headroom: 2',
  ].join('\n'));

  it('capacity: a search that finds the knee above 2x the expected peak -> Succeeded, capacity evidence, curve in the summary, outputs', async () => {
    const run = await runBundledTask('ReadinessLoadTestV1', { inputs: { loadTestConfigFile: config(), mode: 'capacity', outputVariableName: 'CAP', environment: 'staging' } });
    assert.equal(run.result, 'Succeeded', explain(run));
    const attachment = run.attachments.find((a) => a.type === 'readiness.evidence');
    assert.ok(attachment && existsSync(attachment.path), explain(run));
    const evidence = JSON.parse(readFileSync(attachment.path, 'utf8'));
    assert.ok(validateEvidence(evidence).ok);
    assert.equal(evidence.kind, 'capacity');
    assert.equal(evidence.metrics.outcome, 'found', evidence.summary);
    assert.ok(evidence.metrics.sustainableRps >= 70 && evidence.metrics.sustainableRps <= 110, evidence.summary);
    assert.equal(evidence.criteria[0].expression, 'capacity >= 2x expected peak (30 rps)');
    assert.equal(run.variables['CAP.outcome']?.value, 'found');
    assert.equal(Number(run.variables['CAP.sustainableRps']?.value), evidence.metrics.sustainableRps);
    assert.equal(run.variables['CAP.passed']?.value, 'true');
    const summary = readFileSync(run.summaries[0], 'utf8');
    assert.match(summary, /### Capacity curve/);
    assert.match(summary, /-- knee \d+(\.\d)? rps --/);
    const html = readFileSync(run.attachments.find((a) => a.type === 'readiness.report')!.path, 'utf8');
    assert.match(html, /<svg class="chart capacity-curve"/);
    assert.match(html, /class="knee"/);
    assert.ok(run.stdout.includes('ramp 25 rps'), 'each probe is logged');
  });

  it('capacity: engine azure -> Failed before any traffic, saying the search runs on the local engine', async () => {
    const run = await runBundledTask('ReadinessLoadTestV1', { inputs: { loadTestConfigFile: config(), mode: 'capacity', engine: 'azure' } });
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /mode" is capacity, which runs on this agent's embedded engine only; set engine: local/);
  });

  it('capacity: mode misspelt -> Failed naming the input and its values', async () => {
    const run = await runBundledTask('ReadinessLoadTestV1', { inputs: { loadTestConfigFile: config(), mode: 'capacty' } });
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /"mode" must be "test" or "capacity"; got "capacty"/);
  });
});
