import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Runs a bundled task the way the Azure Pipelines agent does. Every behaviour imitated here is the agent's, read in
 * microsoft/azure-pipelines-agent (docs/agent-harness.md lists them with their sources):
 * - the step's target comes from task.json: `execution` for the main step, `postjobexecution` for the post-job step,
 *   under the handler the test names (Node20_1 or Node24);
 * - it starts as `node "<target>"`, the target path and no arguments (src/Agent.Worker/Handlers/NodeHandler.cs,
 *   RunAsync: the arguments are the quoted target only; argumentFormat is never read), in
 *   System.DefaultWorkingDirectory;
 * - every input task.json declares, with its default, under the step's own values, trimmed (src/Agent.Worker/
 *   TaskRunner.cs), becomes INPUT_<NAME>; pipeline variables <NAME> with "." and " " as "_", secret variables
 *   SECRET_<NAME> (src/Agent.Worker/Handlers/Handler.cs, AddInputsToEnvironment and AddVariablesToEnvironment);
 * - only the endpoints a connectedService input names reach the step, plus SystemVssConnection (TaskRunner.cs);
 * - each service endpoint becomes ENDPOINT_URL_<id>, ENDPOINT_AUTH_<id> (JSON), ENDPOINT_AUTH_SCHEME_<id>,
 *   ENDPOINT_AUTH_PARAMETER_<id>_<KEY> and ENDPOINT_DATA_<id>_<KEY>; the job's own connection has no id and is keyed
 *   SYSTEMVSSCONNECTION, carrying the job token as its AccessToken parameter (Handler.cs, AddEndpointsToEnvironment);
 * - task variables set by earlier steps with ##vso[task.settaskvariable] become VSTS_TASKVARIABLE_<NAME>
 *   (Handler.cs, AddTaskVariablesToEnvironment);
 * - the System.AccessToken variable exists only when the job sets system.enableAccessToken (the classic checkbox
 *   "Allow scripts to access the OAuth token"), copied from SystemVssConnection (src/Agent.Worker/JobRunner.cs).
 *
 * Unlike task-lib's MockTestRunner (spawnSync), the child runs asynchronously, so a test can keep a loopback server
 * in its own process and can cancel the task with a signal, like the agent does.
 */
export const repoRoot = path.resolve(__dirname, '..', '..');
export const taskDir = (task: string, root = path.join(repoRoot, 'dist')) => path.join(root, 'tasks', task);

export type NodeHandlerName = 'Node20_1' | 'Node24';
/** main: task.json `execution`; post: `postjobexecution`; pre: `prejobexecution`. */
export type StepKind = 'pre' | 'main' | 'post';
const STEP_SECTIONS: Record<StepKind, string> = { pre: 'prejobexecution', main: 'execution', post: 'postjobexecution' };

export interface ServiceEndpoint {
  /** The endpoint's id (a GUID): the task input names it. */
  id: string;
  url: string;
  scheme: string;
  parameters: Record<string, string>;
  data?: Record<string, string>;
}

/** Every (task, step, handler, target) this process has started, so a test can prove each declared one was run. */
export const exercisedTargets = new Set<string>();
export const targetKey = (task: string, step: StepKind, handler: NodeHandlerName, target: string) => `${task} ${step} ${handler} ${target}`;

/** The Node handlers and targets a task.json declares for a step. */
export function declaredTargets(taskJson: Record<string, unknown>, step: StepKind): Array<{ handler: NodeHandlerName; target: string }> {
  const section = (taskJson[STEP_SECTIONS[step]] ?? {}) as Record<string, { target?: string }>;
  return Object.entries(section)
    .filter(([handler, data]) => handler.startsWith('Node') && data.target)
    .map(([handler, data]) => ({ handler: handler as NodeHandlerName, target: data.target! }));
}

export interface VsoCommand {
  command: string; // e.g. task.complete
  properties: Record<string, string>;
  message: string;
}

export interface TaskRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  commands: VsoCommand[];
  /** task.complete's result: Succeeded, SucceededWithIssues, Failed, Cancelled... */
  result?: string;
  resultMessage?: string;
  /** Output and ordinary variables set with task.setvariable, by name. */
  variables: Record<string, { value: string; isOutput: boolean; isSecret: boolean }>;
  attachments: Array<{ type: string; name: string; path: string }>;
  summaries: string[];
  progress: Array<{ value: number; message: string }>;
  errors: string[];
  warnings: string[];
  /** Test results published with results.publish. */
  testResults: Array<{ type: string; files: string[] }>;
  secrets: string[];
}

