import { CheckFailedError } from '../../errors';
import type { DrillConfig, ProbeSpec } from '../config';
import { runTool, type ToolResult } from '../exec';
import type { BackupFacts, DrillProvider, DrillSession, NewestData, ProbeOutcome, StepContext } from '../provider';
import { httpProbe } from '../httpProbe';
import { asDate } from '../sqlProbes';
import { firstLines } from './postgresArchive';

/**
 * The user's own scripts: whatever we do not support natively (a `terraform apply` of a scratch environment, a
 * failover script). We time them, wait for an HTTP health endpoint, run HTTP and command probes, and always run
 * the cleanup command. Commands run through the shell from the drill file's folder, with DRILL_TARGET,
 * DRILL_SERVICE and DRILL_WORK_DIR set, and with each `${VAR}` the command names in its environment (never pasted
 * into the command text: see isCommandKey in ../config.ts).
 */
export const commandProvider: DrillProvider = {
  name: 'command',
  open: (config) => new CommandDrill(config),
  async newestBackup(config, step) {
    if (!config.backup.newestCommand) throw new CheckFailedError('Backup freshness needs backup.newestCommand, a command that prints the newest backup time.');
    const takenAt = await timeFrom(config, config.backup.newestCommand, step, 'backup.newestCommand');
    return { location: `reported by backup.newestCommand`, takenAt };
  },
};

class CommandDrill implements DrillSession {
  private restoreAttempted = false;
  private facts: BackupFacts = { location: 'restore.command' };

  constructor(private readonly config: DrillConfig) {}

  backupFacts(): BackupFacts {
    return this.facts;
  }

  async preflight(step: StepContext): Promise<string> {
    if (!this.config.backup.newestCommand) return 'no backup.newestCommand; RPO falls back to rpo.command only';
    const takenAt = await timeFrom(this.config, this.config.backup.newestCommand, step, 'backup.newestCommand');
    this.facts = { location: 'reported by backup.newestCommand', takenAt };
    return `newest backup taken at ${takenAt.toISOString()}`;
  }

  async restore(step: StepContext): Promise<string> {
    this.restoreAttempted = true;
    const result = await shell(this.config, this.config.restore.command!, step);
    if (result.code !== 0) throw new CheckFailedError(`restore.command exited with ${describeExit(result)}: ${firstLines(result.stderr)}`);
    return `restore.command exited 0`;
  }

  async start(step: StepContext): Promise<string> {
    const notes: string[] = [];
    if (this.config.start.command) {
      const result = await shell(this.config, this.config.start.command, step);
      if (result.code !== 0) throw new CheckFailedError(`start.command exited with ${describeExit(result)}: ${firstLines(result.stderr)}`);
      notes.push('start.command exited 0');
    }
    const health = this.config.start.health;
    if (health) {
      // Poll until healthy; the step's timeout (timeouts.start) bounds the wait.
      let last = 'no answer yet';
      for (;;) {
        // Each attempt gets its own signal, linked to the step's and unlinked afterwards: fetch leaves its abort
        // listener on the signal it is given, so reusing the step's signal would pile up one per attempt.
        const attempt = new AbortController();
        const onAbort = () => attempt.abort(step.signal.reason);
        step.signal.addEventListener('abort', onAbort, { once: true });
        try {
          const response = await fetch(health.url, { signal: attempt.signal });
          await response.arrayBuffer();
          if (response.status === health.expectStatus) break;
          last = `status ${response.status}`;
        } catch (error) {
          if (step.signal.aborted) throw step.signal.reason;
          last = (error as Error).message;
        } finally {
          step.signal.removeEventListener('abort', onAbort);
        }
        step.progress(`waiting for ${health.url}: ${last}`);
        await sleep(health.intervalSeconds * 1000, step.signal);
      }
      notes.push(`${health.url} answered ${health.expectStatus}`);
    }
    return notes.join('; ') || 'no start.command or health check';
  }

