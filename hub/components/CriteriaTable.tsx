import * as React from 'react';
import { Status, Statuses, StatusSize } from 'azure-devops-ui/Status';
import type { CriterionResult } from '../../src/evidence/types';
import { formatNumber } from './LineChart';

/** Each criterion with the measured value against its threshold, and the sentence that explains it. */
export function CriteriaTable(props: { criteria: CriterionResult[] }) {
  if (props.criteria.length === 0) return <p className="readiness-muted">No criteria were set for this run.</p>;
  return (
    <table className="readiness-table" data-testid="criteria">
      <thead>
        <tr>
          <th>Criterion</th>
          <th className="num">Actual</th>
          <th className="num">Threshold</th>
          <th>Result</th>
          <th>Why</th>
        </tr>
      </thead>
      <tbody>
        {props.criteria.map((c, i) => (
          <tr key={i}>
            <td><code>{c.expression}</code></td>
            <td className="num">{formatNumber(c.actual, 2)}</td>
            <td className="num">{formatNumber(c.threshold, 2)}</td>
            <td>
              <Status {...(c.failed ? Statuses.Failed : Statuses.Success)} size={StatusSize.s} className="margin-right-4" />
              {c.failed ? 'failed' : 'passed'}
            </td>
            <td>{c.explanation}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
