import type { CriterionResult, DocsEvidence, DrillEvidence, Evidence, GateEvidence, LoadTestEvidence, RegressionReport, RequestStats } from '../types';
import { environmentMarkdown } from './environment';
import { drillObjectives, environmentFacts } from './drillObjectives';
import { COMPARISON_HEADER, comparisonCells } from '../../regression/table';
import { capacityMarkdown } from './capacity';
import { duration, escapeMarkdown as md, generatorLine, KIND_TITLES, markdownLink, num, runDurationMs, verdictLabel } from './format';

const ICONS = { passed: '✅', failed: '❌', error: '⚠️' } as const;

/**
 * The run summary page (`##vso[task.uploadsummary]`): the verdict and its reason first, then what decided it,
 * then the detail. Every piece of user text is escaped, so a request name cannot break a table or inject HTML.
 */
export function renderMarkdown(evidence: Evidence): string {
  const lines: string[] = [];
  lines.push(`## ${ICONS[evidence.verdict]} ${KIND_TITLES[evidence.kind]}: ${verdictLabel(evidence)} — ${md(evidence.service)} (${md(evidence.environment)})`);
  lines.push('');
  lines.push(`**${verdictLabel(evidence)}.** ${md(evidence.summary)}`);
  lines.push('');
  lines.push(`Started ${md(evidence.startedAt)}, took ${duration(runDurationMs(evidence))}.${evidence.run.url ? ` ${markdownLink('Pipeline run', evidence.run.url)}.` : ''}`);
  lines.push('');
  switch (evidence.kind) {
    case 'loadtest':
      loadTest(evidence, lines);
      break;
    case 'drill':
      drill(evidence, lines);
      break;
    case 'docs':
      docs(evidence, lines);
      break;
    case 'gate':
      gate(evidence, lines);
      break;
    case 'environment':
      environmentMarkdown(evidence, lines, table);
      break;
    case 'capacity':
      capacityMarkdown(evidence, lines);
      criteriaTable(evidence.criteria, lines);
      break;
  }
  if (evidence.links.length) {
    lines.push('### Links', '');
    for (const link of evidence.links) lines.push(`- ${markdownLink(link.name, link.url)}`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function table(lines: string[], header: string[], rows: string[][]): void {
  lines.push(`| ${header.join(' | ')} |`);
  lines.push(`|${header.map(() => ' --- ').join('|')}|`);
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  lines.push('');
}

function criteriaTable(criteria: CriterionResult[], lines: string[]): void {
  if (!criteria.length) return;
  const failed = criteria.filter((c) => c.failed).length;
  lines.push(`### Criteria: ${failed} of ${criteria.length} failed`, '');
  table(
    lines,
    ['Result', 'Criterion', 'Actual', 'Threshold', 'Explanation'],
    criteria.map((c) => [c.failed ? '❌ failed' : '✅ passed', md(c.expression), num(c.actual), num(c.threshold), md(c.explanation)]),
  );
}

function loadTest(evidence: LoadTestEvidence, lines: string[]): void {
  const m = evidence.metrics;
  const shape = m.model === 'open' ? `open model, ${num(m.targetRps ?? null)} requests/s target` : `${m.virtualUsers} virtual users`;
  lines.push(`Test ${md(m.testId)} on the ${m.engine} engine: ${shape}, ${num(m.durationSeconds)} s.`);
  if (m.cancelled) lines.push('', '**The run was cancelled;** the figures cover only the part that ran.');
  if (m.stoppedEarly) lines.push('', `**Stopped early at ${num(m.stoppedEarly.atSecond)} s:** ${md(m.stoppedEarly.reason)}`);
  if (m.azure?.disagreement) lines.push('', `**Azure Load Testing disagrees:** ${md(m.azure.disagreement)}`);
  if (m.azure?.sampleLog) lines.push('', `**Sample log:** ${md(m.azure.sampleLog.detail)}`);
  const generator = generatorLine(m.generator);
  if (generator) lines.push('', `**Load generator:** ${md(generator)}`);
  lines.push('');
  criteriaTable(evidence.criteria, lines);
  if (m.regression) baselineSection(m.regression, lines);
  lines.push('### Requests', '');
  const row = (r: RequestStats, name: string) => [
    name,
    String(r.requests),
    `${r.errors} (${r.httpErrors} HTTP, ${r.networkErrors} network)`,
    num(r.errorPercentage, '%'),
    num(r.rps),
    num(r.latencyMs.avg),
    num(r.latencyMs.p50),
    num(r.latencyMs.p90),
    num(r.latencyMs.p95),
    num(r.latencyMs.p99),
    num(r.latencyMs.max),
  ];
  table(
    lines,
    ['Request', 'Requests', 'Errors', 'Error %', 'Requests/s', 'Avg ms', 'p50 ms', 'p90 ms', 'p95 ms', 'p99 ms', 'Max ms'],
    [...m.requests.map((r) => row(r, md(r.name))), row(m.totals, '**All requests**')],
  );
}

const REGRESSION_ICONS = { regressed: '❌', improved: '🟢', unchanged: '✅', inconclusive: '❔' } as const;

/** The comparison with the baseline: verdict, table, then why for every figure that is not unchanged. */
function baselineSection(report: RegressionReport, lines: string[]): void {
  lines.push(`### Against the baseline: ${REGRESSION_ICONS[report.verdict]} ${report.verdict}`, '', md(report.summary), '');
  if (report.rows.length) {
    table(lines, COMPARISON_HEADER, report.rows.map((r) => comparisonCells(r).map((cell, i) => (i === 7 ? `${REGRESSION_ICONS[r.verdict]} ${cell}` : md(cell)))));
  }
  const notes = report.rows.filter((r) => r.verdict !== 'unchanged').map((r) => `- **${md(r.request)} ${md(r.metric)}** ${r.verdict}: ${md(r.note)}`);
  const refused = report.refused.slice(0, 5).map((r) => `- Left out of the baseline: run ${md(r.id)}: ${md(r.reason)}.`);
  if (notes.length || refused.length) lines.push(...notes, ...refused, '');
}

function drill(evidence: DrillEvidence, lines: string[]): void {
  const m = evidence.metrics;
  lines.push(`Provider ${md(m.provider)}${m.disruption ? `, disruption: ${md(m.disruption)}` : ''}.`);
  if (m.cancelled) lines.push('', '**The drill was cancelled** before it finished.');
  lines.push('', '### Recovery objectives', '');
  table(
    lines,
    ['Objective', 'Measured', 'Target', 'Result', 'Method'],
    drillObjectives(m).map((o) => [o.name, num(o.actual, o.unit), num(o.target, o.unit), o.actual === null ? '❌ not measured' : o.actual <= o.target ? '✅ met' : '❌ missed', md(o.method)]),
  );
  criteriaTable(evidence.criteria, lines);
  for (const [label, text] of environmentFacts(m)) lines.push(`**${label}:** ${md(text)}`, '');
  lines.push(`### ${m.mode === 'recreation' || m.mode === 'rollback' ? 'Phases' : 'Steps'}`, '');
  table(lines, ['Step', 'Status', 'Started', 'Took', 'Detail'], m.steps.map((s) => [md(s.name), stepIcon(s.status), md(s.startedAt), duration(s.durationMs), md(s.detail)]));
  if (m.probes.length) {
    lines.push('### Probes', '');
    table(lines, ['Probe', 'Type', 'Status', 'Took', 'Detail'], m.probes.map((p) => [md(p.name), md(p.type), stepIcon(p.status), duration(p.durationMs), md(p.detail)]));
  }
  lines.push(`Backup: ${md(m.backup.location) || 'none'}${m.backup.takenAt ? `, taken ${md(m.backup.takenAt)}` : ''}${m.backup.sizeBytes !== undefined ? `, ${m.backup.sizeBytes} bytes` : ''}.`);
  lines.push('', `Clean-up: ${md(m.cleanup.status)}. ${md(m.cleanup.detail)}`);
  if (m.cleanup.leftBehind.length) lines.push('', `Left behind: ${m.cleanup.leftBehind.map(md).join(', ')}`);
  lines.push('');
}

function stepIcon(status: string): string {
  const icon = status === 'passed' ? '✅' : status === 'failed' ? '❌' : status === 'skipped' ? '⏭️' : status === 'cancelled' ? '⏹️' : '❔';
  return `${icon} ${md(status)}`;
}

function docs(evidence: DocsEvidence, lines: string[]): void {
  const m = evidence.metrics;
  const errors = m.findings.filter((f) => f.severity === 'error').length;
  lines.push(`Checked ${m.filesChecked.length} file(s) under ${md(m.root)}: ${errors} error(s), ${m.findings.length - errors} warning(s).`, '');
  criteriaTable(evidence.criteria, lines);
  if (m.findings.length) {
    lines.push('### Findings', '');
    table(lines, ['Severity', 'Where', 'Rule', 'Message'], m.findings.map((f) => [f.severity === 'error' ? '❌ error' : '⚠️ warning', md(f.line ? `${f.file}:${f.line}` : f.file), md(f.rule), md(f.message)]));
  }
  if (m.reviewed.length) {
    lines.push('### Last reviewed', '');
    table(lines, ['File', 'Last reviewed', 'Age (days)'], m.reviewed.map((r) => [md(r.file), md(r.lastReviewed ?? 'never'), r.ageDays === undefined ? '' : String(r.ageDays)]));
  }
}

const CHECK_ICONS = { passed: '✅', failed: '❌', waived: '🟡', missing: '❔', stale: '⌛' } as const;

function gate(evidence: GateEvidence, lines: string[]): void {
  const m = evidence.metrics;
  lines.push(
    `Status **${md(m.status)}**: level ${md(m.level ?? 'none')} of required ${md(m.requiredLevel ?? 'none')}, enforcement ${md(m.enforcement)}. Policy ${md(m.policyFile)}${m.version ? ` (version ${md(m.version)})` : ''}, evaluated ${md(m.evaluatedAt)}.`,
    '',
  );
  criteriaTable(evidence.criteria, lines);
  lines.push('### Scorecard', '');
  table(
    lines,
    ['Check', 'State', 'Reason', 'Owner', 'Evidence'],
    m.checks.map((c) => [
      `${md(c.title || c.id)} (${md(c.type)})`,
      `${CHECK_ICONS[c.state] ?? ''} ${md(c.state)}`,
      md(c.reason),
      md(c.owner ?? ''),
      c.evidence.map((e) => `${md(e.kind)} ${md(e.finishedAt)}${e.runUrl ? ` ${markdownLink('run', e.runUrl)}` : ''}`).join('; '),
    ]),
  );
}
