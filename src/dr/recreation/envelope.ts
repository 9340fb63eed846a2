import { randomUUID } from 'node:crypto';
import { EVIDENCE_SCHEMA_VERSION, type CriterionResult, type DrillEvidence, type DrillMetrics, type Verdict } from '../../evidence/types';
import type { DrillConfig } from '../config';
import type { DrillOptions } from '../runner';
import { PhaseClock } from './phaseClock';

/** The evidence document of an environment drill: the fields every drill shares, around its metrics. */
export function environmentDrillEvidence(
  config: DrillConfig,
  options: DrillOptions,
  parts: { environment: string; startedAt: Date; finishedAt: Date; verdict: Verdict; summary: string; criteria: CriterionResult[]; metrics: DrillMetrics },
): DrillEvidence {
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    id: randomUUID(),
    kind: 'drill',
    service: options.service ?? config.service,
    environment: parts.environment,
    run: options.run ?? {},
    startedAt: parts.startedAt.toISOString(),
    finishedAt: parts.finishedAt.toISOString(),
    verdict: parts.verdict,
    summary: config.redactor.redact(parts.summary),
    criteria: parts.criteria,
    metrics: parts.metrics,
    links: [],
  };
}

/** What every environment drill starts with: its clocks, redaction, progress, the cancel signal and the phase clock. */
export function drillContext(config: DrillConfig, options: DrillOptions) {
  const now = options.now ?? (() => new Date());
  const redact = (text: string) => config.redactor.redact(text);
  return {
    now,
    redact,
    progress: (message: string, percent?: number) => options.onProgress?.(redact(message), percent),
    cancel: options.signal ?? new AbortController().signal,
    clock: new PhaseClock(now, redact),
    startedAt: now(),
  };
}
