import type { Criterion } from '../criteria';
import type { LoadTestEvidence } from '../evidence/types';
import { DEFAULT_THRESHOLDS, type RowSpec } from './compare';

/** The criterion's metric as a compared figure: p95(response_time_ms) -> p95, percentage(error) -> error. */
export function figureOfCriterion(c: Criterion): string {
  if (c.metric === 'error') return 'error';
  if (c.metric === 'requests_per_sec') return 'rps';
  return c.aggregate;
}

/**
 * What to compare: p50, p95, p99, error rate and throughput of every request and of the Total, at the default
 * thresholds, except where a baseline criterion names the figure: then the criterion's threshold replaces the
 * default for its request (no request: the Total, as in Azure's grammar), and a figure outside the defaults
 * (p90, avg) is added. Criteria keep their own rows so each gets its own result.
 */
export function comparisonRows(candidate: LoadTestEvidence, criteria: readonly Criterion[]): Array<RowSpec & { criterion?: Criterion }> {
  const scopes = ['Total', ...candidate.metrics.requests.map((r) => r.name)];
  const rows: Array<RowSpec & { criterion?: Criterion }> = [];
  for (const request of scopes) {
    const own = criteria.filter((c) => (c.request ?? 'Total') === request);
    for (const [metric, threshold] of Object.entries(DEFAULT_THRESHOLDS)) {
      if (!own.some((c) => figureOfCriterion(c) === metric)) rows.push({ request, metric, threshold });
    }
    for (const c of own) {
      rows.push({
        request,
        metric: figureOfCriterion(c),
        threshold: c.baseline?.relative ? { relative: c.threshold, source: c.expression } : { absolute: c.threshold, source: c.expression },
        criterion: c,
      });
    }
  }
  return rows;
}
