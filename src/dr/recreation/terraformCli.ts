import type { ToolResult } from '../exec';
import { runInGroup } from './processGroup';

export interface TerraformRun {
  binary: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** After SIGINT, how long terraform gets to finish in-flight operations and write its state. */
  graceMs: number;
}

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
  return runInGroup(run.binary, args, { cwd: run.cwd, env: { ...run.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' }, signal: run.signal, graceMs: run.graceMs, interrupt: 'SIGINT' }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error?.code !== 'ENOENT') throw error;
      throw Object.assign(new Error(`${run.binary} was not found; install Terraform on the agent (for example with the TerraformInstaller task) or set terraform.binary`), { missingTool: true });
    },
  );
}

/**
 * What terraform said went wrong: its `Error:` blocks (each up to the next Error or Warning), with the location
 * lines kept short, else the last lines of output. Its warning about a missing CLI configuration file is noise here.
 */
export function terraformError(result: ToolResult): string {
  const lines = `${result.stderr}\n${result.stdout}`.replace(/\r/g, '').split('\n').map((l) => l.replace(/^[│╷╵]\s?/, '').trimEnd());
  const blocks: string[][] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    if (/^Error: /.test(line)) blocks.push((current = [line]));
    else if (/^(Warning: |There are some problems)/.test(line)) current = undefined;
    else if (current && line.trim() && !/^\s*\d+:\s/.test(line)) current.push(line.trim());
  }
  if (blocks.length) return blocks.slice(0, 3).map((b) => clip(b.join(' '), 600)).join(' | ');
  const last = lines.filter((l) => l.trim()).slice(-3).join(' ');
  return last || `exit ${result.signal ?? result.code}`;
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}
