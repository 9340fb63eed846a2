import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadDrillConfig } from '../../src/dr/config';
import { loadPolicy } from '../../src/gate/policy';
import { prepareLoadTest } from '../../src/load';

const ROOT = path.resolve(__dirname, '..', '..');
const PIPELINE = 'examples/pipelines/azure-pipelines.yml';

interface TaskInput { name: string; aliases?: string[]; type: string; required?: boolean; defaultValue?: string }
interface TaskJson { name: string; version: { Major: number }; inputs: TaskInput[]; outputVariables?: Array<{ name: string }>; runsOn?: string[] }
interface Step { task?: string; name?: string; inputs?: Record<string, unknown>; env?: Record<string, string> }

/** Every task this repository ships, keyed by the reference a pipeline writes: `Name@Major`. */
function shippedTasks(): Map<string, TaskJson> {
  const tasks = new Map<string, TaskJson>();
  for (const folder of readdirSync(path.join(ROOT, 'tasks'))) {
    const file = path.join(ROOT, 'tasks', folder, 'task.json');
    if (!existsSync(file)) continue;
    const task = JSON.parse(readFileSync(file, 'utf8')) as TaskJson;
    tasks.set(`${task.name}@${task.version.Major}`, task);
  }
  return tasks;
}

/** Every step with a `task:` key, wherever it sits (stages, jobs, deployment strategies). */
function taskSteps(node: unknown, found: Step[] = []): Step[] {
  if (Array.isArray(node)) node.forEach((n) => taskSteps(n, found));
  else if (node && typeof node === 'object') {
    if (typeof (node as Step).task === 'string') found.push(node as Step);
    Object.values(node).forEach((n) => taskSteps(n, found));
  }
  return found;
}

const text = readFileSync(path.join(ROOT, PIPELINE), 'utf8');
const pipeline = parse(text) as Record<string, unknown>;
const steps = taskSteps(pipeline);
const tasks = shippedTasks();
const stepOf = (ref: string) => steps.find((s) => s.task === ref)!;
/** `$(name)` macros expanded from the pipeline's own `variables`, as the agent does before the task starts. */
const variables = (pipeline.variables ?? {}) as Record<string, string>;
const expand = (value: string) => value.replace(/\$\((\w+)\)/g, (all, name: string) => variables[name] ?? all);

describe('docs: the example pipeline (examples/pipelines/azure-pipelines.yml)', () => {
  it('pipeline: uses the three agent tasks -> ReadinessLoadTest@1, ReadinessDrDrill@1 and ReadinessGate@1 all appear', () => {
    assert.deepEqual([...new Set(steps.map((s) => s.task))].sort(), ['ReadinessDrDrill@1', 'ReadinessGate@1', 'ReadinessLoadTest@1']);
  });

  it('pipeline: every task: reference -> a task.json in tasks/ with that name and major version', () => {
    for (const step of steps) assert.ok(tasks.has(step.task!), `${step.task} is not a task in tasks/*/task.json`);
  });

  it('pipeline: every input set -> a real input name or alias of that task', () => {
    for (const step of steps) {
      const names = new Set(tasks.get(step.task!)!.inputs.flatMap((i) => [i.name, ...(i.aliases ?? [])]));
      for (const key of Object.keys(step.inputs ?? {})) assert.ok(names.has(key), `${step.task}: "${key}" is not an input of the task`);
    }
  });

  it('pipeline: every required input without a default -> set (by name or alias)', () => {
    for (const step of steps) {
      const set = new Set(Object.keys(step.inputs ?? {}));
      for (const input of tasks.get(step.task!)!.inputs) {
        if (!input.required || input.defaultValue !== undefined) continue;
        assert.ok([input.name, ...(input.aliases ?? [])].some((n) => set.has(n)), `${step.task}: required input "${input.name}" is not set`);
      }
    }
  });

  it('pipeline: every filePath input and every examples/ path in the file -> exists in the repository', () => {
    const paths = new Set<string>();
    for (const step of steps) {
      const task = tasks.get(step.task!)!;
      for (const input of task.inputs.filter((i) => i.type === 'filePath')) {
        const value = [input.name, ...(input.aliases ?? [])].map((n) => step.inputs?.[n]).find((v) => v !== undefined);
        if (typeof value === 'string') paths.add(value);
      }
    }
    for (const match of text.matchAll(/\bexamples\/[\w./-]*\w/g)) paths.add(match[0]);
    assert.ok(paths.size >= 4, `expected the policy, the load test, the drill and the check to be referenced, found ${[...paths]}`);
    for (const p of paths) assert.ok(existsSync(path.join(ROOT, p)), `${PIPELINE} refers to ${p}, which does not exist`);
  });

  it('pipeline: JSON inputs (env, secrets, overrideParameters) -> parse as JSON', () => {
    for (const step of steps) {
      for (const key of ['env', 'secrets', 'overrideParameters']) {
        const value = step.inputs?.[key];
        if (typeof value === 'string') assert.doesNotThrow(() => JSON.parse(value), `${step.task} input ${key} is not JSON: ${value}`);
      }
    }
  });

  it('pipeline: the production deploy step runs after the gate, only on its ready output -> that step name and output variable exist', () => {
    const match = /condition: and\(succeeded\(\), eq\(variables\['(\w+)\.(\w+)'\], 'ready'\)\)/.exec(text);
    assert.ok(match, 'the production deploy step reads the gate output variable');
    const [, stepName, variable] = match;
    const stages = pipeline.stages as Array<{ stage: string; jobs: Array<{ deployment?: string; environment?: string; strategy?: { runOnce?: { deploy?: { steps?: Step[] } } } }> }>;
    const job = stages.find((s) => s.stage === 'Production')?.jobs.find((j) => j.environment === 'production');
    const deploySteps = job?.strategy?.runOnce?.deploy?.steps ?? [];
    const gateAt = deploySteps.findIndex((s) => s.name === stepName && s.task === 'ReadinessGate@1');
    assert.ok(gateAt >= 0, 'the gate runs in the production deployment job, after the environment\'s approvals');
    assert.ok(tasks.get('ReadinessGate@1')!.outputVariables?.some((v) => v.name === variable), `ReadinessGate@1 has no output variable ${variable}`);
  });

  it('pipeline: the policy, the load test and the drill it names -> load without a configuration error', async () => {
    const gate = stepOf('ReadinessGate@1');
    const policy = await loadPolicy(path.join(ROOT, gate.inputs!.policyFile as string));
    assert.ok(policy.environments[gate.inputs!.environment as string], 'the gate environment is defined in the policy');

    const load = stepOf('ReadinessLoadTest@1');
    const env = Object.fromEntries((JSON.parse(expand(load.inputs!.env as string)) as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
    const prepared = prepareLoadTest({ configFile: path.join(ROOT, load.inputs!.loadTestConfigFile as string), env });
    assert.ok(prepared.criteria.length > 0);
    assert.equal(prepared.config.testId, load.inputs!.service, 'the evidence service matches the test id the policy filters on');

    const drill = stepOf('ReadinessDrDrill@1');
    const config = loadDrillConfig(path.join(ROOT, drill.inputs!.drillFile as string), { ...drill.env });
    assert.equal(config.service, policy.service);
  });
});
