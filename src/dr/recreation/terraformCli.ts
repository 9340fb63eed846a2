import { spawn } from 'node:child_process';
import type { ToolResult } from '../exec';

export interface TerraformRun {
  binary: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** After SIGINT, how long terraform gets to finish in-flight operations and write its state. */
  graceMs: number;
}

const TAIL_BYTES = 8192;

/**
 * Runs one terraform command. Arguments always travel as an array and never through a shell; `-input=false` and
 * `-no-color` are the caller's, TF_IN_AUTOMATION=1 is set here (developer.hashicorp.com "Running Terraform in
 * automation": it trims the "next steps" hints that only make sense at a terminal).
 *
 * terraform runs as the leader of its own process group. On abort the whole group gets SIGINT, as a terminal's
 * Ctrl-C would: terraform stops starting new operations, waits for those in flight and saves the state ("Gracefully
 * shutting down..."), and provisioner scripts get the same interrupt. The promise settles only once terraform has
 * exited (SIGKILL to the group after the grace), so a destroy that follows never races a live apply for the state
 * lock.
 */
export function terraform(args: string[], run: TerraformRun): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    if (run.signal.aborted) return reject(run.signal.reason);
    const child = spawn(run.binary, args, {
      cwd: run.cwd,
      env: { ...run.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr = tail(stderr + chunk.toString('utf8'))));
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      signalGroup(child.pid, 'SIGINT');
      killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), run.graceMs);
    };
    run.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      run.signal.removeEventListener('abort', onAbort);
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(missing ? Object.assign(new Error(`${run.binary} was not found; install Terraform on the agent (for example with the TerraformInstaller task) or set terraform.binary`), { missingTool: true }) : error);
    });
    child.on('close', (code, signal) => {
      run.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (run.signal.aborted) return reject(run.signal.reason);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: stderr.trim() });
    });
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

function tail(text: string): string {
  return text.length > TAIL_BYTES ? text.slice(text.length - TAIL_BYTES) : text;
}

/**
 * The lines of terraform's output that say what went wrong: its `Error:` blocks, else the last lines. Terraform's
 * own warnings about the CLI configuration file are noise here.
 */
export function terraformError(result: ToolResult): string {
  const text = `${result.stderr}\n${result.stdout}`.replace(/\r/g, '');
  const errors = text
    .split('\n')
    .map((l) => l.replace(/^[│╷╵]\s?/, '').trimEnd())
    .reduce<string[]>((found, line, i, lines) => {
      if (/^Error: /.test(line)) found.push([line, ...lines.slice(i + 1, i + 6).filter((l) => l.trim() && !/^(Error|Warning): /.test(l))].join(' ').replace(/\s+/g, ' '));
      return found;
    }, []);
  if (errors.length) return errors.slice(0, 3).join(' | ');
  const last = text.split('\n').filter((l) => l.trim()).slice(-3).join(' ');
  return last || `exit ${result.signal ?? result.code}`;
}