export interface RunTaskOptions {
  /** Which step of the task to run. Default main. */
  step?: StepKind;
  /** Which handler of task.json to take the target from. Default Node24 (what a current agent picks). */
  handler?: NodeHandlerName;
  /** Folder holding tasks/<Task> (default dist/; an unzipped .vsix works too). */
  tasksRoot?: string;
  inputs?: Record<string, string>;
  /** Pipeline variables, e.g. { 'System.Debug': 'true' }. */
  variables?: Record<string, string>;
  /** Secret pipeline variables: reach the step only as SECRET_<NAME>, which task-lib moves into its vault. */
  secretVariables?: Record<string, string>;
  /** Service endpoints the task inputs name. */
  endpoints?: ServiceEndpoint[];
  /** Task variables set by earlier steps (VSTS_TASKVARIABLE_<NAME>). */
  taskVariables?: Record<string, string>;
  /** The job's token, carried by SystemVssConnection. Default a fixed fake token. */
  jobAccessToken?: string;
  /** system.enableAccessToken: only then does the System.AccessToken variable (SYSTEM_ACCESSTOKEN) exist. */
  enableAccessToken?: boolean;
  /** Extra environment (for the child's process only: NODE_EXTRA_CA_CERTS for an emulator's CA, PGPORT, ...). */
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  /** Called for each stdout line; may return a signal to send to the task (to emulate a cancel). */
  onLine?: (line: string) => NodeJS.Signals | void;
}

// task-lib escapes "%" as "%AZP25", and CR, LF, ";" and "]" as %0D, %0A, %3B, %5D.
function unescapeProperty(value: string): string {
  return unescapeMessage(value.replace(/%3B/g, ';').replace(/%5D/g, ']'));
}

function unescapeMessage(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%AZP25/g, '%');
}

export function parseVsoLines(stdout: string): VsoCommand[] {
  const commands: VsoCommand[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const match = /##vso\[([\w.]+)([^\]]*)\](.*)$/.exec(line);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of match[2].trim().split(';')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      if (eq < 0) properties[pair.trim()] = '';
      else properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
    }
    commands.push({ command: match[1], properties, message: unescapeMessage(match[3]) });
  }
  return commands;
}

/** Name of the environment variable the agent uses for a task input or a pipeline variable. */
export function envName(prefix: '' | 'INPUT_', name: string): string {
  return prefix + name.replace(/[.\s]/g, '_').toUpperCase();
}

export function summarise(stdout: string, stderr: string, exitCode: number | null): TaskRun {
  const commands = parseVsoLines(stdout);
  const run: TaskRun = {
    exitCode, stdout, stderr, commands, variables: {}, attachments: [], summaries: [], progress: [],
    errors: [], warnings: [], testResults: [], secrets: [],
  };
  for (const c of commands) {
    switch (c.command) {
      case 'task.complete':
        run.result = c.properties.result;
        run.resultMessage = c.message;
        break;
      case 'task.setvariable':
        run.variables[c.properties.variable] = {
          value: c.message,
          isOutput: c.properties.isOutput === 'true',
          isSecret: c.properties.issecret === 'true',
        };
        break;
      case 'task.addattachment':
        run.attachments.push({ type: c.properties.type, name: c.properties.name, path: c.message });
        break;
      case 'task.uploadsummary':
        run.summaries.push(c.message);
        break;
      case 'task.setprogress':
        run.progress.push({ value: Number(c.properties.value), message: c.message });
        break;
      case 'task.issue':
      case 'task.logissue':
        (c.properties.type === 'error' ? run.errors : run.warnings).push(c.message);
        break;
      case 'results.publish':
        run.testResults.push({ type: c.properties.type, files: (c.properties.resultFiles ?? '').split(',').filter(Boolean) });
        break;
      case 'task.setsecret':
        run.secrets.push(c.message);
        break;
    }
  }
  return run;
}

export const DEFAULT_JOB_ACCESS_TOKEN = 'job-access-token-from-systemvssconnection';
const COLLECTION_URI = 'https://dev.azure.com/contoso/';

