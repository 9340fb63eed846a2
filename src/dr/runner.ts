import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CancelledError, ConfigError } from '../errors';
import { EVIDENCE_SCHEMA_VERSION, type DrillEvidence, type DrillMetrics, type DrillStep, type ProbeResult, type RunInfo } from '../evidence/types';
import { stepSignal, StepTimeout, untilAborted } from './abort';
import { loadDrillConfig, type DrillConfig } from './config';
import { classify, decide, rpoFromNewest, targetCriteria, type Failure } from './outcome';
import type { DrillSession, StepContext } from './provider';
import { providerFor } from './providers';
import type { AzureAccess } from './providers/azureArm';
import { runRecreationDrill } from './recreation/recreationDrill';
import { runRollbackDrill } from './recreation/rollbackDrill';

export interface DrillOptions {
  configFile: string;
  /** Overrides the file's `service` (the task passes the pipeline's view of it). */
  service?: string;
  environment?: string;
  run?: RunInfo;
  signal?: AbortSignal;
  onProgress?: (message: string, percent?: number) => void;
  /** The wall clock, for the drill's start and step timestamps. Durations use a monotonic clock. */
  now?: () => Date;
  /** Where `${VAR}` references are read from; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /**
   * Azure Resource Manager access for `azure-postgres-flexible` and `azure-sql`: the task builds it from the
   * azureSubscription service connection (createCredential in src/azure/credentials.ts).
   */
  azure?: AzureAccess;
}

export type StepName = 'preflight' | 'backup' | 'restore' | 'start' | 'probes' | 'rpo';

/**
 * Runs one drill: preflight, (backup), restore, start, probes, RPO, then cleanup whatever happened. A bad drill
 * file throws ConfigError before anything is touched; every other outcome, cancellation included, comes back as
 * an evidence document.
 */
export async function runDrill(options: DrillOptions): Promise<DrillEvidence> {
  const config = loadDrillConfig(options.configFile, options.env ?? process.env);
  config.azure = options.azure;
  // The environment drills have phases of their own (src/dr/recreation/); the restore steps do not fit them.
  if (config.provider === 'terraform') return runRecreationDrill(config, options);
  if (config.provider === 'rollback') return runRollbackDrill(config, options);
  return new Drill(config, options).run();
}

class Drill {
  private readonly now: () => Date;
  private readonly redact: (text: string) => string;
  private readonly session: DrillSession;
  private readonly steps: DrillStep[] = [];
  private readonly probes: ProbeResult[] = [];
  private readonly workDir: string;
  private readonly startedAt: Date;
  private readonly cancel: AbortSignal;
  private badInput: ConfigError | undefined;

  constructor(
    private readonly config: DrillConfig,
    private readonly options: DrillOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.redact = (text) => config.redactor.redact(text);
    this.session = providerFor(config.provider).open(config);
    this.workDir = mkdtempSync(join(tmpdir(), 'readiness-drill-'));
    this.startedAt = this.now();
    this.cancel = options.signal ?? new AbortController().signal;
  }

