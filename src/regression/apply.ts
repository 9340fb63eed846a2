import type { Criterion } from '../criteria';
import type { CriterionResult, Evidence, LoadTestEvidence, RegressionReport } from '../evidence/types';
import { selectBaseline, type BaselineOptions } from './baseline';
import { compareWithBaseline } from './compare';
import { comparisonRows } from './thresholds';

/**
 * Compares a finished run with its baseline and returns the document to write: the report under
 * `metrics.regression`, one criterion result per baseline criterion, and the verdict `failed` when any figure
 * regressed (the summary names the request and the figure). The run's own document is new and not yet stored,
 * so nothing stored is rewritten.
 */
export function judgeAgainstBaseline(
  evidence: LoadTestEvidence,
  pool: readonly Evidence[],
  criteria: readonly Criterion[],
  options: BaselineOptions = {},
): LoadTestEvidence {
  const selection = selectBaseline(evidence, pool, options);
  const specs = comparisonRows(evidence, criteria);
  const report = compareWithBaseline(evidence, selection, specs);
  const results: CriterionResult[] = specs.flatMap((spec, i) => {
    const c = spec.criterion;
    if (!c) return [];
    return [criterionResult(c, report, i)];
  });
  // A run with no baseline cannot judge its baseline criteria; those are reported, not failed (a first run has none).
  const regressed = report.verdict === 'regressed';
  const verdict = evidence.verdict === 'passed' && regressed ? 'failed' : evidence.verdict;
  const summary = regressed ? `${evidence.summary} ${report.summary}` : evidence.summary;
  return { ...evidence, verdict, summary, criteria: [...evidence.criteria, ...results], metrics: { ...evidence.metrics, regression: report } };
}

function criterionResult(c: Criterion, report: RegressionReport, index: number): CriterionResult {
  const base = { expression: c.expression, threshold: c.threshold, ...(c.request !== undefined ? { request: c.request } : {}) };
  const row = report.rows[index];
  if (!row) return { ...base, actual: null, failed: false, explanation: `Not judged: ${report.summary}` };
  const sign = row.metric === 'rps' ? -1 : 1;
  const actual = c.baseline?.relative ? (row.deltaPercent === null ? null : sign * row.deltaPercent) : sign * row.delta;
  return { ...base, actual, failed: row.verdict === 'regressed', explanation: `${row.verdict}: ${row.request} ${row.metric} ${row.note}` };
}
