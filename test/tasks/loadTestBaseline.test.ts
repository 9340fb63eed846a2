import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LoadTestEvidence } from '../../src/evidence/types';
import { planHash } from '../../src/load/planHash';
import { prepareLoadTest } from '../../src/load/runLoadTest';
import { startAzdoEmulator, type AzdoEmulator } from '../support/azdoEmulator';
import { explain, runBundledTask, type TaskRun } from '../support/agentRunner';
import { startTarget, type Target } from '../support/httpTarget';
import { at, seeded, simulatedRun } from '../regression/fixtures';

const TOKEN = 'job-token-baseline';

/**
 * ReadinessLoadTest@1 with `baselineRuns`: the bundled task reads this test's evidence from earlier runs of the
 * pipeline through the (emulated) Build REST API, compares, and fails on a regression naming the request and the
 * figure. The earlier runs' evidence is built for the task's own plan (same plan hash), at 20 ms; the target now
 * answers in 60 ms, a change no machine noise can hide.
 */
describe('ReadinessLoadTest@1 (bundled) against a baseline of earlier runs', function () {
  this.timeout(180_000);
  let azdo: AzdoEmulator;
  let target: Target;
  let config: string;
  let hash: string;
  let nextBuild = 500;

  before(async () => {
    [azdo, target] = await Promise.all([startAzdoEmulator({ accessToken: TOKEN }), startTarget({ serviceTimeMs: 60 })]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'readiness-lt-baseline-'));
    writeFileSync(path.join(dir, 'loadtest.yaml'), 'version: v0.1\ntestId: shop-test\ntestType: URL\ntestPlan: requests.json\nenv:\n  - name: baseUrl\n    value: http://127.0.0.1:1\n');
    writeFileSync(path.join(dir, 'requests.json'), JSON.stringify({
      version: '1.0',
      scenarios: { main: { requests: [{ requestName: 'GetItem', requestType: 'URL', method: 'GET', endpoint: '${baseUrl}/item' }] } },
      testSetup: [{ scenario: 'main', loadType: 'Linear', virtualUsersPerEngine: 4, durationInSeconds: 3 }],
    }));
    config = path.join(dir, 'loadtest.yaml');
    hash = planHash(prepareLoadTest({ configFile: config, env: { baseUrl: target.url } }).plan);
  });
  after(async () => Promise.all([azdo?.close(), target?.close()]));

  /** An earlier run of the pipeline holding one load-test document at `medianMs`. */
  function earlierRun(medianMs: number, minutes: number, build: Partial<Parameters<AzdoEmulator['addBuild']>[0]> = {}): LoadTestEvidence {
    const evidence = simulatedRun({ medianMs, requests: 600, finishedAt: at(minutes), random: seeded(minutes), planHash: hash, environment: 'staging', spread: 0.1 });
    const id = nextBuild++;
    azdo.addBuild({ id, definitionId: 7, status: 'completed', result: 'succeeded', finishTime: evidence.finishedAt, ...build });
    // Made by our task in that run (the gate and the baseline count only evidence whose run is the run it is attached to).
    evidence.run = { ...evidence.run, runId: String(id), task: 'ReadinessLoadTest' };
    azdo.addAttachment(id, 'readiness.evidence', `loadtest-${evidence.id}.json`, JSON.stringify(evidence));
    return evidence;
  }

  function runTask(extra: Record<string, string> = {}): Promise<TaskRun> {
    const buildId = nextBuild++;
    azdo.addBuild({ id: buildId, definitionId: 7, status: 'inProgress' });
    return runBundledTask('ReadinessLoadTestV1', {
      inputs: { loadTestConfigFile: config, env: JSON.stringify([{ name: 'baseUrl', value: target.url }]), service: 'shop', environment: 'staging', baselineRuns: '10', ...extra },
      env: { SYSTEM_COLLECTIONURI: azdo.collectionUri, SYSTEM_TEAMPROJECT: azdo.project, BUILD_BUILDID: String(buildId), SYSTEM_DEFINITIONID: '7', BUILD_SOURCEBRANCH: 'refs/heads/main' },
      jobAccessToken: TOKEN,
    });
  }

  function evidenceOf(run: TaskRun): LoadTestEvidence {
    const attachment = run.attachments.find((a) => a.type === 'readiness.evidence');
    assert.ok(attachment, `no evidence attachment${explain(run)}`);
    return JSON.parse(readFileSync(attachment.path, 'utf8')) as LoadTestEvidence;
  }

  it('baseline: three earlier runs at 20 ms, this one at 60 ms -> Failed, naming the request and the figure; the table in the log', async () => {
    earlierRun(20, 0);
    earlierRun(20, 10);
    earlierRun(20, 20);
    // A pull-request run attaches a slow "baseline" to hide the regression: never read (its code is not the release's).
    earlierRun(70, 30, { reason: 'pullRequest', sourceBranch: 'refs/pull/9/merge' });
    const run = await runTask();
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /Regressed against 3 baseline runs: .*GetItem p50 \+\d/);
    assert.match(run.stdout, /Baseline comparison: Regressed against 3 baseline runs/);
    assert.match(run.stdout, /GetItem\s+p50\s+.*regressed/);
    const evidence = evidenceOf(run);
    assert.equal(evidence.verdict, 'failed');
    assert.equal(evidence.metrics.regression?.baselineRuns.length, 3);
    assert.ok(evidence.metrics.requests[0].latencyHistogram, 'the distribution is kept for the next comparison');
  });

  it('baseline: a pin that names no earlier run -> Failed as bad input before any traffic', async () => {
    const before = target.total();
    const run = await runTask({ baselinePin: '424242' });
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /The pinned baseline run 424242 is not among the earlier evidence of test shop-test/);
    assert.equal(target.total(), before, 'no traffic sent');
  });
});
