import type { RegressionReport, RegressionRow } from '../evidence/types';

/** The comparison as rows of cells, shared by the CLI table and the reporters. */
export function comparisonCells(row: RegressionRow): string[] {
  const n = (v: number) => String(Math.round(v * 100) / 100);
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${n(v)}`;
  return [
    row.request,
    row.metric,
    `${n(row.baseline.mean)} (${n(row.baseline.min)}–${n(row.baseline.max)}, ${row.baseline.runs} runs)`,
    n(row.candidate),
    `${signed(row.delta)} ${row.unit}${row.deltaPercent !== null ? ` (${signed(row.deltaPercent)}%)` : ''}`,
    row.interval ? `${signed(row.interval.low)} to ${signed(row.interval.high)}` : '—',
    `${n(row.threshold.value)} ${row.unit}`,
    row.verdict,
  ];
}

export const COMPARISON_HEADER = ['Request', 'Figure', 'Baseline mean (range, runs)', 'This run', 'Change', '90% interval', 'Threshold', 'Verdict'];

/** A plain-text table for a terminal or a pipeline log, with the notes of the rows that are not unchanged below it. */
export function formatComparison(report: RegressionReport): string {
  const rows = [COMPARISON_HEADER, ...report.rows.map(comparisonCells)];
  const widths = COMPARISON_HEADER.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [`Baseline comparison: ${report.summary}`];
  if (report.rows.length) out.push(line(rows[0]), ...rows.slice(1).map(line));
  for (const r of report.rows.filter((x) => x.verdict !== 'unchanged')) out.push(`  ${r.request} ${r.metric} ${r.verdict}: ${r.note}`);
  for (const r of report.refused.slice(0, 5)) out.push(`  Left out of the baseline: run ${r.id}: ${r.reason}.`);
  if (report.refused.length > 5) out.push(`  ... and ${report.refused.length - 5} more runs left out.`);
  return `${out.join('\n')}\n`;
}
