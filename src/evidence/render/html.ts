import type { CriterionResult, DocsEvidence, DrillEvidence, Evidence, GateEvidence, LoadTestEvidence, RegressionReport, RequestStats } from '../types';
import { drillObjectives, environmentFacts, type DrillObjective } from './drillObjectives';
import { COMPARISON_HEADER, comparisonCells } from '../../regression/table';
import { duration, escapeXml as h, generatorLine, KIND_TITLES, num, runDurationMs, verdictLabel } from './format';
import { environmentHtml } from './environment';
import { lineChart, timelineChart } from './svg';
import { capacityHtml } from './capacity';

/**
 * A self-contained HTML report: inline CSS and inline SVG, no script, no fonts, no images, no network. The
 * Content-Security-Policy forbids loading anything, so the file reads the same offline as attached to a run.
 * Addresses are shown as text, never as links or sources, and every piece of user text is escaped.
 */
export function renderHtml(evidence: Evidence): string {
  const title = `${KIND_TITLES[evidence.kind]}: ${evidence.service} (${evidence.environment})`;
  const body: string[] = [];
  body.push(`<header class="verdict ${h(evidence.verdict)}"><div class="badge">${h(verdictLabel(evidence))}</div><div><h1>${h(title)}</h1><p>${h(evidence.summary)}</p></div></header>`);
  body.push(facts([
    ['Started', evidence.startedAt],
    ['Finished', evidence.finishedAt],
    ['Took', duration(runDurationMs(evidence))],
    ['Pipeline', [evidence.run.project, evidence.run.pipeline, evidence.run.runId && `run ${evidence.run.runId}`].filter(Boolean).join(' / ')],
    ['Stage / job', [evidence.run.stage, evidence.run.job, evidence.run.attempt && `attempt ${evidence.run.attempt}`].filter(Boolean).join(' / ')],
    ['Run address', evidence.run.url ?? ''],
    ['Evidence id', evidence.id],
  ]));
  switch (evidence.kind) {
    case 'loadtest':
      body.push(loadTest(evidence));
      break;
    case 'drill':
      body.push(drill(evidence));
      break;
    case 'docs':
      body.push(docs(evidence));
      break;
    case 'gate':
      body.push(gate(evidence));
      break;
    case 'environment':
      body.push(environmentHtml(evidence, { section, table, pill }));
      break;
    case 'capacity':
      body.push(capacityHtml(evidence, { section, table, facts, note }), criteria(evidence.criteria));
      break;
  }
  if (evidence.links.length) {
    body.push(section('Links', table(['Name', 'Address'], evidence.links.map((l) => [h(l.name), `<code>${h(l.url)}</code>`]))));
  }
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${h(title)}</title><style>${CSS}</style></head>`,
    `<body><main>${body.join('\n')}</main></body></html>`,
    '',
  ].join('\n');
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f5f5;color:#212121}
main{max-width:1100px;margin:0 auto;padding:16px}
header.verdict{display:flex;gap:16px;align-items:center;background:#fff;border-left:8px solid #757575;padding:12px 16px;border-radius:4px}
header.passed{border-color:#2e7d32}header.failed{border-color:#c62828}header.error{border-color:#ef6c00}
.badge{font-weight:700;font-size:18px;padding:6px 12px;border-radius:4px;background:#eee;white-space:nowrap}
header.passed .badge{background:#e8f5e9;color:#1b5e20}header.failed .badge{background:#ffebee;color:#b71c1c}header.error .badge{background:#fff3e0;color:#e65100}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:0 0 8px}
section{background:#fff;margin-top:12px;padding:12px 16px;border-radius:4px;overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e0e0e0;vertical-align:top}
th{background:#fafafa}td.n{text-align:right;font-variant-numeric:tabular-nums}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;font-size:13px;background:#fff;margin:12px 0 0;padding:12px 16px;border-radius:4px}
dt{color:#616161}dd{margin:0;word-break:break-all}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#eee}
.pill.passed,.pill.met,.pill.done,.pill.ready{background:#e8f5e9;color:#1b5e20}
.pill.failed,.pill.missed,.pill.not-ready,.pill.error{background:#ffebee;color:#b71c1c}
.pill.waived,.pill.warn,.pill.warning,.pill.stale,.pill.cancelled{background:#fff8e1;color:#8d6e00}
.pill.missing,.pill.unknown,.pill.skipped{background:#eceff1;color:#455a64}
.note{background:#fff8e1;border-left:4px solid #f9a825;padding:8px 12px;margin-top:12px}
.muted{color:#757575}code{font-size:12px;word-break:break-all}
svg.chart{width:100%;height:auto;display:block;margin:8px 0}
svg .grid{stroke:#e0e0e0}svg .axis{font-size:11px;fill:#616161}svg .legend{font-size:11px;fill:#424242}svg .chart-title{font-size:13px;font-weight:600;fill:#212121}
`;

function section(title: string, content: string): string {
  return `<section><h2>${h(title)}</h2>${content}</section>`;
}

/** Rows are HTML already (cells escaped by the caller); numeric cells are marked for right alignment. */
function table(header: string[], rows: string[][], numericColumns: number[] = []): string {
  const head = header.map((c) => `<th>${h(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${numericColumns.includes(i) ? ' class="n"' : ''}>${c}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function facts(items: Array<[string, string]>): string {
  return `<dl class="facts">${items.filter(([, v]) => v).map(([k, v]) => `<dt>${h(k)}</dt><dd>${h(v)}</dd>`).join('')}</dl>`;
}

function pill(state: string, label = state): string {
  return `<span class="pill ${h(state.replace(/[^a-z-]/gi, ''))}">${h(label)}</span>`;
}

function note(text: string): string {
  return `<div class="note">${h(text)}</div>`;
}

function criteria(results: CriterionResult[]): string {
  if (!results.length) return '';
  const failed = results.filter((c) => c.failed).length;
  return section(
    `Criteria: ${failed} of ${results.length} failed`,
    table(
      ['Result', 'Criterion', 'Actual', 'Threshold', 'Explanation'],
      results.map((c) => [pill(c.failed ? 'failed' : 'passed'), `<code>${h(c.expression)}</code>`, h(num(c.actual)), h(num(c.threshold)), h(c.explanation)]),
      [2, 3],
    ),
  );
}

/** The comparison with the baseline: the verdict per figure as a pill, and why for those not unchanged. */
function baseline(report: RegressionReport): string {
  const pillOf: Record<RegressionReport['verdict'], string> = { regressed: 'failed', improved: 'passed', unchanged: 'passed', inconclusive: 'missing' };
  const rows = report.rows.map((r) => {
    const cells = comparisonCells(r).map((cell) => h(cell));
    cells[7] = pill(pillOf[r.verdict], r.verdict);
    return cells;
  });
  const notes = report.rows.filter((r) => r.verdict !== 'unchanged').map((r) => `${r.request} ${r.metric} ${r.verdict}: ${r.note}`);
  const refused = report.refused.slice(0, 5).map((r) => `Left out of the baseline: run ${r.id}: ${r.reason}.`);
  return section(
    `Against the baseline: ${report.verdict}`,
    `<p>${h(report.summary)}</p>${rows.length ? table(COMPARISON_HEADER, rows, [3]) : ''}${[...notes, ...refused].map(note).join('')}`,
  );
}

function loadTest(evidence: LoadTestEvidence): string {
  const m = evidence.metrics;
  const parts: string[] = [];
  if (m.cancelled) parts.push(note('The run was cancelled; the figures cover only the part that ran.'));
  if (m.stoppedEarly) parts.push(note(`Stopped early at ${num(m.stoppedEarly.atSecond)} s: ${m.stoppedEarly.reason}`));
  if (m.azure?.disagreement) parts.push(note(`Azure Load Testing disagrees: ${m.azure.disagreement}`));
  const generator = generatorLine(m.generator);
  parts.push(
    facts([
      ['Test', m.testId],
      ['Engine', m.engine],
      ['Load', m.model === 'open' ? `open model, ${num(m.targetRps ?? null)} requests/s target` : `${m.virtualUsers} virtual users`],
      ['Duration', `${num(m.durationSeconds)} s`],
      ['Requests', `${m.totals.requests} at ${num(m.totals.rps)}/s, ${m.totals.errors} errors (${num(m.totals.errorPercentage, '%')})`],
      ...(generator ? [['Load generator', generator] as [string, string]] : []),
      ...(m.azure?.sampleLog ? [['Sample log', m.azure.sampleLog.detail] as [string, string]] : []),
    ]),
  );
  parts.push(criteria(evidence.criteria));
  if (m.regression) parts.push(baseline(m.regression));
  const seconds = m.timeline.map((p) => p.second);
  parts.push(
    section(
      'Over time',
      lineChart('Latency percentiles', 'ms', seconds, [
        { name: 'p50', color: '#1565c0', values: m.timeline.map((p) => p.latencyMs.p50) },
        { name: 'p90', color: '#00897b', values: m.timeline.map((p) => p.latencyMs.p90) },
        { name: 'p95', color: '#f9a825', values: m.timeline.map((p) => p.latencyMs.p95) },
        { name: 'p99', color: '#c62828', values: m.timeline.map((p) => p.latencyMs.p99) },
      ]) +
        lineChart('Throughput and errors', 'per second', seconds, [
          { name: 'requests', color: '#1565c0', values: m.timeline.map((p) => p.requests) },
          { name: 'errors', color: '#c62828', values: m.timeline.map((p) => p.errors) },
        ]) +
        lineChart('Active virtual users', 'users', seconds, [{ name: 'users', color: '#6a1b9a', values: m.timeline.map((p) => p.activeUsers), dashed: true }]),
    ),
  );
  const row = (r: RequestStats, name: string) => [
    name,
    String(r.requests),
    String(r.errors),
    String(r.httpErrors),
    String(r.networkErrors),
    h(num(r.errorPercentage, '%')),
    h(num(r.rps)),
    ...[r.latencyMs.avg, r.latencyMs.p50, r.latencyMs.p90, r.latencyMs.p95, r.latencyMs.p99, r.latencyMs.p999, r.latencyMs.max].map((v) => h(num(v))),
  ];
  parts.push(
    section(
      'Requests',
      table(
        ['Request', 'Requests', 'Errors', 'HTTP errors', 'Network errors', 'Error %', 'Requests/s', 'Avg ms', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'Max'],
        [...m.requests.map((r) => row(r, h(r.name))), row(m.totals, '<strong>All requests</strong>')],
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
      ),
    ),
  );
  return parts.join('\n');
}

function drill(evidence: DrillEvidence): string {
  const m = evidence.metrics;
  const parts: string[] = [];
  if (m.cancelled) parts.push(note('The drill was cancelled before it finished.'));
  const objective = ({ name, actual, target, unit, method }: DrillObjective) => {
    const state = actual === null ? 'missed' : actual <= target ? 'met' : 'missed';
    return [h(name), h(num(actual, unit)), h(num(target, unit)), pill(state, actual === null ? 'not measured' : state), h(method)];
  };
  parts.push(section('Recovery objectives', table(['Objective', 'Measured', 'Target', 'Result', 'Method'], drillObjectives(m).map(objective), [1, 2])));
  parts.push(criteria(evidence.criteria));
  const origin = Math.min(...m.steps.map((s) => Date.parse(s.startedAt)).filter(Number.isFinite), Date.parse(evidence.startedAt) || Infinity);
  parts.push(
    section(
      'Timeline',
      timelineChart(
        `${m.mode === 'recreation' || m.mode === 'rollback' ? 'Phases' : 'Steps'} of the ${m.provider} drill`,
        m.steps.map((s) => ({ label: s.name, startMs: (Date.parse(s.startedAt) || origin) - origin, durationMs: s.durationMs, status: s.status, detail: s.detail })),
      ) + table(['Step', 'Status', 'Started', 'Took', 'Detail'], m.steps.map((s) => [h(s.name), pill(s.status), h(s.startedAt), h(duration(s.durationMs)), h(s.detail)])),
    ),
  );
  parts.push(section('Probes', m.probes.length ? table(['Probe', 'Type', 'Status', 'Took', 'Detail'], m.probes.map((p) => [h(p.name), h(p.type), pill(p.status), h(duration(p.durationMs)), h(p.detail)])) : '<p class="muted">No probes ran.</p>'));
  parts.push(
    facts([
      ['Provider', m.provider],
      ['Disruption', m.disruption ?? ''],
      ['Backup', [m.backup.location, m.backup.takenAt && `taken ${m.backup.takenAt}`, m.backup.sizeBytes !== undefined && `${m.backup.sizeBytes} bytes`, m.backup.verified].filter(Boolean).join(', ')],
      ['Clean-up', `${m.cleanup.status}. ${m.cleanup.detail}`],
      ['Left behind', m.cleanup.leftBehind.join(', ')],
      ...environmentFacts(m),
    ]),
  );
  return parts.join('\n');
}

function docs(evidence: DocsEvidence): string {
  const m = evidence.metrics;
  const parts: string[] = [facts([['Root', m.root], ['Files checked', String(m.filesChecked.length)], ['Findings', String(m.findings.length)]])];
  parts.push(criteria(evidence.criteria));
  parts.push(
    section(
      'Findings',
      m.findings.length
        ? table(['Severity', 'Where', 'Rule', 'Message'], m.findings.map((f) => [pill(f.severity), `<code>${h(f.line ? `${f.file}:${f.line}` : f.file)}</code>`, h(f.rule), h(f.message)]))
        : '<p class="muted">No findings.</p>',
    ),
  );
  if (m.reviewed.length) {
    parts.push(section('Last reviewed', table(['File', 'Last reviewed', 'Age (days)'], m.reviewed.map((r) => [h(r.file), h(r.lastReviewed ?? 'never'), h(r.ageDays ?? '')]), [2])));
  }
  return parts.join('\n');
}

function gate(evidence: GateEvidence): string {
  const m = evidence.metrics;
  const parts: string[] = [
    facts([
      ['Status', m.status],
      ['Level', `${m.level ?? 'none'} (required ${m.requiredLevel ?? 'none'})`],
      ['Enforcement', m.enforcement],
      ['Policy', `${m.policyFile}${m.version ? ` (version ${m.version})` : ''}${m.tier ? `, tier ${m.tier}` : ''}`],
      ['Evaluated', m.evaluatedAt],
    ]),
  ];
  parts.push(criteria(evidence.criteria));
  parts.push(
    section(
      'Scorecard',
      table(
        ['Check', 'Type', 'State', 'Reason', 'Owner', 'Evidence'],
        m.checks.map((c) => [
          h(c.title || c.id),
          h(c.type),
          pill(c.state),
          h(c.reason),
          h(c.owner ?? ''),
          c.evidence.map((e) => `${h(e.kind)} ${h(e.finishedAt)}${e.runUrl ? ` <code>${h(e.runUrl)}</code>` : ''}`).join('<br>'),
        ]),
      ),
    ),
  );
  return parts.join('\n');
}
