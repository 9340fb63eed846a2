import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { currentFingerprints, readLock } from '../scripts/taskLock';

/**
 * The extension manifest against the task folders and the packaged .vsix. A wrong GUID in
 * supportsTasks makes the build-results tab silently never appear, so it is checked here.
 */
const root = path.resolve(__dirname, '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'vss-extension.json'), 'utf8'));
const taskFolders = readdirSync(path.join(root, 'tasks')).filter((d) => existsSync(path.join(root, 'tasks', d, 'task.json')));
const tasks = taskFolders.map((folder) => ({ folder, json: JSON.parse(readFileSync(path.join(root, 'tasks', folder, 'task.json'), 'utf8')) }));
const agentTasks = tasks.filter((t) => !t.json.runsOn || t.json.runsOn.includes('Agent'));

describe('extension manifest', () => {
  it('manifest: every task folder -> listed in files and in contributions', () => {
    for (const { folder } of tasks) {
      assert.ok(manifest.files.some((f: { packagePath?: string }) => f.packagePath === `tasks/${folder}`), `${folder} missing from files`);
      assert.ok(
        manifest.contributions.some((c: { type: string; properties: { name?: string } }) => c.type === 'ms.vss-distributed-task.task' && c.properties.name === `tasks/${folder}`),
        `${folder} missing from contributions`,
      );
    }
  });

  it('manifest: supportsTasks -> exactly the agent tasks\' task.json ids', () => {
    const tab = manifest.contributions.find((c: { type: string }) => c.type === 'ms.vss-build-web.build-results-tab');
    assert.deepEqual([...tab.properties.supportsTasks].sort(), agentTasks.map((t) => t.json.id).sort());
  });

  it('task.json: names, ids, friendly names, handlers -> valid for tfx and the agent', () => {
    const ids = new Set<string>();
    for (const { folder, json } of tasks) {
      assert.match(json.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, folder);
      assert.ok(!ids.has(json.id), `${folder} reuses a task id`);
      ids.add(json.id);
      assert.match(json.name, /^[A-Za-z0-9-]+$/);
      assert.ok(json.friendlyName.length > 0 && json.friendlyName.length <= 40, `${folder} friendlyName is ${json.friendlyName.length} characters`);
      assert.ok(json.instanceNameFormat, `${folder} needs instanceNameFormat`);
      if (agentTasks.some((t) => t.folder === folder)) {
        assert.deepEqual(Object.keys(json.execution).sort(), ['Node20_1', 'Node24'], `${folder} must ship Node20_1 and Node24`);
      } else {
        assert.deepEqual(Object.keys(json.execution), ['HttpRequest'], `${folder}: a gate task has one HttpRequest handler`);
        assert.equal(json.minimumAgentVersion, undefined, 'a server gate task has no minimumAgentVersion');
      }
      for (const input of json.inputs) assert.ok(input.helpMarkDown && input.helpMarkDown.length > 20, `${folder}.${input.name} needs help text`);
    }
  });

  it('task versions: what ships changed -> the version was bumped and tasks/task-lock.json records it', () => {
    const locked = readLock();
    const current = currentFingerprints();
    for (const [task, entry] of Object.entries(current)) {
      const before = locked[task];
      assert.ok(before, `${task} is not in tasks/task-lock.json; run "npm run tasks:lock" after "npm run build"`);
      if (before.sha256 !== entry.sha256) {
        assert.notEqual(
          entry.version,
          before.version,
          `${task}: its code changed but its version is still ${entry.version}. Bump version.Patch in every task.json, then run "npm run build" and "npm run tasks:lock"`,
        );
        assert.fail(`${task}: version bumped to ${entry.version}; record it with "npm run tasks:lock"`);
      }
      assert.equal(entry.version, before.version, `${task}: the version changed without a new lock; run "npm run tasks:lock"`);
    }
  });

  it('task.json: minimumAgentVersion -> the lowest agent that runs one of the declared handlers', () => {
    // Node20_1 needs agent 3.232.1, Node24 4.265.1; with both listed the agent runs the newest it supports
    // (azure-pipelines-tasks, migrateNode24.md). A higher floor turns away agents that could run the task.
    const floors: Record<string, string> = { Node20_1: '3.232.1', Node24: '4.265.1' };
    const order = (v: string) => v.split('.').map(Number).reduce((sum, n) => sum * 100_000 + n, 0);
    for (const { folder, json } of agentTasks) {
      const lowest = Object.keys(json.execution).map((h) => floors[h]).sort((a, b) => order(a) - order(b))[0];
      assert.equal(json.minimumAgentVersion, lowest, folder);
    }
  });

  it('task.json: versions -> bumped together (all tasks share one version)', () => {
    const versions = new Set(tasks.map(({ json }) => `${json.version.Major}.${json.version.Minor}.${json.version.Patch}`));
    assert.equal(versions.size, 1, `task versions differ: ${[...versions].join(', ')}`);
  });
});

describe('packaged .vsix', function () {
  this.timeout(180_000);
  let vsix: string;
  let entries: string[];

  before(() => {
    const dist = path.join(root, 'dist');
    for (const f of existsSync(dist) ? readdirSync(dist) : []) if (f.endsWith('.vsix')) rmSync(path.join(dist, f));
    // `npm test` has already run the build; this packages what it built, offline.
    execFileSync(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'scripts', 'package.ts')], { cwd: root, stdio: 'pipe' });
    const found = readdirSync(dist).filter((f) => f.endsWith('.vsix'));
    assert.equal(found.length, 1, `expected one .vsix, found ${found.join(', ')}`);
    vsix = path.join(dist, found[0]);
    entries = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n').filter(Boolean);
  });

  it('vsix: every target of every step (execution, pre- and post-job) of every task -> present inside the package', () => {
    for (const { folder, json } of agentTasks) {
      for (const step of ['prejobexecution', 'execution', 'postjobexecution']) {
        for (const handler of Object.values(json[step] ?? {}) as Array<{ target: string }>) {
          assert.ok(entries.includes(`tasks/${folder}/${handler.target}`), `tasks/${folder}/${handler.target} (${step}) is not in the .vsix`);
        }
      }
      assert.ok(entries.includes(`tasks/${folder}/task.json`));
      assert.ok(entries.includes(`tasks/${folder}/icon.png`));
    }
  });

  it('vsix: task folders -> no node_modules shipped (tasks are bundled)', () => {
    assert.deepEqual(entries.filter((e) => e.includes('node_modules/')), []);
  });

  it('vsix: hub and build-results tab pages -> present', () => {
    for (const c of manifest.contributions.filter((c: { properties: { uri?: string } }) => c.properties.uri)) {
      assert.ok(entries.includes(c.properties.uri), `${c.properties.uri} (${c.id}) is not in the .vsix`);
    }
  });

  it('vsix: size -> under 10 MB', () => {
    assert.ok(statSync(vsix).size < 10 * 1024 * 1024, `the .vsix is ${(statSync(vsix).size / 1048576).toFixed(1)} MB`);
  });
});
