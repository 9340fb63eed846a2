import { performance } from 'node:perf_hooks';
import { ConfigError } from '../../errors';
import type { DrillStep } from '../../evidence/types';
import { stepSignal, StepTimeout } from '../abort';
import { classify, type Failure } from '../outcome';

/**
 * Times the phases of an environment drill (init, plan, apply, probes, ... destroy) and records each as a drill
 * step. Unlike the restore runner it does not race a phase against its signal: every phase's work stops on its own
 * when the signal fires (terraform gets SIGINT and is waited for), so the next phase, a destroy above all, never
 * starts while the previous one is still running.
 */
export class PhaseClock {
  readonly steps: DrillStep[] = [];
  /** The first bad input met while running (a missing output, a credential); rethrown after cleanup. */
  badInput: ConfigError | undefined;

  constructor(
    private readonly now: () => Date,
    private readonly redact: (text: string) => string,
  ) {}

  /** Runs one phase under `timeoutSeconds` and `parent` (cancel); returns how it failed, if it did. */
  async run(name: string, timeoutSeconds: number, parent: AbortSignal, work: (signal: AbortSignal) => Promise<string>): Promise<Failure | undefined> {
    const { signal, dispose } = stepSignal(parent, timeoutSeconds);
    const startedAt = this.now();
    const t0 = performance.now();
    try {
      const detail = await work(signal);
      this.record(name, startedAt, performance.now() - t0, 'passed', detail);
      return undefined;
    } catch (error) {
      if (error instanceof ConfigError) this.badInput ??= new ConfigError(error.problems.map(this.redact), { cause: error });
      const failure = classify(error);
      const message = this.redact(error instanceof StepTimeout ? `${name} ${failure.message} (timeouts.${name})` : failure.message);
      this.record(name, startedAt, performance.now() - t0, failure.kind === 'cancelled' ? 'cancelled' : 'failed', message);
      return { ...failure, message };
    } finally {
      dispose();
    }
  }

  skip(name: string, why: string): void {
    this.record(name, this.now(), 0, 'skipped', why);
  }

  record(name: string, startedAt: Date, durationMs: number, status: DrillStep['status'], detail: string): void {
    this.steps.push({ name, startedAt: startedAt.toISOString(), durationMs: Math.round(durationMs), status, detail: this.redact(detail) });
  }
}

export function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}
