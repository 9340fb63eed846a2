/**
 * Small formatting helpers shared by the reporters. Reporters are pure functions from evidence to string
 * (autocannon's habit): the CLI, the tasks and the tests call the same code.
 */
import type { Evidence, Verdict } from '../types';

/** Up to 2 decimals, no trailing zeros; null reads as "not measured". */
export function num(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'not measured';
  return `${Math.round(value * 100) / 100}${unit}`;
}

/** Milliseconds as a person reads them: 850 ms, 12.3 s, 4 min 05 s. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(Math.round(seconds - minutes * 60)).padStart(2, '0')} s`;
}

export function runDurationMs(evidence: Pick<Evidence, 'startedAt' | 'finishedAt'>): number {
  return Date.parse(evidence.finishedAt) - Date.parse(evidence.startedAt);
}

export const KIND_TITLES: Readonly<Record<Evidence['kind'], string>> = Object.freeze({
  loadtest: 'Load test',
  drill: 'DR drill',
  docs: 'Documentation check',
  gate: 'Readiness gate',
  environment: 'Environment check',
  capacity: 'Capacity search',
});

export const VERDICT_WORDS: Readonly<Record<Verdict, string>> = Object.freeze({ passed: 'Passed', failed: 'Failed', error: 'Error' });

/** The verdict as shown, taking cancellation into account: a cancelled run is never shown as a plain pass. */
export function verdictLabel(evidence: Evidence): string {
  const cancelled = (evidence.kind === 'loadtest' || evidence.kind === 'drill' || evidence.kind === 'environment' || evidence.kind === 'capacity') && evidence.metrics.cancelled;
  return cancelled ? `${VERDICT_WORDS[evidence.verdict]} (cancelled)` : VERDICT_WORDS[evidence.verdict];
}

/** Characters XML 1.0 forbids even when escaped (control characters other than tab, newline, return). */
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text for XML or HTML content and attribute values (double- or single-quoted). */
export function escapeXml(value: unknown): string {
  return String(value ?? '')
    .replace(XML_FORBIDDEN, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Escapes text for one GitHub-flavoured markdown table cell or inline text: no pipes, no HTML, one line. */
export function escapeMarkdown(value: unknown): string {
  return String(value ?? '')
    .replace(/\r?\n/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([*_`[\]])/g, '\\$1');
}

/**
 * A markdown link to an http(s) address, with the characters that would end the link or a table cell
 * percent-encoded. Anything else (a javascript: address, a path) is shown as plain text.
 */
export function markdownLink(text: string, url: string): string {
  if (!/^https?:\/\//i.test(url)) return escapeMarkdown(url ? `${text} (${url})` : text);
  const safe = url.replace(/[\s()<>|\\`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `[${escapeMarkdown(text)}](${safe})`;
}

/**
 * The local engine's watch on itself, in one line: how busy and how late the generator was, and how short of CPU
 * the machine was. A reader judging the latencies needs it; undefined when the run did not record it (Azure).
 */
export function generatorLine(g: { cpuPercent: number; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number; cpuPressurePercent?: number } | undefined): string | undefined {
  if (!g) return undefined;
  const pressure = g.cpuPressurePercent !== undefined ? `; the machine was short of CPU ${num(g.cpuPressurePercent, '%')} of the time` : '';
  return `CPU ${num(g.cpuPercent, '%')} of a core; event loop late by ${num(g.eventLoopDelayP99Ms)} ms at p99, ${num(g.eventLoopDelayMaxMs)} ms at worst${pressure}`;
}
