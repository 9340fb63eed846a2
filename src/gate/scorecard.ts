import type { CheckState, GateEvidence } from '../evidence/types';

/**
 * Reporters are pure functions from the gate evidence to text, so the CLI, the task summary and the tests all
 * print the same thing.
 */
const STATUS_WORD = { ready: 'READY', 'not-ready': 'NOT READY', warn: 'NOT READY (warning only)' } as const;
const STATE_WORD: Record<CheckState, string> = { passed: 'PASSED', failed: 'FAILED', waived: 'WAIVED', missing: 'MISSING', stale: 'STALE' };
const STATE_ICON: Record<CheckState, string> = { passed: '✅', failed: '❌', waived: '⚠️', missing: '❔', stale: '⌛' };

export function scorecardText(gate: GateEvidence): string {
  const m = gate.metrics;
  const lines = [
    `${gate.service} -> ${gate.environment}: ${STATUS_WORD[m.status]}`,
    `  level reached: ${m.level ?? 'none'}; required: ${m.requiredLevel ?? 'none'}; enforcement: ${m.enforcement}${m.version ? `; version: ${m.version}` : ''}`,
    `  evaluated at ${m.evaluatedAt}`,
    '',
  ];
  const idWidth = Math.max(...m.checks.map((c) => c.id.length), 5);
  for (const c of m.checks) {
    lines.push(`  ${STATE_WORD[c.state].padEnd(7)}  ${c.id.padEnd(idWidth)}  ${c.title}`);
    lines.push(`  ${' '.repeat(7)}  ${' '.repeat(idWidth)}  ${c.reason}`);
  }
  lines.push('', gate.summary, '');
  return lines.join('\n');
}

export function scorecardMarkdown(gate: GateEvidence): string {
  const m = gate.metrics;
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `### Readiness: ${gate.service} → ${gate.environment}: **${STATUS_WORD[m.status]}**`,
    '',
    `Level reached **${m.level ?? 'none'}**, required **${m.requiredLevel ?? 'none'}** (enforcement \`${m.enforcement}\`).`,
    '',
    '| State | Check | Owner | Why |',
    '|---|---|---|---|',
    ...m.checks.map((c) => `| ${STATE_ICON[c.state]} ${c.state} | ${cell(c.title)} (\`${c.id}\`) | ${cell(c.owner ?? '')} | ${cell(c.reason)} |`),
    '',
    gate.summary,
    '',
  ].join('\n');
}
