import type { EnvironmentCheckResult, EnvironmentEvidence } from '../types';
import { escapeMarkdown as md, escapeXml as h } from './format';
import type { TestCase } from './junit';

/** The environment evidence in each report: one row per check, then the facts that matter most (certificates, headers, drift). */
const ICONS = { passed: '✅', failed: '❌', unknown: '❔' } as const;

type MdTable = (lines: string[], header: string[], rows: string[][]) => void;

export function environmentMarkdown(evidence: EnvironmentEvidence, lines: string[], table: MdTable): void {
  const checks = evidence.metrics.checks;
  lines.push(`### Checks: ${checks.filter((c) => c.status !== 'passed').length} of ${checks.length} did not pass`, '');
  table(lines, ['Result', 'Check', 'Type', 'Finding'], checks.map((c) => [`${ICONS[c.status]} ${c.status}`, md(c.name), md(c.type), md(c.detail)]));
  const certificates = checks.filter((c) => c.tls);
  if (certificates.length) {
    lines.push('### Certificates', '');
    table(lines, ['Host', 'Days to expiry', 'Chain (leaf first)', 'TLS 1.0 / 1.1', 'HSTS max-age'], certificates.map((c) => {
      const t = c.tls!;
      return [md(`${t.host}:${t.port}`), t.daysToExpiry === null ? 'not seen' : String(t.daysToExpiry), md(t.chain.map((x) => `${x.subject} (until ${x.validTo.slice(0, 10)})`).join(' ← ')),
        md(t.legacyProtocols.map((p) => p.outcome).join(' / ')), t.hstsMaxAge === null ? 'absent' : String(t.hstsMaxAge)];
    }));
  }
  for (const c of checks.filter((x) => x.headers)) {
    lines.push(`### Security headers: ${md(c.headers!.url)} graded ${md(c.headers!.grade)} (score ${c.headers!.score})`, '');
    table(lines, ['Test', 'Result', 'Score', 'Fix'], c.headers!.tests.map((t) => [md(t.test), `${t.pass ? '✅' : '❌'} ${md(t.result)}`, String(t.modifier), md(t.fix ?? '')]));
  }
  for (const c of checks.filter((x) => x.drift?.changes.length)) {
    lines.push(`### Drift in ${md(c.drift!.directory)}`, '');
    table(lines, ['Resource', 'Actions', 'Attributes'], c.drift!.changes.map((d) => [md(d.address), md(d.actions.join(', ')), md(d.attributes.join(', '))]));
  }
}

export function environmentCases(evidence: EnvironmentEvidence, runCase: TestCase | undefined): TestCase[] {
  const cases: TestCase[] = evidence.metrics.checks.map((c: EnvironmentCheckResult) => {
    const name = `${c.type}: ${c.name}`;
    const timeSeconds = c.durationMs / 1000;
    // Unknown fails like failed: the check could not show the environment is right.
    return c.status === 'passed' ? { name, timeSeconds, output: c.detail } : { name, timeSeconds, failure: { message: `${c.status}: ${c.detail}`, body: c.detail } };
  });
  return runCase ? [runCase, ...cases] : cases;
}

interface HtmlParts {
  section(title: string, content: string): string;
  table(header: string[], rows: string[][], numericColumns?: number[]): string;
  pill(state: string, label?: string): string;
}

export function environmentHtml(evidence: EnvironmentEvidence, { section, table, pill }: HtmlParts): string {
  const checks = evidence.metrics.checks;
  const parts = [section('Checks', table(['Result', 'Check', 'Type', 'Finding'], checks.map((c) => [pill(c.status), h(c.name), h(c.type), h(c.detail)])))];
  const certificates = checks.filter((c) => c.tls);
  if (certificates.length) {
    parts.push(section('Certificates', table(['Host', 'Days to expiry', 'Chain (leaf first)', 'TLS 1.0 / 1.1', 'HSTS max-age'], certificates.map((c) => {
      const t = c.tls!;
      return [h(`${t.host}:${t.port}`), h(t.daysToExpiry === null ? 'not seen' : t.daysToExpiry), t.chain.map((x) => `${h(x.subject)} <span class="muted">until ${h(x.validTo)}</span>`).join('<br>'),
        h(t.legacyProtocols.map((p) => `${p.protocol} ${p.outcome}`).join(', ')), h(t.hstsMaxAge === null ? 'absent' : t.hstsMaxAge)];
    }), [1])));
  }
  for (const c of checks.filter((x) => x.headers)) {
    parts.push(section(`Security headers: grade ${c.headers!.grade} (score ${c.headers!.score})`, table(['Test', 'Result', 'Score', 'Fix'],
      c.headers!.tests.map((t) => [h(t.test), pill(t.pass ? 'passed' : 'failed', t.result), h(t.modifier), h(t.fix ?? '')]), [2])));
  }
  for (const c of checks.filter((x) => x.drift?.changes.length)) {
    parts.push(section(`Drift in ${c.drift!.directory}`, table(['Resource', 'Actions', 'Attributes'], c.drift!.changes.map((d) => [`<code>${h(d.address)}</code>`, h(d.actions.join(', ')), h(d.attributes.join(', '))]))));
  }
  return parts.join('\n');
}
