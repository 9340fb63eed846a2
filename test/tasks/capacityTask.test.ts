import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { validateEvidence } from '../../src/evidence/validate';
import { capacityTest, cloudCapacityTest } from '../capacity/helpers';
import { startCapacityTarget, type CapacityTarget } from '../support/capacityTarget';
import { explain, runBundledTask, runJob, taskVariablesSet } from '../support/agentRunner';
import { AltEmulator } from '../support/altEmulator';
import { altTaskOptions } from '../support/altTaskInputs';

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

  it('capacity: mode misspelt -> Failed naming the input and its values', async () => {
    const run = await runBundledTask('ReadinessLoadTestV1', { inputs: { loadTestConfigFile: config(), mode: 'capacty' } });
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /"mode" must be "test" or "capacity"; got "capacty"/);
  });
});

/**
 * ReadinessLoadTest@1 with mode: capacity and engine: azure, run as the agent runs it against the Azure Load Testing
 * emulator, whose run meets a modelled service of 8 slots x 50 ms (160 rps). Time is compressed (stepMs 0): the
 * stepped run has played when its creation is answered, so the task's own poll intervals need no hook.
 */
describe('ReadinessLoadTest@1 mode capacity (bundled, engine azure against the emulator)', function () {
  this.timeout(120_000);
  let emu: AltEmulator | undefined;
  afterEach(async () => emu?.stop());
  const config = () => cloudCapacityTest(['holdSeconds: 10', 'azure: { steps: 10 }', 'serviceLevel: ["p95(response_time_ms) > 500", "percentage(error) > 1"]',
    'expectedPeakRps: 60', 'headroom: 2'].join('\n'));

  it('capacity azure: one stepped cloud run -> Succeeded, knee from the metrics within 10%, outputs with the run id, post-job step stops nothing', async () => {
    emu = await new AltEmulator({ stepMs: 0, validationMs: 0, service: { slots: 8, serviceMs: 50 } }).start();
    const job = await runJob('ReadinessLoadTestV1', altTaskOptions(emu, config(), { mode: 'capacity', engine: 'azure', outputVariableName: 'CAP' }));
    const run = job.main;
    assert.equal(run.result, 'Succeeded', explain(run));
    const evidence = JSON.parse(readFileSync(run.attachments.find((a) => a.type === 'readiness.evidence')!.path, 'utf8'));
    assert.ok(validateEvidence(evidence).ok);
    assert.equal(evidence.metrics.engine, 'azure');
    assert.equal(evidence.metrics.outcome, 'found', evidence.summary);
    assert.ok(Math.abs(evidence.metrics.sustainableRps - 160) <= 16, evidence.summary);
    assert.equal(evidence.criteria[0].expression, 'capacity >= 2x expected peak (60 rps)');
    const [runId] = [...emu.runs.keys()];
    assert.equal(run.variables['CAP.testRunId']?.value, runId);
    assert.equal(run.variables['CAP.outcome']?.value, 'found');
    assert.ok(run.stdout.includes('ramp 40 rps (2 users)'), 'each step is logged');
    assert.match(readFileSync(run.summaries[0], 'utf8'), /\| Phase \| Offered rps \| Achieved rps \| mean ms \|/);
    assert.equal(taskVariablesSet(run).READINESS_CLOUD_RUN_DONE, 'true', explain(run));
    assert.equal(job.post?.result, 'Succeeded', job.post ? explain(job.post) : 'no post-job step');
    assert.deepEqual(emu.stopped, []);
  });

  it('capacity azure: the knee breaks while the cloud run goes on -> the run stopped there, Succeeded, the summary says so and what it saved', async () => {
    // The profile's 110 s play in 20 s of real time, so the task's own 5 s polls (and reads of the series) see it run.
    emu = await new AltEmulator({ stepMs: 5, validationMs: 0, executeMs: 20_000, service: { slots: 8, serviceMs: 50 } }).start();
    const job = await runJob('ReadinessLoadTestV1', altTaskOptions(emu, config(), { mode: 'capacity', engine: 'azure', outputVariableName: 'CAP' }));
    const run = job.main;
    assert.equal(run.result, 'Succeeded', explain(run));
    const [runId] = [...emu.runs.keys()];
    assert.deepEqual(emu.stopped, [runId], explain(run));
    const evidence = JSON.parse(readFileSync(run.attachments.find((a) => a.type === 'readiness.evidence')!.path, 'utf8'));
    assert.ok(validateEvidence(evidence).ok);
    assert.equal(evidence.metrics.outcome, 'found', evidence.summary);
    assert.ok(Math.abs(evidence.metrics.sustainableRps - 160) <= 16, evidence.summary);
    assert.equal(evidence.metrics.stoppedBy.reason, 'knee');
    assert.match(run.resultMessage ?? '', /Stopped: stopped at the knee: step 5 of 10 broke \(plateau\), the rest of the profile was not needed; stopped after \d+ of 10 steps, about \d+ % of the profile's virtual-user hours not spent/);
    assert.match(run.stdout, /Stopping run [0-9a-f-]+: stopped at the knee: step 5 of 10 broke/);
    // Stopped on purpose: no error and no warning (not even for the archives a stopped run may lack).
    assert.doesNotMatch(run.stdout, /##vso\[task\.(logissue|issue) type=(error|warning)/);
    assert.equal(job.post?.result, 'Succeeded', job.post ? explain(job.post) : 'no post-job step');
    assert.equal(emu.stopped.length, 1, 'the post-job step stops nothing more');
  });

  it('capacity azure: SIGINT while the cloud run goes on -> :stop reaches the service, the evidence says cancelled, the post-job step stops nothing more', async () => {
    // stepMs 60 000: the run stays where it is, and CANCELLING after the stop, as a real one does for a while.
    emu = await new AltEmulator({ stepMs: 60_000, validationMs: 0, holdAt: 'EXECUTING', service: { slots: 8, serviceMs: 50 } }).start();
    let stoppedByMain: string[] = [];
    const { main: run, post } = await runJob('ReadinessLoadTestV1', altTaskOptions(emu, config(), { mode: 'capacity', engine: 'azure' }),
      { onLine: (line) => (line.includes('Started run') ? 'SIGINT' : undefined) }, () => (stoppedByMain = [...emu!.stopped]));
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(stoppedByMain.length, 1, explain(run));
    const evidence = JSON.parse(readFileSync(run.attachments.find((a) => a.type === 'readiness.evidence')!.path, 'utf8'));
    assert.equal(evidence.metrics.cancelled, true);
    assert.equal(evidence.metrics.stoppedBy.reason, 'cancelled');
    assert.match(run.resultMessage ?? '', /Search incomplete \(cancelled: cancelled after \d+ s; the cloud run was stopped\)/);
    assert.equal(post?.result, 'Succeeded', explain(post!));
    assert.equal(emu.stopped.length, 1, 'no second :stop');
  });

  it('capacity azure: a service level the metrics cannot judge -> Failed naming file, line and criterion, nothing sent to the service', async () => {
    emu = await new AltEmulator({ stepMs: 0, validationMs: 0, service: { slots: 8, serviceMs: 50 } }).start();
    const file = cloudCapacityTest(['holdSeconds: 10', 'serviceLevel: ["p50(response_time_ms) > 100"]'].join('\n'));
    const run = await runBundledTask('ReadinessLoadTestV1', altTaskOptions(emu, file, { mode: 'capacity', engine: 'azure' }));
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /test\.yaml:8 capacity\.serviceLevel: "p50\(response_time_ms\) > 100": the run metrics give the response time only as avg, p90, p95 or p99/);
    assert.equal(emu.runs.size, 0);
  });
});
