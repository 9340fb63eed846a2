/**
 * Failure criteria: Azure Load Testing's grammar `[Request:] agg(metric) op value [, action]` as a strict
 * superset (the grammar is written out in grammar.ts and docs/criteria.md). Parse at start-up, so a typo fails
 * before any traffic is sent; evaluate after (or during, for `stop`) the run.
 */
import { parseFailureCriteriaAll } from './parse';
import type { Criterion, ServerMetricCriterion, Where } from './types';

export type { Criterion, AutoStop, ServerMetricCriterion, Where } from './types';
export type { Operator, Action, Metric } from './grammar';
export { METRICS, ALL_AGGREGATES, AGGREGATES_BY_METRIC, parseExpression } from './grammar';
export { parseAutoStop, AUTO_STOP_DEFAULTS } from './autoStop';
export { evaluateCriteria, explainCriterion, describeFailures, formatNumber, type RunStats } from './evaluate';
export { parseFailureCriteriaAll, reduceDuplicates } from './parse';
export type { CriterionResult } from '../evidence/types';

/**
 * The client-side criteria of `failureCriteria` (flat list or `clientMetrics`), duplicates reduced to the
 * strictest. Server metrics are validated too, so every problem shows at once. Throws one ConfigError listing all
 * problems. `where.lineOf` receives paths relative to `raw`, e.g. `[1]` or `['clientMetrics', 0, 'GetUser']`.
 */
export function parseFailureCriteria(raw: unknown, where: Where): Criterion[] {
  return parseFailureCriteriaAll(raw, where).client;
}

/** The criteria judged against a baseline of earlier runs (`p95(response_time_ms) > baseline + 10%`). */
export function parseBaselineCriteria(raw: unknown, where: Where): Criterion[] {
  return parseFailureCriteriaAll(raw, where).baseline;
}

/** The `serverMetrics` criteria of `failureCriteria`; only Azure Load Testing evaluates them. */
export function parseServerMetricCriteria(raw: unknown, where: Where): ServerMetricCriterion[] {
  return parseFailureCriteriaAll(raw, where).server;
}
