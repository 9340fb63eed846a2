import { ConfigError } from '../errors';
import type { Evidence, LoadTestEvidence } from '../evidence/types';
import type { BaselineSelection } from './compare';

export interface BaselineOptions {
  /** How many of the newest comparable passing runs form the baseline. Default 5. */
  window?: number;
  /** An evidence id or pipeline run id: the window ends at that run and stops moving with newer runs. */
  pin?: string;
}

export const DEFAULT_WINDOW = 5;

/**
 * The baseline of a load test: its newest earlier runs that passed and ran like this one, oldest first.
 *
 * The pool is whatever the caller gathered (src/gate/gatherEvidence.ts: result folders, this run's attachments,
 * earlier runs of the release branch); other services' and other tests' documents are simply not this test's
 * history. An earlier run of this test that cannot serve is refused with the reason: it did not pass (a
 * regressed run must never become the yardstick), it was cut short, or it ran a different plan or load shape
 * (`comparable.planHash`), engine, agent platform or pool, or in another environment.
 */
export function selectBaseline(candidate: LoadTestEvidence, pool: readonly Evidence[], options: BaselineOptions = {}): BaselineSelection {
  const window = options.window ?? DEFAULT_WINDOW;
  const refused: BaselineSelection['refused'] = [];
  const accepted: LoadTestEvidence[] = [];
  const started = Date.parse(candidate.startedAt);
  const service = candidate.service.trim().toLowerCase();
  for (const e of pool) {
    if (e.kind !== 'loadtest' || e.id === candidate.id || e.service.trim().toLowerCase() !== service || e.metrics.testId !== candidate.metrics.testId) continue;
    if (Date.parse(e.finishedAt) > started) continue; // not earlier: a run cannot be measured against its future
    const reason = unlike(candidate, e);
    if (reason) refused.push({ id: e.id, reason });
    else accepted.push(e);
  }
  accepted.sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
  let upTo = accepted;
  if (options.pin !== undefined) {
    const pinned = accepted.find((e) => e.id === options.pin || e.run.runId === options.pin);
    if (!pinned) {
      const why = refused.find((r) => r.id === options.pin);
      throw new ConfigError(
        why
          ? `The pinned baseline run ${options.pin} cannot serve as a baseline: ${why.reason}. Pin a passing run of the same plan.`
          : `The pinned baseline run ${options.pin} was not found among the earlier runs of test ${candidate.metrics.testId}; give its evidence id or pipeline run id, and make sure its evidence is in the baseline folder (or among the runs the gate reads).`,
      );
    }
    upTo = accepted.filter((e) => Date.parse(e.finishedAt) <= Date.parse(pinned.finishedAt));
  }
  return { runs: upTo.slice(-window), refused, ...(options.pin !== undefined ? { pinned: options.pin } : {}) };
}

/** Before any traffic: a pin must name a load test of this test id among the earlier evidence (a typo fails fast). */
export function checkPinExists(pin: string, pool: readonly Evidence[], testId: string): void {
  const found = pool.some((e) => e.kind === 'loadtest' && e.metrics.testId === testId && (e.id === pin || e.run.runId === pin));
  if (!found) {
    throw new ConfigError(`The pinned baseline run ${pin} is not among the earlier evidence of test ${testId}; give the evidence id (the "id" field of its loadtest-*.json) or the pipeline run id, and check the baseline folder.`);
  }
}

/** Why an earlier run of the same test does not compare with this one; undefined when it does. */
export function unlike(candidate: LoadTestEvidence, earlier: LoadTestEvidence): string | undefined {
  if (earlier.verdict !== 'passed') return `it did not pass (${earlier.verdict}: ${earlier.summary})`;
  if (earlier.metrics.cancelled) return 'it was cancelled';
  if (earlier.metrics.stoppedEarly) return `it stopped early (${earlier.metrics.stoppedEarly.reason})`;
  if (earlier.environment !== candidate.environment) return `it ran against environment ${earlier.environment}, this run against ${candidate.environment}`;
  const a = candidate.metrics.comparable;
  const b = earlier.metrics.comparable;
  if (!a) return 'this run recorded no plan fingerprint, so nothing can be shown to compare with it';
  if (!b) return 'it recorded no plan fingerprint (evidence from before baselines were kept)';
  if (a.planHash !== b.planHash) return `it ran a different plan or load shape (plan hash ${b.planHash.slice(0, 12)}, this run ${a.planHash.slice(0, 12)})`;
  if (a.engine !== b.engine) return `it ran on engine ${b.engine}, this run on ${a.engine}`;
  if ((a.platform ?? '') !== (b.platform ?? '')) return `it ran on platform ${b.platform ?? 'unrecorded'}, this run on ${a.platform ?? 'unrecorded'}`;
  if ((a.pool ?? '') !== (b.pool ?? '')) return `it ran on pool ${b.pool ?? 'unrecorded'}, this run on ${a.pool ?? 'unrecorded'}`;
  return undefined;
}