/** The environment variables Handler.cs's AddEndpointsToEnvironment writes for one endpoint. */
export function endpointEnvironment(key: string, endpoint: Omit<ServiceEndpoint, 'id'>, withData: boolean): Record<string, string> {
  const env: Record<string, string> = {
    [`ENDPOINT_URL_${key}`]: endpoint.url,
    [`ENDPOINT_AUTH_${key}`]: JSON.stringify({ parameters: endpoint.parameters, scheme: endpoint.scheme }),
    [`ENDPOINT_AUTH_SCHEME_${key}`]: endpoint.scheme,
  };
  for (const [name, value] of Object.entries(endpoint.parameters)) env[`ENDPOINT_AUTH_PARAMETER_${key}_${envName('', name)}`] = value;
  // Only endpoints with an id get ENDPOINT_DATA_*; SystemVssConnection has none.
  if (withData) {
    env[`ENDPOINT_DATA_${key}`] = JSON.stringify(endpoint.data ?? {});
    for (const [name, value] of Object.entries(endpoint.data ?? {})) env[`ENDPOINT_DATA_${key}_${envName('', name)}`] = value;
  }
  return env;
}

/** The agent's environment for one step. */
/**
 * The task's inputs as the agent builds them (src/Agent.Worker/TaskRunner.cs, RunAsync): every input task.json
 * declares, with its default value, then the step's own values on top, each trimmed.
 */
export function stepInputs(taskJson: Record<string, unknown> | undefined, given: Record<string, string> = {}): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const input of (taskJson?.inputs ?? []) as Array<{ name: string; defaultValue?: string }>) inputs[input.name] = String(input.defaultValue ?? '').trim();
  for (const [name, value] of Object.entries(given)) inputs[name] = value.trim();
  return inputs;
}

/**
 * The endpoints a step receives (TaskRunner.cs): those a `connectedService:*` input names (ids, comma separated;
 * the server has already turned YAML connection names into ids), and always SystemVssConnection (added separately).
 */
export function stepEndpoints(taskJson: Record<string, unknown> | undefined, inputs: Record<string, string>, endpoints: ServiceEndpoint[] = []): ServiceEndpoint[] {
  if (!taskJson) return endpoints;
  const named = new Set<string>();
  for (const input of (taskJson.inputs ?? []) as Array<{ name: string; type?: string }>) {
    if (!(input.type ?? '').toLowerCase().startsWith('connectedservice:')) continue;
    for (const id of (inputs[input.name] ?? '').split(',')) if (id.trim()) named.add(id.trim().toLowerCase());
  }
  return endpoints.filter((e) => named.has(e.id.toLowerCase()));
}

export function agentEnvironment(work: string, options: RunTaskOptions, taskJson?: Record<string, unknown>): NodeJS.ProcessEnv {
  const token = options.jobAccessToken ?? DEFAULT_JOB_ACCESS_TOKEN;
  const variables: Record<string, string> = {
    'Agent.TempDirectory': path.join(work, '_temp'),
    'Agent.WorkFolder': work,
    'Agent.Version': '4.266.2',
    'System.DefaultWorkingDirectory': work,
    'System.TeamProject': 'Contoso',
    'System.CollectionUri': COLLECTION_URI,
    'System.TeamFoundationCollectionUri': COLLECTION_URI,
    'Build.BuildId': '42',
    'System.DefinitionId': '7',
    'Build.BuildNumber': '20261126.1',
    'Build.DefinitionName': 'orders-api-ci',
    'System.JobName': 'readiness',
    'System.StageName': 'verify',
    'System.JobAttempt': '1',
    ...(options.enableAccessToken ? { 'System.EnableAccessToken': 'true', 'System.AccessToken': token } : {}),
    ...options.variables,
  };
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [name, value] of Object.entries(variables)) env[envName('', name)] = value;
  env.VSTS_PUBLIC_VARIABLES = JSON.stringify(Object.keys(variables));
  for (const [name, value] of Object.entries(options.secretVariables ?? {})) env[`SECRET_${envName('', name)}`] = value;
  env.VSTS_SECRET_VARIABLES = JSON.stringify(Object.keys(options.secretVariables ?? {}));
  Object.assign(env, endpointEnvironment('SYSTEMVSSCONNECTION', { url: COLLECTION_URI, scheme: 'OAuth', parameters: { AccessToken: token } }, false));
  const inputs = stepInputs(taskJson, options.inputs);
  for (const endpoint of stepEndpoints(taskJson, inputs, options.endpoints)) Object.assign(env, endpointEnvironment(endpoint.id, endpoint, true));
  for (const [name, value] of Object.entries(options.taskVariables ?? {})) env[`VSTS_TASKVARIABLE_${envName('', name)}`] = value;
  for (const [name, value] of Object.entries(inputs)) env[envName('INPUT_', name)] = value;
  Object.assign(env, options.env ?? {});
  return env;
}

