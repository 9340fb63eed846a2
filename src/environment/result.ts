import type { EnvironmentCheckResult, EnvironmentCheckStatus } from '../evidence/types';
import type { CheckSpec } from './config';

/** What every check gets: cancellation, and a progress line sink (stderr in the CLI, the log in the task). */
export interface CheckContext {
  signal: AbortSignal;
  progress: (message: string) => void;
}

/** A result in the one shape every check returns, whatever its outcome (execa's habit: same fields on success and failure). */
export function checkResult(
  spec: Pick<CheckSpec, 'name' | 'type'>,
  status: EnvironmentCheckStatus,
  detail: string,
  startedMs: number,
  facts: Partial<Pick<EnvironmentCheckResult, 'tls' | 'headers' | 'dns' | 'health' | 'monitoring' | 'drift' | 'watch'>> = {},
): EnvironmentCheckResult {
  return { name: spec.name, type: spec.type, status, detail, durationMs: Math.max(0, Math.round(performance.now() - startedMs)), ...facts };
}
