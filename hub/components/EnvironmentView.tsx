import * as React from 'react';
import { Card } from 'azure-devops-ui/Card';
import { Status, Statuses, StatusSize } from 'azure-devops-ui/Status';
import type { EnvironmentCheckResult, EnvironmentEvidence } from '../../src/evidence/types';
import { EvidenceHeader } from './EvidenceHeader';

const STATUS = { passed: Statuses.Success, failed: Statuses.Failed, unknown: Statuses.Warning } as const;

/** The newest environment check of a service: one row per check, then certificates, header grades and drift. */
export function EnvironmentView(props: { evidence: EnvironmentEvidence }) {
  const { evidence } = props;
  const checks = evidence.metrics.checks;
  const certificates = checks.filter((c) => c.tls);
  const headers = checks.filter((c) => c.headers);
  const drifts = checks.filter((c) => c.drift?.changes.length);
  return (
    <div className="flex-column" data-testid="environment-view">
      <EvidenceHeader evidence={evidence} />
      <Card className="readiness-section" titleProps={{ text: `Checks (${checks.filter((c) => c.status !== 'passed').length} of ${checks.length} not passed)` }}>
        <table className="readiness-table" data-testid="environment-checks">
          <thead><tr><th>Result</th><th>Check</th><th>Type</th><th>Finding</th></tr></thead>
          <tbody>
            {checks.map((c: EnvironmentCheckResult) => (
              <tr key={c.name} data-status={c.status}>
                <td><Status {...STATUS[c.status]} size={StatusSize.s} className="margin-right-4" />{c.status}</td>
                <td>{c.name}</td>
                <td>{c.type}</td>
                <td>{c.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      {certificates.length ? (
        <Card className="readiness-section" titleProps={{ text: 'Certificates' }}>
          <table className="readiness-table" data-testid="environment-certificates">
            <thead><tr><th>Host</th><th>Days to expiry</th><th>Chain (leaf first)</th><th>TLS 1.0 / 1.1</th><th>HSTS max-age</th></tr></thead>
            <tbody>
              {certificates.map((c) => {
                const t = c.tls!;
                return (
                  <tr key={c.name}>
                    <td><code>{t.host}:{t.port}</code></td>
                    <td>{t.daysToExpiry ?? 'not seen'}{t.chainError ? ` (${t.chainError})` : ''}</td>
                    <td>{t.chain.map((x) => <div key={x.fingerprint256}>{x.subject} <span className="readiness-muted">until {x.validTo.slice(0, 10)}</span></div>)}</td>
                    <td>{t.legacyProtocols.map((p) => p.outcome).join(' / ')}</td>
                    <td>{t.hstsMaxAge ?? 'absent'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Card>
      ) : null}
      {headers.map((c) => (
        <Card key={c.name} className="readiness-section" titleProps={{ text: `Security headers: grade ${c.headers!.grade} (score ${c.headers!.score})` }}>
          <table className="readiness-table" data-testid="environment-headers">
            <thead><tr><th>Test</th><th>Result</th><th>Score</th><th>Fix</th></tr></thead>
            <tbody>
              {c.headers!.tests.map((t) => (
                <tr key={t.test}>
                  <td>{t.test}</td>
                  <td><Status {...(t.pass ? Statuses.Success : Statuses.Failed)} size={StatusSize.s} className="margin-right-4" />{t.result}</td>
                  <td>{t.modifier}</td>
                  <td>{t.fix ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ))}
      {drifts.map((c) => (
        <Card key={c.name} className="readiness-section" titleProps={{ text: `Drift in ${c.drift!.directory}` }}>
          <table className="readiness-table" data-testid="environment-drift">
            <thead><tr><th>Resource</th><th>Actions</th><th>Attributes</th></tr></thead>
            <tbody>
              {c.drift!.changes.map((d) => (
                <tr key={d.address}><td><code>{d.address}</code></td><td>{d.actions.join(', ')}</td><td>{d.attributes.join(', ')}</td></tr>
              ))}
            </tbody>
          </table>
        </Card>
      ))}
    </div>
  );
}