/** The target task.json names for the step and handler; fails the test when the task declares none. */
export function stepTarget(task: string, step: StepKind, handler: NodeHandlerName, tasksRoot?: string): string {
  const folder = taskDir(task, tasksRoot);
  const declared = declaredTargets(readTaskJson(task, tasksRoot), step).find((t) => t.handler === handler);
  if (!declared) throw new Error(`${task}/task.json declares no ${handler} handler for ${STEP_SECTIONS[step]}.`);
  return path.resolve(folder, declared.target);
}

export function readTaskJson(task: string, tasksRoot?: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(taskDir(task, tasksRoot), 'task.json'), 'utf8'));
}

export function runBundledTask(task: string, options: RunTaskOptions = {}): Promise<TaskRun> {
  const work = options.cwd ?? mkdtempSync(path.join(os.tmpdir(), 'readiness-agent-'));
  mkdirSync(path.join(work, '_temp'), { recursive: true });
  const env = agentEnvironment(work, options, readTaskJson(task, options.tasksRoot));
  const step = options.step ?? 'main';
  const handler = options.handler ?? 'Node24';
  const target = stepTarget(task, step, handler, options.tasksRoot);
  exercisedTargets.add(targetKey(task, step, handler, path.basename(target)));

  return new Promise((resolve, reject) => {
    // `node "<target>"`: the one argument is the target (an argv array, so no shell quoting is involved).
    const child = spawn(process.execPath, [target], { cwd: work, env });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${task} ${step} step did not finish within ${options.timeoutMs ?? 60000} ms.\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (process.env.READINESS_TRACE_TASK) process.stderr.write(`[task] ${line.slice(0, 120)}\n`);
        const signal = options.onLine?.(line);
        if (signal) child.kill(signal);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(summarise(stdout, stderr, code));
    });
  });
}

/** For assertion messages: the task's own output, shown only when a test fails. */
export function explain(run: TaskRun): string {
  return `\n--- task stdout ---\n${run.stdout}\n--- task stderr ---\n${run.stderr}`;
}

/** Task variables a step set with ##vso[task.settaskvariable], by name: what the agent hands to later steps. */
export function taskVariablesSet(run: TaskRun): Record<string, string> {
  return Object.fromEntries(run.commands.filter((c) => c.command === 'task.settaskvariable').map((c) => [c.properties.variable, c.message]));
}

export interface JobRun {
  main: TaskRun;
  /** Absent when the task declares no post-job step. */
  post?: TaskRun;
}

/**
 * One job with one task step, as the agent runs it: the main step, then (the task declaring one) the post-job step,
 * which always runs, even after a failed or killed main step, and sees the task variables the main step set.
 * `main` options apply to the main step only (e.g. onLine to kill it); `shared` to both. `betweenSteps` lets a test
 * look at the world after the main step, before the post-job step starts.
 */
export async function runJob(task: string, shared: RunTaskOptions, main: Partial<RunTaskOptions> = {},
  betweenSteps?: (main: TaskRun) => void): Promise<JobRun> {
  const work = shared.cwd ?? mkdtempSync(path.join(os.tmpdir(), 'readiness-job-'));
  const first = await runBundledTask(task, { ...shared, ...main, cwd: work, step: 'main' });
  betweenSteps?.(first);
  if (!declaredTargets(readTaskJson(task, shared.tasksRoot), 'post').length) return { main: first };
  const post = await runBundledTask(task, { ...shared, cwd: work, step: 'post',
    taskVariables: { ...shared.taskVariables, ...taskVariablesSet(first) } });
  return { main: first, post };
}
