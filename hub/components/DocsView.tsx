import * as React from 'react';
import { Card } from 'azure-devops-ui/Card';
import { Status, Statuses, StatusSize } from 'azure-devops-ui/Status';
import type { DocsEvidence } from '../../src/evidence/types';
import { EvidenceHeader } from './EvidenceHeader';

export function DocsView(props: { evidence: DocsEvidence }) {
  const { evidence } = props;
  const findings = evidence.metrics.findings;
  return (
    <div className="flex-column" data-testid="docs-view">
      <EvidenceHeader evidence={evidence} />
      <Card className="readiness-section" titleProps={{ text: `Findings (${findings.length})` }}>
        {findings.length === 0 ? (
          <p className="readiness-muted">No findings: every required document is present and current.</p>
        ) : (
          <table className="readiness-table">
            <thead><tr><th>Severity</th><th>File</th><th>Rule</th><th>Finding</th></tr></thead>
            <tbody>
              {findings.map((f, i) => (
                <tr key={i}>
                  <td>
                    <Status {...(f.severity === 'error' ? Statuses.Failed : Statuses.Warning)} size={StatusSize.s} className="margin-right-4" />
                    {f.severity}
                  </td>
                  <td><code>{f.file}{f.line ? `:${f.line}` : ''}</code></td>
                  <td>{f.rule}</td>
                  <td>{f.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
