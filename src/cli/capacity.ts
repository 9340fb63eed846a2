import * as path from 'node:path';
import { runCapacitySearch } from '../capacity/runCapacity';
import { formatNumber } from '../criteria';
import { ConfigError, ExitCode } from '../errors';
import { envFlags, writeEvidenceAndReports } from './evidenceOutput';
import { commandArgs } from './commandArgs';
import type { CliIO } from './io';

export const capacityUsage = `Usage: readiness capacity --config FILE [--out DIR] [--env NAME=VALUE ...]

Searches for the highest request rate the service sustains within its service level (open model): ramps the rate
in steps until a probe breaks, bisects between the last good and the first bad rate, and confirms with a final hold.
The search's settings are the capacity: block of the YAML (see docs/capacity.md).
  --config FILE    Azure Load Testing test configuration YAML with a URL test (required).
  --out DIR        Folder for the evidence JSON, JUnit XML, markdown summary and HTML report.
                   Default: ./capacity-results
  --env NAME=VALUE Sets or overrides a YAML env value (repeatable), e.g. --env baseUrl=http://127.0.0.1:3000

Each probe is printed on stderr as it ends; the evidence file's path is printed on stdout. Ctrl+C stops the search
and still writes what it learned.
Exit codes: 0 a rate was found (and meets capacity.minimumRps / headroom x expectedPeakRps when set),
1 the service cannot hold the required rate, 2 bad input, 3 target unreachable, generator-bound, cancelled or
stopped by a budget before it could tell.`;

/** `readiness capacity`: the same search and files as the ReadinessLoadTest task's `mode: capacity`. */
export async function capacityCommand(args: string[], io: CliIO): Promise<number> {
  const values = commandArgs('capacity', capacityUsage, args, { config: { type: 'string' }, out: { type: 'string' }, env: { type: 'string', multiple: true } }, io);
  if (typeof values === 'number') return values;
  if (!values.config) throw new ConfigError('--config: required; give the path of the load test configuration YAML');
  const env = envFlags(values.env);
  const outDir = path.resolve(io.cwd, values.out ?? 'capacity-results');
  const evidence = await runCapacitySearch({
    configFile: path.resolve(io.cwd, values.config), env, signal: io.signal,
    onStep: ({ step: s, elapsedSeconds }) => io.stderr(
      `${Math.round(elapsedSeconds)}s ${s.phase} ${formatNumber(s.offeredRps)} rps: achieved ${formatNumber(s.achievedRps)}, p95 ${formatNumber(s.latencyMs.p95)} ms, ` +
        `${formatNumber(s.errorPercentage)}% errors, generator CPU ${formatNumber(s.generator?.cpuPercent ?? 0)}%: ${s.good ? 'held' : `broke (${s.signals.map((g) => g.kind).join(', ')})`}\n`,
    ),
  });
  const evidenceFile = await writeEvidenceAndReports(outDir, evidence);
  io.stderr(`${evidence.summary}\n`);
  io.stderr(`Results: ${path.relative(io.cwd, evidenceFile) || evidenceFile} (+ .junit.xml, .md, .html)\n`);
  io.stdout(`${evidenceFile}\n`);
  return evidence.verdict === 'passed' ? ExitCode.passed : evidence.verdict === 'failed' ? ExitCode.checkFailed : ExitCode.infrastructure;
}
