import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Runs a bundled task the way the agent does: `node index.js` from the packaged layout
 * (dist/tasks/<Task>V1), inputs as INPUT_<NAME> variables, pipeline variables as SYSTEM_* and BUILD_*,
 * and reads back the `##vso[...]` logging commands it prints.
 *
 * Unlike task-lib's MockTestRunner (spawnSync), this runs the child asynchronously, so a test can keep
 * a loopback server in its own process and can cancel the task with a signal, like the agent does.
 */
export const repoRoot = path.resolve(__dirname, '..', '..');
export const taskDir = (task: string) => path.join(repoRoot, 'dist', 'tasks', task);

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
  inputs?: Record<string, string>;
  variables?: Record<string, string>;
  env?: Record<string, string>;
  args?: string[];
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

export function runBundledTask(task: string, options: RunTaskOptions = {}): Promise<TaskRun> {
  const work = options.cwd ?? mkdtempSync(path.join(os.tmpdir(), 'readiness-agent-'));
  mkdirSync(path.join(work, '_temp'), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
    AGENT_TEMPDIRECTORY: path.join(work, '_temp'),
    AGENT_WORKFOLDER: work,
    SYSTEM_DEFAULTWORKINGDIRECTORY: work,
    SYSTEM_TEAMPROJECT: 'Contoso',
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://dev.azure.com/contoso/',
    BUILD_BUILDID: '42',
    SYSTEM_DEFINITIONID: '7',
    BUILD_BUILDNUMBER: '20261126.1',
    BUILD_DEFINITIONNAME: 'orders-api-ci',
    SYSTEM_JOBNAME: 'readiness',
    SYSTEM_STAGENAME: 'verify',
    SYSTEM_JOBATTEMPT: '1',
  };
  for (const [name, value] of Object.entries(options.variables ?? {})) env[envName('', name)] = value;
  for (const [name, value] of Object.entries(options.inputs ?? {})) env[envName('INPUT_', name)] = value;
  Object.assign(env, options.env ?? {});

  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(taskDir(task), 'index.js'), ...(options.args ?? [])], { cwd: work, env });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${task} did not finish within ${options.timeoutMs ?? 60000} ms.\n${stdout}\n${stderr}`));
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
