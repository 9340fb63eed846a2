import { parseBaselineCriteria } from '../criteria';
import type { Evidence, LoadTestEvidence, RegressionReport } from '../evidence/types';
import { selectBaseline } from '../regression/baseline';
import { compareWithBaseline } from '../regression/compare';
import { comparisonRows } from '../regression/thresholds';

/** `noRegression` of a loadtest rule: the newest run must not have regressed against its baseline. */
export interface NoRegressionRule {
  /** Earlier passing like runs that form the baseline. Default 5. */
  window?: number;
  /** Evidence id or pipeline run id the baseline window ends at. */
  pin?: string;
  /** `block`: a comparison that cannot tell (or no baseline yet) fails the check too. Default `pass`. */
  inconclusive: 'pass' | 'block';
}

export type RegressionFinding = { regressed: boolean; blocked: boolean; text: string };

/**
 * The gate compares again rather than trusting `metrics.regression` in the document: the baseline is the
 * evidence the gate itself gathered (result folders, this run's attachments, earlier runs of the release branch,
 * src/gate/gatherEvidence.ts), so the verdict rests only on documents the gate accepts as evidence. The load
 * test's own baseline criteria (`> baseline + 10%`) are read back from its criteria and keep their thresholds.
 */
export function checkNoRegression(newest: LoadTestEvidence, pool: readonly Evidence[], rule: NoRegressionRule): RegressionFinding {
  const own = newest.criteria.map((c) => c.expression).filter((text) => /\bbaseline\b/.test(text));
  let criteria: ReturnType<typeof parseBaselineCriteria> = [];
  try {
    criteria = parseBaselineCriteria(own, { file: `load test ${newest.id}` });
  } catch {
    criteria = []; // a criterion this version cannot read: the defaults still compare every figure
  }
  let report: RegressionReport;
  try {
    report = compareWithBaseline(newest, selectBaseline(newest, pool, rule), comparisonRows(newest, criteria));
  } catch (error) {
    // A pin that names no usable run: the check cannot show the absence of a regression.
    return { regressed: false, blocked: true, text: (error as Error).message };
  }
  if (report.verdict === 'regressed') return { regressed: true, blocked: true, text: report.summary };
  if (report.verdict === 'inconclusive') return { regressed: false, blocked: rule.inconclusive === 'block', text: report.summary };
  return { regressed: false, blocked: false, text: report.summary };
}
