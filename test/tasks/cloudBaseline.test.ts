import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LoadTestEvidence } from '../../src/evidence/types';
import { AltEmulator, type EmulatorOptions } from '../support/altEmulator';
import { cloudRunner } from '../support/altCloudRun';
import { altTaskOptions } from '../support/altTaskInputs';
import { explain, repoRoot, runBundledTask, type TaskRun } from '../support/agentRunner';
import { startAzdoEmulator, type AzdoEmulator } from '../support/azdoEmulator';
import type { SampleLogModel } from '../support/altSampleLog';

const EXAMPLE = path.join(repoRoot, 'examples', 'azure', 'loadtest.yaml');
const MODEL: SampleLogModel = {
  requests: [
    { label: 'home', count: 2000, baseMs: 8, tailMs: 20 },
    { label: 'search', count: 1000, baseMs: 15, tailMs: 40 },
  ],
};

/**
 * ReadinessLoadTest@1 on Azure Load Testing with `baselineRuns`, as the agent runs it: earlier cloud runs of the same
 * plan on the same resource are attached to earlier pipeline runs (emulated Build REST API); the bundled task runs the
 * test on the (emulated) service, reads the sample log from results.zip into histograms, and compares.
 */
describe('ReadinessLoadTest@1 (bundled, engine azure) against a baseline of earlier cloud runs', function () {
  this.timeout(180_000);
  let azdo: AzdoEmulator;
  let emu: AltEmulator | undefined;
  let nextBuild = 900;
  const baseline: LoadTestEvidence[] = [];

  before(async () => {
    azdo = await startAzdoEmulator({ accessToken: new AltEmulator().options.systemAccessToken });
    // Three earlier cloud runs of the same plan, made by the engine itself, at normal speed (±1%).
    const results = mkdtempSync(path.join(os.tmpdir(), 'cloud-baseline-'));
    for (const scale of [0.99, 1, 1.01]) {
      const earlier = await new AltEmulator({ stepMs: 0, validationMs: 0, sampleLog: { ...MODEL, scale } }).start();
      const outcome = await cloudRunner(earlier, { resultsDirectory: results })({ configFile: EXAMPLE, environment: 'staging' });
      await earlier.stop();
      const evidence = outcome.evidence!;
      const id = nextBuild++;
      azdo.addBuild({ id, definitionId: 7, status: 'completed', result: 'succeeded', finishTime: evidence.finishedAt });
      evidence.run = { ...evidence.run, runId: String(id), task: 'ReadinessLoadTest' };
      azdo.addAttachment(id, 'readiness.evidence', `loadtest-${evidence.id}.json`, JSON.stringify(evidence));
      baseline.push(evidence);
    }
    rmSync(results, { recursive: true, force: true });
  });
  after(async () => azdo?.close());
  afterEach(async () => emu?.stop());

  async function runTask(options: EmulatorOptions): Promise<TaskRun> {
    emu = await new AltEmulator({ serviceConnectionId: 'c0ffee00-0000-0000-0000-000000000001', stepMs: 0, validationMs: 0, ...options }).start();
    const base = altTaskOptions(emu, EXAMPLE, { baselineRuns: '10' });
    const buildId = nextBuild++;
    azdo.addBuild({ id: buildId, definitionId: 7, status: 'inProgress' });
    return runBundledTask('ReadinessLoadTestV1', { ...base, env: { ...base.env, SYSTEM_COLLECTIONURI: azdo.collectionUri, SYSTEM_TEAMPROJECT: azdo.project,
      BUILD_BUILDID: String(buildId), SYSTEM_DEFINITIONID: '7', BUILD_SOURCEBRANCH: 'refs/heads/main' } });
  }

  function evidenceOf(run: TaskRun): LoadTestEvidence {
    const attachment = run.attachments.find((a) => a.type === 'readiness.evidence');
    assert.ok(attachment, `no evidence attachment${explain(run)}`);
    return JSON.parse(readFileSync(attachment.path, 'utf8')) as LoadTestEvidence;
  }

  it('cloud run 20% slower than its cloud baseline: -> Failed, regression named, figures from the sample log\'s histograms', async () => {
    const run = await runTask({ sampleLog: { ...MODEL, scale: 1.2 } });
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /Regressed against 3 baseline runs: .*Total p50 \+\d/);
    const evidence = evidenceOf(run);
    assert.ok(evidence.metrics.totals.latencyHistogram, 'the distribution came from results.zip');
    assert.equal(evidence.metrics.regression?.verdict, 'regressed');
    assert.deepEqual(evidence.metrics.regression?.baselineRuns.map((r) => r.id).sort(), baseline.map((e) => e.id).sort());
  });

  it('cloud run at the baseline\'s speed: -> Succeeded, nothing regressed', async () => {
    const run = await runTask({ sampleLog: MODEL });
    assert.equal(run.result, 'Succeeded', explain(run));
    const evidence = evidenceOf(run);
    assert.notEqual(evidence.metrics.regression?.verdict, 'regressed', evidence.metrics.regression?.summary);
    assert.equal(evidence.metrics.regression?.baselineRuns.length, 3);
  });

  it('results.zip damaged: -> a warning naming results.zip in the log, the comparison on the service\'s statistics, never a crash', async () => {
    const run = await runTask({ sampleLog: MODEL, resultsArchive: Buffer.from('PK\u0003\u0004 cut short') });
    assert.match(run.stdout, /##vso\[task\.issue type=warning[^\]]*\]results\.zip: could not be read as a zip archive .*results\.zip was not kept/);
    const evidence = evidenceOf(run);
    assert.equal(evidence.metrics.totals.latencyHistogram, undefined);
    assert.equal(evidence.metrics.azure?.sampleLog?.read, false);
    assert.ok(evidence.metrics.regression, 'still compared, on the percentiles the service reported');
  });
});
