import { spawn } from 'node:child_process';

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last few KB of stderr: enough to say why, without flooding the evidence. */
  stderr: string;
}

export interface ToolOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  shell?: boolean;
}

const TAIL_BYTES = 4096;
/** Output we keep whole (schema dumps, archive listings). Dumps themselves go to files with -f, never stdout. */
const MAX_STDOUT_BYTES = 256 * 2 ** 20;
/** After SIGTERM, a tool gets this long to exit before SIGKILL, so an abort is bounded. */
const KILL_GRACE_MS = 3000;

/**
 * Runs a tool (pg_dump, pg_restore, a user's script) and resolves when it exits. Arguments go in an array, never
 * through a shell, unless `shell` is set for a user's own command line. Passwords travel in the environment
 * (PGPASSWORD), never in argv, where `ps` would show them.
 */
export function runTool(command: string, args: string[], options: ToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(options.signal.reason);
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      shell: options.shell ?? false,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.shell === true, // own process group, so a script's children die with it
    });
    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes <= MAX_STDOUT_BYTES) stdoutChunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr = tail(stderr + chunk.toString('utf8'), TAIL_BYTES)));
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      kill(child.pid, 'SIGTERM', options.shell === true);
      killTimer = setTimeout(() => kill(child.pid, 'SIGKILL', options.shell === true), KILL_GRACE_MS);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (options.signal?.aborted) return reject(options.signal.reason);
      if (stdoutBytes > MAX_STDOUT_BYTES) {
        return reject(new Error(`${command} printed more than ${MAX_STDOUT_BYTES / 2 ** 20} MB; that is more than a schema or a listing should be`));
      }
      resolve({ code, signal, stdout: Buffer.concat(stdoutChunks).toString('utf8'), stderr: stderr.trim() });
    });
  });
}

function kill(pid: number | undefined, signal: NodeJS.Signals, group: boolean): void {
  if (!pid) return;
  try {
    process.kill(group ? -pid : pid, signal);
  } catch {
    // already gone
  }
}

function tail(text: string, max: number): string {
  return text.length > max ? text.slice(text.length - max) : text;
}
