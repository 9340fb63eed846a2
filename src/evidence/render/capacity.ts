/**
 * The capacity search in each report: markdown (the run summary), HTML (with the curve as SVG) and JUnit cases.
 * Kept apart from the per-kind switch of each reporter so that kind stays in one place.
 */
import type { CapacityEvidence, CapacityMetrics, CapacityStep } from '../types';
import { escapeMarkdown as md, escapeXml as h, num } from './format';
import { capacityCharts, kneeOf } from './capacityCurve';

const OUTCOME_WORDS: Record<CapacityMetrics['outcome'], string> = {
  found: 'knee found',
  'generator-bound': 'generator-bound (not a service capacity)',
  'not-reached': 'no limit up to the highest rate tried',
  'no-sustainable-rate': 'even the first rate broke',
  incomplete: 'incomplete',
};

export function capacityFacts(m: CapacityMetrics): Array<[string, string]> {
  return [
    ['Outcome', OUTCOME_WORDS[m.outcome]],
    ['Sustainable rate', m.sustainableRps !== null ? `${num(m.sustainableRps)} requests/s` : 'not stated'],
    ['Knee between', m.interval ? `${num(m.interval.lowRps)} and ${num(m.interval.highRps)} requests/s` : 'not bracketed'],
    ['Highest rate held', `${num(m.provenRps)} requests/s`],
    ['Limited by', m.bound ?? 'nothing found'],
    ['First to break', m.firstBreak ? `${signalName(m.firstBreak)} at ${num(m.firstBreak.offeredRps)} requests/s: ${m.firstBreak.detail}` : 'nothing'],
    ['Service level', m.serviceLevel.join('; ')],
    ['Stopped', m.stoppedBy ? `${m.stoppedBy.detail} (${m.stoppedBy.reason})` : ''],
    ['Search', `${m.steps.length} probes, ${m.requests} requests, ${num(m.durationSeconds)} s`],
  ];
}

function signalName(s: { kind: string; bound?: string }): string {
  const names: Record<string, string> = { slo: 'service level', plateau: 'throughput plateau', users: 'no free virtual user', generator: 'generator saturated' };
  return `${names[s.kind] ?? s.kind}${s.bound ? ` (${s.bound})` : ''}`;
}

/** Azure's metrics have no median and its engines report no CPU: its steps show the mean and the virtual users. */
function curveHeader(m: CapacityMetrics): string[] {
  return m.engine === 'azure'
    ? ['Phase', 'Offered rps', 'Achieved rps', 'mean ms', 'p95 ms', 'p99 ms', 'Errors', 'Virtual users', 'Result']
    : ['Phase', 'Offered rps', 'Achieved rps', 'p50 ms', 'p95 ms', 'p99 ms', 'Errors', 'Generator CPU', 'Result'];
}
function curveRow(s: CapacityStep): string[] {
  return [s.phase, num(s.offeredRps), num(s.achievedRps), num(s.latencyMs.p50), num(s.latencyMs.p95), num(s.latencyMs.p99),
    `${s.errors} (${num(s.errorPercentage, '%')})`, s.generator ? num(s.generator.cpuPercent, '%') : s.virtualUsers ? num(s.virtualUsers.measured) : '-', s.good ? 'held' : s.signals.length ? `broke: ${s.signals.map(signalName).join(', ')}` : 'cut short (cancelled)'];
}

/** Markdown cannot hold SVG in a run summary, so the curve is drawn with bars: achieved rate, knee marked. */
export function capacityMarkdown(evidence: CapacityEvidence, lines: string[]): void {
  const m = evidence.metrics;
  if (m.outcome === 'generator-bound' && m.advice) lines.push(`> **Generator-bound.** ${md(m.advice)}`, '');
  lines.push('| | |', '| --- | --- |');
  for (const [k, v] of capacityFacts(m)) if (v) lines.push(`| ${md(k)} | ${md(v)} |`);
  lines.push('');
  lines.push('### Capacity curve', '', '```text');
  lines.push(...curveBars(m));
  lines.push('```', '');
  lines.push(`| ${curveHeader(m).join(' | ')} |`, `|${curveHeader(m).map(() => ' --- ').join('|')}|`);
  for (const s of m.steps) lines.push(`| ${curveRow(s).map(md).join(' | ')} |`);
  lines.push('');
}

/** One bar per probe, by offered rate: the bar is the achieved rate, a mark shows the knee. */
export function curveBars(m: CapacityMetrics): string[] {
  const steps = [...m.steps].sort((a, b) => a.offeredRps - b.offeredRps);
  const top = Math.max(1, ...steps.map((s) => Math.max(s.offeredRps, s.achievedRps)));
  const knee = kneeOf(m);
  const out: string[] = [];
  let marked = false;
  for (const s of steps) {
    if (knee && !marked && s.offeredRps > knee.rps) {
      out.push(`${'-'.repeat(12)} ${knee.label} ${'-'.repeat(12)}`);
      marked = true;
    }
    const bar = '#'.repeat(Math.max(1, Math.round((s.achievedRps / top) * 40)));
    out.push(`${num(s.offeredRps).padStart(8)} rps ${bar.padEnd(40)} ${num(s.achievedRps)} done, p95 ${num(s.latencyMs.p95)} ms${s.good ? '' : '  x broke'}`);
  }
  if (knee && !marked) out.push(`${'-'.repeat(12)} ${knee.label} ${'-'.repeat(12)}`);
  return out;
}

export function capacityHtml(evidence: CapacityEvidence, parts: { section: (t: string, c: string) => string; table: (hd: string[], rows: string[][], n?: number[]) => string; facts: (i: Array<[string, string]>) => string; note: (t: string) => string }): string {
  const m = evidence.metrics;
  const out: string[] = [];
  if (m.outcome === 'generator-bound' && m.advice) out.push(parts.note(`Generator-bound: ${m.advice}`));
  if (m.cancelled) out.push(parts.note('The search was cancelled; the curve shows what it learned before that.'));
  out.push(parts.facts(capacityFacts(m)));
  out.push(parts.section('Capacity curve', capacityCharts(m)));
  out.push(parts.section('Probes', parts.table(curveHeader(m), m.steps.map((s) => curveRow(s).map(h)), [1, 2, 3, 4, 5, 7])));
  return out.join('\n');
}
