import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  declaredTargets, exercisedTargets, explain, repoRoot, runBundledTask, targetKey, type NodeHandlerName, type RunTaskOptions,
  type StepKind, type TaskRun,
} from '../support/agentRunner';
import { startTarget, type Target } from '../support/httpTarget';
import { shortExampleConfig } from './shortExample';

/**
 * Every step of every agent task, under every handler its task.json declares, started the way the agent starts it
 * (`node "<target>"`, no arguments; test/support/agentRunner.ts). The last test reads the task.json files and fails
 * when a declared (step, handler, target) was not run here, so a new handler or a new post-job step cannot ship
 * untested.
 */
const tasksDir = path.join(repoRoot, 'tasks');
const agentTasks = readdirSync(tasksDir)
  .filter((d) => existsSync(path.join(tasksDir, d, 'task.json')))
  .map((folder) => ({ folder, json: JSON.parse(readFileSync(path.join(tasksDir, folder, 'task.json'), 'utf8')) }))
  .filter(({ json }) => !json.runsOn || json.runsOn.includes('Agent'));
const STEPS: StepKind[] = ['pre', 'main', 'post'];

interface Scenario {
  name: string;
  options: () => RunTaskOptions;
  check: (run: TaskRun) => void;
}

describe('agent steps: every handler and every step each task.json declares', function () {
  this.timeout(120_000);
  let target: Target;
  before(async () => {
    // The command drill's health and probe URLs answer here too.
    target = await startTarget({ route: (r) => (r.url.startsWith('/orders/1') ? { body: '{"id":1}' } : undefined) });
  });
  after(() => target?.close());

  const scenarios: Record<string, Scenario> = {
    'ReadinessLoadTestV1 main': {
      name: 'local engine against a loopback server -> Succeeded, one load test, evidence attached',
      options: () => ({ inputs: { loadTestConfigFile: shortExampleConfig(), env: JSON.stringify([{ name: 'baseUrl', value: target.url }]) } }),
      check: (run) => {
        assert.equal(run.result, 'Succeeded', explain(run));
        assert.equal(run.attachments.filter((a) => a.type === 'readiness.evidence').length, 1, explain(run));
      },
    },
    'ReadinessLoadTestV1 post': {
      name: 'no cloud run recorded by the main step -> Succeeded, nothing sent, nothing published',
      options: () => ({ inputs: { loadTestConfigFile: shortExampleConfig(), env: JSON.stringify([{ name: 'baseUrl', value: target.url }]) } }),
      check: (run) => {
        assert.equal(run.result, 'Succeeded', explain(run));
        assert.match(run.resultMessage ?? '', /No cloud run left to stop/);
        assert.deepEqual(run.attachments, []);
      },
    },
    'ReadinessDrDrillV1 main': {
      // The command provider: PGlite (the embedded provider) is not bundled into the task (docs/architecture.md).
      name: 'the command example drill against a loopback health endpoint -> Succeeded with RTO and RPO outputs',
      options: () => ({ inputs: { drillFile: path.join(repoRoot, 'examples', 'drill', 'command.yaml') }, env: { HEALTH_PORT: String(target.port) } }),
      check: (run) => {
        assert.equal(run.result, 'Succeeded', explain(run));
        assert.ok(Number(run.variables.rtoSeconds?.value) > 0, explain(run));
      },
    },
    'ReadinessEnvironmentCheckV1 main': {
      // The checks themselves are covered in environmentTask.test.ts; here one health check against the loopback target.
      name: 'one health check on a loopback endpoint -> Succeeded, environment evidence attached',
      options: () => {
        const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'agent-steps-env-')), 'environment.yaml');
        writeFileSync(file, `service: orders\nenvironment: production\nchecks:\n  - name: orders-health\n    type: health\n    url: ${target.url}/orders/1\n    conditions:\n      - $.id == 1\n`);
        return { inputs: { environmentFile: file } };
      },
      check: (run) => {
        assert.equal(run.result, 'Succeeded', explain(run));
        assert.equal(run.attachments.filter((a) => a.type === 'readiness.evidence').length, 1, explain(run));
      },
    },
    'ReadinessGateV1 main': {
      // The gate's behaviour is covered in gateTask.test.ts; here the target must start and report through task-lib.
      name: 'no policy file given -> Failed naming the input',
      options: () => ({ inputs: { environment: 'production' } }),
      check: (run) => {
        assert.equal(run.result, 'Failed', explain(run));
        assert.match(run.resultMessage ?? '', /"policyFile" is required/);
      },
    },
  };

  for (const { folder, json } of agentTasks) {
    for (const step of STEPS) {
      for (const { handler, target: file } of declaredTargets(json, step)) {
        const scenario = scenarios[`${folder} ${step}`];
        if (!scenario) continue; // reported by the last test
        it(`${folder} ${step} step under ${handler} (node "${file}"): ${scenario.name}`, async () => {
          const before = target.total();
          const run = await runBundledTask(folder, { ...scenario.options(), step, handler: handler as NodeHandlerName });
          assert.equal(run.exitCode, 0, `the agent treats a non-zero exit as an infrastructure failure${explain(run)}`);
          assert.equal(run.commands.filter((c) => c.command === 'task.complete').length, 1, `one result${explain(run)}`);
          scenario.check(run);
          if (step !== 'main') assert.equal(target.total(), before, 'a pre- or post-job step sent no load');
        });
      }
    }
  }

  it('coverage: every (task, step, handler, target) declared in a task.json -> run above', () => {
    const missing: string[] = [];
    for (const { folder, json } of agentTasks) {
      for (const step of STEPS) {
        for (const { handler, target: file } of declaredTargets(json, step)) {
          if (!exercisedTargets.has(targetKey(folder, step, handler, file))) missing.push(`${folder} ${step} ${handler} ${file}`);
        }
      }
    }
    assert.deepEqual(missing, [], 'add a scenario for each declared step');
    assert.ok(exercisedTargets.size >= 8, 'main and post-job of the load test, and main of the drill and gate, under both handlers');
  });
});
