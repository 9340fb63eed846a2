import { statSync } from 'node:fs';
import { ConfigError } from '../errors';

/**
 * Size caps for the files users hand us. Parsing is linear, but memory is not free: a wrong path that points at a
 * log, a dump or a `node_modules` bundle would be read whole and parsed, and a YAML parser keeps a node per scalar.
 * A configuration is written by hand, so these caps are far above any real one and far below what hurts an agent.
 */
export const INPUT_LIMITS = Object.freeze({
  /** Load test configurations, drill files, policies: hand-written YAML. */
  yaml: { bytes: 1024 * 1024, what: 'YAML configuration', remedy: 'check the path; move bulk data (user lists, bodies) into a CSV file the test reads' },
  /** URL-test requests JSON: hand-written or exported request lists, which may carry bodies. */
  requests: { bytes: 8 * 1024 * 1024, what: 'requests JSON', remedy: 'check the path; move bulk data into a CSV file the requests read with ${variables}' },
  /** Machine-written JSON: evidence documents (a long run's per-second timeline), sign-off files, checkpoints. */
  json: { bytes: 64 * 1024 * 1024, what: 'JSON document', remedy: 'check the path; this is larger than any document readiness writes' },
});

export type InputKind = keyof typeof INPUT_LIMITS;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) ? 1 : 0)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 ? 1 : 0)} KB`;
  return `${bytes} bytes`;
}

/** The problem sentence for an oversize input, or undefined when it fits. */
export function oversizeProblem(displayName: string, bytes: number, kind: InputKind): string | undefined {
  const limit = INPUT_LIMITS[kind];
  if (bytes <= limit.bytes) return undefined;
  return `${displayName}: the file is ${formatBytes(bytes)}, over the ${formatBytes(limit.bytes)} limit for a ${limit.what}; ${limit.remedy}.`;
}

/**
 * Refuses a file over its cap before anything reads it into memory. A file that cannot be stat'ed is left for the
 * caller's own read, whose error message already says what to do.
 */
export function assertInputSize(file: string, kind: InputKind, displayName = file): void {
  let bytes: number;
  try {
    bytes = statSync(file).size;
  } catch {
    return;
  }
  const problem = oversizeProblem(displayName, bytes, kind);
  if (problem) throw new ConfigError(problem);
}