  async run(): Promise<DrillEvidence> {
    let failure: Failure | undefined;
    let rtoSeconds: number | null = null;
    let rpo: { seconds: number | null; method: DrillMetrics['rpoMethod']; problem?: string } = { seconds: null, method: 'none' };
    const plan: Array<[StepName, number]> = [
      ['preflight', 5],
      ...(this.session.backup ? [['backup', 10] as [StepName, number]] : []),
      ['restore', 25],
      ['start', 60],
      ['probes', 70],
      ['rpo', 90],
    ];
    let restoreStartedMs = 0;
    for (const [name, percent] of plan) {
      if (failure) {
        this.record(name, this.now(), 0, 'skipped', `not run: ${failure.kind === 'cancelled' ? 'the drill was cancelled' : 'an earlier step failed'}`);
        continue;
      }
      this.progress(`${name}`, percent);
      if (name === 'restore') restoreStartedMs = performance.now();
      failure = await this.step(name, async (ctx) => {
        if (name === 'probes') return this.runProbes(ctx);
        if (name === 'rpo') {
          const newest = await this.session.newestData(ctx);
          const found = rpoFromNewest(this.startedAt, newest.newestAt);
          rpo = { method: newest.method, ...found };
          return found.problem ? `${newest.detail}; ${found.problem}` : newest.detail;
        }
        return name === 'backup' ? this.session.backup!(ctx) : this.session[name](ctx);
      });
      // RTO stops the moment the last probe passed; measuring RPO afterwards is not part of recovery.
      if (name === 'probes' && !failure && this.probes.every((p) => p.status === 'passed')) {
        rtoSeconds = round((performance.now() - restoreStartedMs) / 1000);
      }
    }
    this.progress('cleanup', 95);
    const cleanup = await this.cleanup();
    rmSync(this.workDir, { recursive: true, force: true });

    const facts = this.session.backupFacts();
    const metrics: DrillMetrics = {
      provider: this.config.provider,
      ...(this.config.disruption ? { disruption: this.config.disruption } : {}),
      targets: this.config.targets,
      rtoSeconds,
      rpoSeconds: rpo.seconds === null ? null : round(rpo.seconds),
      rpoMethod: rpo.method,
      mode: 'restore',
      backup: {
        location: this.redact(facts.location),
        ...(facts.takenAt ? { takenAt: facts.takenAt.toISOString() } : {}),
        ...(facts.sizeBytes !== undefined ? { sizeBytes: facts.sizeBytes } : {}),
        ...(facts.verified ? { verified: facts.verified } : {}),
      },
      steps: this.steps,
      probes: this.probes,
      cleanup,
      cancelled: failure?.kind === 'cancelled',
    };
    const criteria = targetCriteria(metrics, { rpoProblem: rpo.problem });
    const { verdict, summary } = decide(failure, metrics, criteria);
    this.progress(summary, 100);
    // Bad input found only once the drill ran (a missing Azure credential, a malformed setting a provider reads):
    // cleanup has run, and the caller reports it as bad input (exit 2), not as an infrastructure fault.
    if (this.badInput) {
      if (cleanup.status !== 'failed') throw this.badInput;
      // No evidence is written for bad input, so what cleanup left behind must travel with the error.
      throw new ConfigError([...this.badInput.problems, this.redact(`cleanup left behind: ${cleanup.leftBehind.join(', ')}: ${cleanup.detail}`)], { cause: this.badInput });
    }
    return {
      schemaVersion: EVIDENCE_SCHEMA_VERSION,
      id: randomUUID(),
      kind: 'drill',
      service: this.options.service ?? this.config.service,
      environment: this.options.environment ?? this.config.environment ?? 'local',
      run: this.options.run ?? {},
      startedAt: this.startedAt.toISOString(),
      finishedAt: this.now().toISOString(),
      verdict,
      summary: this.redact(summary),
      criteria,
      metrics,
      links: [],
    };
  }

  /** Runs one step under its timeout and the drill's cancel signal; returns how it failed, if it did. */
  private async step(name: StepName, work: (ctx: StepContext) => Promise<string>): Promise<Failure | undefined> {
    const timeout = name === 'probes' || name === 'rpo' ? this.probeBudget() : this.config.timeouts[name];
    const { signal, dispose } = stepSignal(this.cancel, timeout);
    const started = this.now();
    const t0 = performance.now();
    try {
      const detail = await untilAborted(work(this.context(signal)), signal);
      const failed = name === 'probes' && this.probes.some((p) => p.status !== 'passed');
      this.record(name, started, performance.now() - t0, failed ? 'failed' : 'passed', detail);
      return undefined;
    } catch (error) {
      if (error instanceof ConfigError) this.badInput ??= new ConfigError(error.problems.map(this.redact), { cause: error });
      const failure = classify(error);
      const message = this.redact(error instanceof StepTimeout ? `${name} ${failure.message} (${timeoutKeyOf(name)})` : failure.message);
      this.record(name, started, performance.now() - t0, failure.kind === 'cancelled' ? 'cancelled' : 'failed', message);
      return { ...failure, message };
    } finally {
      dispose();
    }
  }

