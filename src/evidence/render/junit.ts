import type { CriterionResult, DocsEvidence, DrillEvidence, Evidence, GateEvidence, LoadTestEvidence } from '../types';
import { environmentCases } from './environment';
import { drillObjectives } from './drillObjectives';
import { escapeXml as x, num, runDurationMs, KIND_TITLES } from './format';

/** One JUnit test case; at most one of failure, error and skipped is set. */
export interface TestCase {
  name: string;
  timeSeconds: number;
  failure?: { message: string; body: string };
  error?: { message: string; body: string };
  skipped?: string;
  output?: string;
}

/**
 * JUnit XML for the Tests tab (PublishTestResults' JUnit reader): one suite per evidence document, one case per
 * thing that can pass or fail, so each failure shows by name with its explanation.
 */
export function renderJUnit(evidence: Evidence): string {
  const cases = casesOf(evidence);
  const failures = cases.filter((c) => c.failure).length;
  const errors = cases.filter((c) => c.error).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const seconds = Math.max(0, runDurationMs(evidence) / 1000);
  const classname = `readiness.${evidence.kind}.${evidence.service}.${evidence.environment}`;
  const suiteName = `${KIND_TITLES[evidence.kind]}: ${evidence.service} (${evidence.environment})`;
  // JUnit's timestamp attribute is ISO 8601 without a zone designator (the JUnit XSD's `ISO8601_DATETIME_PATTERN`).
  const timestamp = new Date(Date.parse(evidence.startedAt) || 0).toISOString().slice(0, 19);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="readiness" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds.toFixed(3)}">`);
  out.push(
    `  <testsuite name="${x(suiteName)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds.toFixed(3)}" timestamp="${timestamp}" id="${x(evidence.id)}">`,
  );
  out.push('    <properties>');
  const properties: Array<[string, string | undefined]> = [
    ['evidenceId', evidence.id],
    ['verdict', evidence.verdict],
    ['summary', evidence.summary],
    ['runUrl', evidence.run.url],
  ];
  for (const [name, value] of properties) if (value !== undefined) out.push(`      <property name="${name}" value="${x(value)}"/>`);
  out.push('    </properties>');
  for (const c of cases) {
    const open = `    <testcase classname="${x(classname)}" name="${x(c.name)}" time="${c.timeSeconds.toFixed(3)}"`;
    const inner: string[] = [];
    if (c.failure) inner.push(`      <failure message="${x(c.failure.message)}" type="failed">${x(c.failure.body)}</failure>`);
    if (c.error) inner.push(`      <error message="${x(c.error.message)}" type="error">${x(c.error.body)}</error>`);
    if (c.skipped !== undefined) inner.push(`      <skipped message="${x(c.skipped)}"/>`);
    if (c.output) inner.push(`      <system-out>${x(c.output)}</system-out>`);
    out.push(inner.length ? `${open}>\n${inner.join('\n')}\n    </testcase>` : `${open}/>`);
  }
  out.push('  </testsuite>', '</testsuites>');
  return `${out.join('\n')}\n`;
}

function casesOf(evidence: Evidence): TestCase[] {
  switch (evidence.kind) {
    case 'loadtest':
      return loadTestCases(evidence);
    case 'drill':
      return drillCases(evidence);
    case 'docs':
      return docsCases(evidence);
    case 'gate':
      return gateCases(evidence);
    case 'environment':
      // Only an unfinished run needs a case of its own; each check is a case already.
      return environmentCases(evidence, evidence.verdict === 'error' || evidence.metrics.cancelled ? runCase(evidence, evidence.metrics.cancelled, 'environment: run') : undefined);
    case 'capacity': {
      const cases = evidence.criteria.map(criterionCase);
      const run = runCase(evidence, evidence.metrics.cancelled, 'capacity search completed');
      if (run) cases.unshift(run);
      return cases;
    }
  }
}

function criterionCase(c: CriterionResult): TestCase {
  const message = `${c.expression}: actual ${num(c.actual)}, threshold ${num(c.threshold)}`;
  return c.failed ? { name: c.expression, timeSeconds: 0, failure: { message, body: c.explanation } } : { name: c.expression, timeSeconds: 0, output: c.explanation };
}

/**
 * A run that errored or was cancelled gets its own case, so the Tests tab never shows a clean pass for a run
 * that did not finish; a run with no criteria still gets one case saying it ran.
 */