  async probe(probe: ProbeSpec, step: StepContext): Promise<ProbeOutcome> {
    if (probe.type === 'http') return httpProbe(probe, step.signal);
    if (probe.type === 'command') {
      // argv runs without a shell, so a value from the drill file is never parsed as shell syntax.
      const result = probe.argv
        ? await runTool(probe.argv[0], probe.argv.slice(1), { cwd: this.config.dir, env: drillEnv(this.config, step), signal: step.signal })
        : await shell(this.config, probe.command!, step);
      return result.code === 0
        ? { status: 'passed', detail: `exited 0${result.stdout.trim() ? `: ${firstLines(result.stdout, 1)}` : ''}` }
        : { status: 'failed', detail: `exited with ${describeExit(result)}: ${firstLines(result.stderr || result.stdout)}` };
    }
    return { status: 'unknown', detail: `probe type ${probe.type} needs a SQL connection, which the command provider has not` };
  }

  async newestData(step: StepContext): Promise<NewestData> {
    if (this.config.rpo.command) {
      const newestAt = await timeFrom(this.config, this.config.rpo.command, step, 'rpo.command');
      return { method: 'query', newestAt, detail: `rpo.command reported newest data at ${newestAt.toISOString()}` };
    }
    const takenAt = this.facts.takenAt;
    return takenAt
      ? { method: 'backup-age', newestAt: takenAt, detail: `no rpo.command; used the newest backup time ${takenAt.toISOString()}` }
      : { method: 'none', newestAt: null, detail: 'neither rpo.command nor backup.newestCommand is set, so RPO is unknown' };
  }

  async cleanup(step: StepContext): Promise<{ leftBehind: string[]; detail: string }> {
    const target = this.config.target.name ?? 'whatever restore.command created';
    if (!this.restoreAttempted) return { leftBehind: [], detail: 'restore.command never ran; nothing to clean' };
    if (this.config.cleanup.keep) return { leftBehind: [target], detail: `kept ${target} (cleanup.keep: true)` };
    if (!this.config.cleanup.command) return { leftBehind: [target], detail: 'no cleanup.command, so nothing removed what restore.command created; add one, or cleanup.keep: true' };
    const result = await shell(this.config, this.config.cleanup.command, step);
    return result.code === 0
      ? { leftBehind: [], detail: 'cleanup.command exited 0' }
      : { leftBehind: [target], detail: `cleanup.command exited with ${describeExit(result)}: ${firstLines(result.stderr)}` };
  }
}

function drillEnv(config: DrillConfig, step: StepContext): NodeJS.ProcessEnv {
  // commandEnv last but one: the values the command's `${VAR}` references name reach the shell as variables it
  // expands, never as text pasted into the command line; DRILL_* last, so a drill file cannot spoof them.
  return { ...process.env, ...config.commandEnv, DRILL_TARGET: config.target.name ?? '', DRILL_SERVICE: config.service, DRILL_WORK_DIR: step.workDir };
}

function shell(config: DrillConfig, command: string, step: StepContext): Promise<ToolResult> {
  return runTool(command, [], { shell: true, cwd: config.dir, env: drillEnv(config, step), signal: step.signal });
}

async function timeFrom(config: DrillConfig, command: string, step: StepContext, key: string): Promise<Date> {
  const result = await shell(config, command, step);
  if (result.code !== 0) throw new CheckFailedError(`${key} exited with ${describeExit(result)}: ${firstLines(result.stderr)}`);
  const printed = result.stdout.trim().split('\n').pop() ?? '';
  const date = asDate(printed);
  if (!date) throw new CheckFailedError(`${key} printed "${printed.slice(0, 80)}", not an ISO 8601 time such as 2026-01-31T12:00:00Z`);
  return date;
}

function describeExit(result: ToolResult): string {
  return result.signal ? `signal ${result.signal}` : `code ${result.code}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
