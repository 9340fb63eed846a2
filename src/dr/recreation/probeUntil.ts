import { performance } from 'node:perf_hooks';
import { CancelledError, ConfigError } from '../../errors';
import type { ProbeResult } from '../../evidence/types';
import { stepSignal, StepTimeout, untilAborted } from '../abort';
import type { ProbeSpec } from '../config';
import { runTool } from '../exec';
import { httpProbe } from '../httpProbe';
import { classify } from '../outcome';
import { connect, parseConnection, pgSql } from '../pgConnection';
import type { ProbeOutcome } from '../provider';
import { runSqlProbe } from '../sqlProbes';
import { firstLines } from '../providers/postgresArchive';

export interface ProbeTarget {
  /** Replaces `${output.NAME}` / `${drill.NAME}` in one probe field. */
  fill: (text: string) => string;
  /** postgres:// URL for select1 and sql probes, already filled in. */
  connection?: () => string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const RETRY_MS = 1000;

/**
 * Runs each probe until it passes or its own timeout runs out: a freshly built environment (or a freshly deployed
 * version) may need a moment before it answers, and that moment is part of the RTO being measured. The last
 * attempt's outcome is what the evidence records.
 */
export async function probeUntilPassed(
  probes: ProbeSpec[],
  target: ProbeTarget,
  cancel: AbortSignal,
  progress: (message: string) => void,
): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const probe of probes) {
    const t0 = performance.now();
    const deadline = t0 + probe.timeoutSeconds * 1000;
    let outcome: ProbeOutcome = { status: 'unknown', detail: 'never ran' };
    let attempts = 0;
    for (;;) {
      if (cancel.aborted) throw cancel.reason instanceof CancelledError ? cancel.reason : new CancelledError();
      attempts++;
      const left = Math.max(0.1, (deadline - performance.now()) / 1000);
      const { signal, dispose } = stepSignal(cancel, left);
      try {
        outcome = await untilAborted(probeOnce(probe, target, signal), signal);
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        if (error instanceof StepTimeout) outcome = { status: 'unknown', detail: `timed out after ${probe.timeoutSeconds}s, so it proved nothing` };
        else if (error instanceof ConfigError) throw error;
        else outcome = { status: classify(error).kind === 'failed' ? 'failed' : 'unknown', detail: (error as Error).message };
      } finally {
        dispose();
      }
      if (outcome.status === 'passed' || performance.now() + RETRY_MS >= deadline) break;
      progress(`probe ${probe.name}: ${outcome.detail}; retrying`);
      await pause(RETRY_MS, cancel);
    }
    results.push({
      name: probe.name,
      type: probe.type,
      status: outcome.status,
      detail: attempts > 1 ? `${outcome.detail} (attempt ${attempts})` : outcome.detail,
      durationMs: Math.round(performance.now() - t0),
    });
  }
  return results;
}

async function probeOnce(probe: ProbeSpec, target: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  if (probe.type === 'http') {
    return httpProbe({ ...probe, url: target.fill(probe.url!), bodyContains: probe.bodyContains === undefined ? undefined : target.fill(probe.bodyContains) }, signal);
  }
  if (probe.type === 'command') {
    const [program, ...args] = probe.argv!.map(target.fill);
    const result = await runTool(program, args, { cwd: target.cwd, env: target.env, signal });
    return result.code === 0
      ? { status: 'passed', detail: `${program} exited 0${result.stdout.trim() ? `: ${firstLines(result.stdout, 1)}` : ''}` }
      : { status: 'failed', detail: `${program} exited with ${result.signal ?? `code ${result.code}`}: ${firstLines(result.stderr || result.stdout)}` };
  }
  if ((probe.type === 'select1' || probe.type === 'sql') && target.connection) {
    const client = await connect(parseConnection(target.connection(), 'target.connection'), { statementTimeoutMs: probe.timeoutSeconds * 1000 });
    try {
      return await runSqlProbe(probe.sql ? { ...probe, sql: target.fill(probe.sql) } : probe, pgSql(client), undefined);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { status: 'unknown', detail: `probe type ${probe.type} is not available for this drill` };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