function runCase(evidence: Evidence, cancelled: boolean, name: string): TestCase | undefined {
  const seconds = Math.max(0, runDurationMs(evidence) / 1000);
  if (evidence.verdict === 'error') return { name, timeSeconds: seconds, error: { message: evidence.summary || 'The run did not complete.', body: evidence.summary } };
  if (cancelled) return { name, timeSeconds: seconds, error: { message: 'Cancelled before the run finished.', body: evidence.summary } };
  if (!evidence.criteria.length) {
    return evidence.verdict === 'failed'
      ? { name, timeSeconds: seconds, failure: { message: evidence.summary, body: evidence.summary } }
      : { name, timeSeconds: seconds, output: evidence.summary };
  }
  return undefined;
}

function loadTestCases(evidence: LoadTestEvidence): TestCase[] {
  const cases = evidence.criteria.map(criterionCase);
  // One case per compared figure, so a regression shows in the Tests tab by request and figure.
  const report = evidence.metrics.regression;
  if (report && !report.rows.length) cases.push({ name: 'baseline comparison', timeSeconds: 0, output: report.summary });
  for (const r of report?.rows ?? []) {
    const name = `baseline: ${r.request} ${r.metric}`;
    const message = `${r.request} ${r.metric} ${r.verdict}: ${r.note}`;
    cases.push(r.verdict === 'regressed' ? { name, timeSeconds: 0, failure: { message, body: message } } : { name, timeSeconds: 0, output: message });
  }
  const run = runCase(evidence, evidence.metrics.cancelled, 'load test run completed');
  if (run) cases.unshift(run);
  return cases;
}

function drillCases(evidence: DrillEvidence): TestCase[] {
  const m = evidence.metrics;
  const cases: TestCase[] = [];
  const run = runCase(evidence, m.cancelled, 'drill completed');
  if (run?.error) cases.push(run);
  const target = (name: string, actual: number | null, limit: number, unit = ' s'): TestCase => {
    const message = `${name}: measured ${num(actual, unit)}, target ${num(limit, unit)}`;
    if (actual === null) return { name, timeSeconds: 0, failure: { message, body: `${name} could not be measured, so the target counts as missed.` } };
    if (actual > limit) return { name, timeSeconds: 0, failure: { message, body: `${name} of ${num(actual, unit)} is over the target of ${num(limit, unit)}.` } };
    return { name, timeSeconds: 0, output: message };
  };
  if (m.mode === 'recreation' || m.mode === 'rollback') cases.push(...drillObjectives(m).map((o) => target(o.name, o.actual, o.target, o.unit)));
  else cases.push(target('RTO', m.rtoSeconds, m.targets.rtoSeconds), target('RPO', m.rpoSeconds, m.targets.rpoSeconds));
  for (const p of m.probes) {
    const name = `probe: ${p.name}`;
    const seconds = p.durationMs / 1000;
    if (p.status === 'passed') cases.push({ name, timeSeconds: seconds, output: p.detail });
    else cases.push({ name, timeSeconds: seconds, failure: { message: `${p.type} probe ${p.status}: ${p.detail}`, body: p.detail } });
  }
  cases.push(...evidence.criteria.map(criterionCase));
  return cases;
}

function docsCases(evidence: DocsEvidence): TestCase[] {
  const m = evidence.metrics;
  const files = [...new Set([...m.filesChecked, ...m.findings.map((f) => f.file)])];
  const cases: TestCase[] = files.map((file) => {
    const findings = m.findings.filter((f) => f.file === file);
    const describe = (severity: string) =>
      findings
        .filter((f) => f.severity === severity)
        .map((f) => `${f.line ? `${f.file}:${f.line}` : f.file} [${f.rule}] ${f.message}`)
        .join('\n');
    const errors = describe('error');
    const warnings = describe('warning');
    const name = `doc: ${file}`;
    const output = warnings ? `warnings:\n${warnings}` : undefined;
    if (errors) {
      const count = findings.filter((f) => f.severity === 'error').length;
      return { name, timeSeconds: 0, failure: { message: `${count} problem(s) in ${file}`, body: errors }, output };
    }
    return { name, timeSeconds: 0, output };
  });
  cases.push(...evidence.criteria.map(criterionCase));
  const run = runCase(evidence, false, 'documentation check completed');
  if (run && (run.error || !cases.length)) cases.unshift(run);
  return cases;
}

function gateCases(evidence: GateEvidence): TestCase[] {
  const cases: TestCase[] = evidence.metrics.checks.map((c) => {
    const name = `check: ${c.title || c.id}`;
    if (c.state === 'passed') return { name, timeSeconds: 0, output: c.reason };
    if (c.state === 'waived') return { name, timeSeconds: 0, skipped: `waived: ${c.reason}` };
    return { name, timeSeconds: 0, failure: { message: `${c.state}: ${c.reason}`, body: c.reason } };
  });
  cases.push(...evidence.criteria.map(criterionCase));
  const run = runCase(evidence, false, 'gate evaluated');
  if (run && (run.error || !cases.length)) cases.unshift(run);
  return cases;
}