  private async runProbes(ctx: StepContext): Promise<string> {
    for (const probe of this.config.probes) {
      if (this.cancel.aborted) throw this.cancel.reason instanceof CancelledError ? this.cancel.reason : new CancelledError();
      ctx.progress(`probe ${probe.name}`);
      const { signal, dispose } = stepSignal(this.cancel, probe.timeoutSeconds);
      const t0 = performance.now();
      let status: ProbeResult['status'];
      let detail: string;
      try {
        ({ status, detail } = await untilAborted(this.session.probe(probe, { ...ctx, signal }), signal));
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        // A probe that cannot prove its claim is unknown, and unknown fails the drill (issue 5).
        status = error instanceof StepTimeout ? 'unknown' : classify(error).kind === 'failed' ? 'failed' : 'unknown';
        detail = error instanceof StepTimeout ? `timed out after ${probe.timeoutSeconds}s, so it proved nothing` : (error as Error).message;
      } finally {
        dispose();
      }
      this.probes.push({ name: probe.name, type: probe.type, status, detail: this.redact(detail), durationMs: Math.round(performance.now() - t0) });
    }
    const passed = this.probes.filter((p) => p.status === 'passed').length;
    return `${passed} of ${this.probes.length} probes passed`;
  }

  /** Cleanup gets its own signal: it must run after a cancel, bounded only by its own timeout. */
  private async cleanup(): Promise<DrillMetrics['cleanup']> {
    const { signal, dispose } = stepSignal(new AbortController().signal, this.config.timeouts.cleanup);
    const started = this.now();
    const t0 = performance.now();
    try {
      const outcome = await untilAborted(this.session.cleanup(this.context(signal)), signal);
      const kept = this.config.cleanup.keep && outcome.leftBehind.length > 0;
      const status = outcome.leftBehind.length && !kept ? 'failed' : kept ? 'skipped' : 'done';
      const detail = this.redact(outcome.detail);
      this.record('cleanup', started, performance.now() - t0, status === 'failed' ? 'failed' : 'passed', detail);
      if (status === 'failed') this.progress(`CLEANUP FAILED, left behind: ${outcome.leftBehind.join(', ')}: ${detail}`);
      return { status, leftBehind: outcome.leftBehind.map(this.redact), detail };
    } catch (error) {
      const detail = this.redact(`cleanup did not finish: ${(error as Error).message}; the scratch target may still exist`);
      this.record('cleanup', started, performance.now() - t0, 'failed', detail);
      this.progress(`CLEANUP FAILED: ${detail}`);
      return { status: 'failed', leftBehind: [this.redact(this.scratchName())], detail };
    } finally {
      dispose();
    }
  }

  private scratchName(): string {
    return this.config.target.server ?? this.config.target.database ?? this.config.target.name ?? 'the scratch target';
  }

  private probeBudget(): number {
    // The probes step is bounded by the sum of its probes' own timeouts (plus slack for connecting).
    return this.config.probes.reduce((sum, p) => sum + p.timeoutSeconds, 0) + 30;
  }

  private context(signal: AbortSignal): StepContext {
    return { signal, workDir: this.workDir, drillStartedAt: this.startedAt, progress: (m) => this.progress(m) };
  }

  private record(name: string, startedAt: Date, durationMs: number, status: DrillStep['status'], detail: string): void {
    this.steps.push({ name, startedAt: startedAt.toISOString(), durationMs: Math.round(durationMs), status, detail: this.redact(detail) });
  }

  private progress(message: string, percent?: number): void {
    this.options.onProgress?.(this.redact(message), percent);
  }
}

/** The drill-file key that bounds a step: probes and rpo are bounded by the probes' own `timeouts.probe` (no "s"). */
export function timeoutKeyOf(step: StepName): string {
  return `timeouts.${step === 'rpo' || step === 'probes' ? 'probe' : step}`;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
