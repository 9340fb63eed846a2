import * as React from 'react';
import type { RegressionReport } from '../../src/evidence/types';
import { COMPARISON_HEADER, comparisonCells } from '../../src/regression/table';

/** The run's comparison with its baseline, as the CLI prints it: one row per figure, the reasons below. */
export function BaselineTable(props: { report: RegressionReport }) {
  const { report } = props;
  const notes = report.rows.filter((r) => r.verdict !== 'unchanged');
  return (
    <div className="flex-column" style={{ gap: 8, width: '100%' }} data-testid="baseline-comparison" data-verdict={report.verdict}>
      <span>{report.summary}</span>
      {report.rows.length ? (
        <table className="readiness-table">
          <thead>
            <tr>{COMPARISON_HEADER.map((h) => <th key={h}>{h}</th>)}</tr>
          </thead>
          <tbody>
            {report.rows.map((r) => (
              <tr key={`${r.request}|${r.metric}|${r.threshold.source}`} data-verdict={r.verdict}>
                {comparisonCells(r).map((cell, i) => <td key={i}>{cell}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {notes.map((r) => (
        <span key={`${r.request}|${r.metric}|${r.threshold.source}`} className="readiness-muted">{`${r.request} ${r.metric} ${r.verdict}: ${r.note}`}</span>
      ))}
    </div>
  );
}
