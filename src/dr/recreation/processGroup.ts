import { spawn } from 'node:child_process';
import type { ToolResult } from '../exec';

export interface GroupRun {
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** After `interrupt`, how long the group gets to stop before SIGKILL. */
  graceMs: number;
  interrupt: 'SIGINT' | 'SIGTERM';
}

const TAIL_BYTES = 8192;

/**
 * Runs a program (argv, never a shell line) as the leader of its own process group, and on abort signals the whole
 * group, then SIGKILLs it after the grace. It settles only when the program has exited: a deploy script's children
 * or terraform's provisioners cannot outlive a cancel unnoticed, and the next phase never races this one.
 */
export function runInGroup(program: string, args: string[], run: GroupRun): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    if (run.signal.aborted) return reject(run.signal.reason);
    const child = spawn(program, args, { cwd: run.cwd, env: run.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (stderr.length > TAIL_BYTES) stderr = stderr.slice(stderr.length - TAIL_BYTES);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      signalGroup(child.pid, run.interrupt);
      killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), run.graceMs);
    };
    run.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      run.signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    // Settle on 'close' (all output read); but a background process the program left behind may hold the pipes
    // open for good, so after 'exit' wait at most a second more for the output.
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let settled = false;
    const settle = () => {
      if (settled || !exited) return;
      settled = true;
      run.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      child.stdout.destroy();
      child.stderr.destroy();
      if (run.signal.aborted) return reject(run.signal.reason);
      resolve({ ...exited, stdout: Buffer.concat(stdout).toString('utf8'), stderr: stderr.trim() });
    };
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      setTimeout(settle, 1000).unref();
    });
    child.on('close', (code, signal) => {
      exited ??= { code, signal };
      settle();
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
