import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { devTaskId } from '../../scripts/devTaskIds';
import { explain, repoRoot, runJob, taskVariablesSet } from '../support/agentRunner';
import { AltEmulator } from '../support/altEmulator';
import { altTaskOptions } from '../support/altTaskInputs';
import { startTarget, type Target } from '../support/httpTarget';
import { shortExampleConfig } from './shortExample';

/**
 * Acceptance: the packaged .vsix, unzipped, run as the agent runs a job (main step, then post-job step, each as
 * `node "<target>"`), does one load test per job; its post-job step stops an Azure Load Testing run that a killed
 * main step left behind, and otherwise does nothing. Also: the dev and release packages carry different task ids,
 * and each package's build-results tab lists exactly its own ids.
 */
function packageAndUnzip(flavour: 'release' | 'dev'): string {
  const work = mkdtempSync(path.join(os.tmpdir(), `readiness-vsix-${flavour}-`));
  // `npm test` has built dist/ already; this packages it offline, as `npm run package` does.
  execFileSync(process.execPath, [require.resolve('tsx/cli'), path.join(repoRoot, 'scripts', 'package.ts'), '--out', work,
    ...(flavour === 'dev' ? ['--dev'] : [])], { cwd: repoRoot, stdio: 'pipe' });
  const [vsix] = readdirSync(work).filter((f) => f.endsWith('.vsix'));
  const unzipped = path.join(work, 'unzipped');
  mkdirSync(unzipped);
  execFileSync('unzip', ['-q', path.join(work, vsix), '-d', unzipped]);
  return unzipped;
}

const TASK = 'ReadinessLoadTestV1';

describe('packaged .vsix run as the agent runs a job', function () {
  this.timeout(180_000);
  let vsixRoot: string;
  let target: Target;
  let emu: AltEmulator | undefined;
  before(async () => {
    vsixRoot = packageAndUnzip('release');
    target = await startTarget();
  });
  after(() => target?.close());
  afterEach(async () => {
    await emu?.stop();
    emu = undefined;
  });

  for (const handler of ['Node20_1', 'Node24'] as const) {
    it(`local engine job under ${handler}: main then post-job -> exactly one load test (the loopback server saw no request after the main step)`, async () => {
      const before = target.total();
      const { main, post } = await runJob(TASK, { tasksRoot: vsixRoot, handler,
        inputs: { loadTestConfigFile: shortExampleConfig(), env: JSON.stringify([{ name: 'baseUrl', value: target.url }]) } });
      assert.equal(main.result, 'Succeeded', explain(main));
      const evidence = JSON.parse(readFileSync(main.attachments.find((a) => a.type === 'readiness.evidence')!.path, 'utf8'));
      const sentByMain = evidence.metrics.totals.requests;
      assert.ok(sentByMain > 0);
      assert.ok(post, 'the package declares a post-job step');
      assert.equal(post.result, 'Succeeded', explain(post));
      assert.equal(target.total() - before, sentByMain, 'every request the target saw came from the main step');
      assert.deepEqual(post.attachments, [], 'the post-job step published no second evidence');
    });
  }

  it('Azure job whose main step is killed mid-run: the post-job step stops the run it left behind', async () => {
    emu = await new AltEmulator({ stepMs: 0, validationMs: 0, holdAt: 'EXECUTING' }).start();
    const options = altTaskOptions(emu, path.join(repoRoot, 'examples', 'azure', 'loadtest.yaml'));
    let stoppedByMain: string[] = [];
    const { main, post } = await runJob(TASK, { ...options, tasksRoot: vsixRoot },
      { onLine: (line) => (line.includes('Started run') ? 'SIGKILL' : undefined) }, () => (stoppedByMain = [...emu!.stopped]));
    assert.equal(main.result, undefined, `killed before reporting${explain(main)}`);
    const runId = taskVariablesSet(main).READINESS_CLOUD_RUN_ID;
    assert.ok(runId, explain(main));
    assert.deepEqual(stoppedByMain, [], 'a killed step stops nothing itself');
    assert.equal(post?.result, 'Succeeded', explain(post!));
    assert.deepEqual(emu.stopped, [runId]);
    assert.equal(emu.runs.size, 1, 'the post-job step started no second run');
  });

  it('Azure job that completes: the post-job step sends no request at all', async () => {
    emu = await new AltEmulator({ stepMs: 0, validationMs: 0 }).start();
    const options = altTaskOptions(emu, path.join(repoRoot, 'examples', 'azure', 'loadtest.yaml'));
    let afterMain = 0;
    const { main, post } = await runJob(TASK, { ...options, tasksRoot: vsixRoot }, {}, () => (afterMain = emu!.requests.length));
    assert.equal(main.result, 'Succeeded', explain(main));
    assert.equal(post?.result, 'Succeeded', explain(post!));
    assert.equal(emu.requests.length, afterMain, 'nothing sent by the post-job step');
    assert.equal(emu.runs.size, 1);
    assert.deepEqual(emu.stopped, []);
  });
});

describe('dev and release packages', function () {
  this.timeout(180_000);
  const ids = (root: string) => Object.fromEntries(readdirSync(path.join(root, 'tasks'))
    .map((folder) => [folder, JSON.parse(readFileSync(path.join(root, 'tasks', folder, 'task.json'), 'utf8'))] as const)
    .map(([folder, json]) => [folder, { id: json.id as string, agent: !json.runsOn || json.runsOn.includes('Agent') }]));
  const supportsTasks = (root: string): string[] => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'extension.vsomanifest'), 'utf8'));
    return manifest.contributions.find((c: { type: string }) => c.type === 'ms.vss-build-web.build-results-tab').properties.supportsTasks;
  };

  it('dev vsix: every task has its own id, derived from the release id; each build-results tab lists exactly its own agent tasks', () => {
    const release = packageAndUnzip('release');
    const dev = packageAndUnzip('dev');
    const releaseIds = ids(release);
    const devIds = ids(dev);
    assert.deepEqual(Object.keys(devIds).sort(), Object.keys(releaseIds).sort());
    for (const [folder, { id }] of Object.entries(releaseIds)) {
      assert.notEqual(devIds[folder].id, id, `${folder}: the dev build reuses the release id`);
      assert.equal(devIds[folder].id, devTaskId(id), `${folder}: the dev id is deterministic`);
    }
    for (const [root, found] of [[release, releaseIds], [dev, devIds]] as const) {
      const agentIds = Object.values(found).filter((t) => t.agent).map((t) => t.id).sort();
      assert.deepEqual([...supportsTasks(root)].sort(), agentIds, `${root}: supportsTasks must equal the package's own task ids`);
    }
  });
});
