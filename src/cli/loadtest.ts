import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { describeFailures } from '../criteria';
import { ConfigError, ExitCode } from '../errors';
import { envFlags, writeEvidenceAndReports } from './evidenceOutput';
import { runLoadTest, type Progress } from '../load/runLoadTest';
import type { CliIO } from './io';

export const loadtestUsage = `Usage: readiness loadtest --config FILE [--out DIR] [--duration S] [--vus N] [--env NAME=VALUE ...]

Runs an Azure Load Testing URL test (testType: URL) on the embedded engine and judges its failureCriteria.
  --config FILE    Azure Load Testing test configuration YAML (required).
  --out DIR        Folder for the evidence JSON, JUnit XML, markdown summary and HTML report.
                   Default: ./loadtest-results
  --duration S     Duration in seconds; replaces durationInSeconds of every testSetup entry.
  --vus N          Virtual users per engine; replaces virtualUsersPerEngine of every closed-model entry.
  --env NAME=VALUE Sets or overrides a YAML env value (repeatable), e.g. --env baseUrl=http://127.0.0.1:3000

Progress goes to stderr every 5 s. The evidence file's path is printed on stdout.
Exit codes: 0 passed, 1 a criterion failed or the run stopped early, 2 bad input, 3 target unreachable or cancelled.`;

/** `readiness loadtest`: the same engine and files as the ReadinessLoadTest task. */
export async function loadtestCommand(args: string[], io: CliIO): Promise<number> {
  let values: { config?: string; out?: string; duration?: string; vus?: string; env?: string[]; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: { config: { type: 'string' }, out: { type: 'string' }, duration: { type: 'string' }, vus: { type: 'string' }, env: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr(`readiness loadtest: ${(error as Error).message}\n\n${loadtestUsage}\n`);
    return ExitCode.badInput;
  }
  if (values.help) {
    io.stdout(`${loadtestUsage}\n`);
    return ExitCode.passed;
  }
  if (!values.config) throw new ConfigError('--config: required; give the path of the load test configuration YAML');
  const overrides = { durationSeconds: number('--duration', values.duration), virtualUsers: number('--vus', values.vus) };
  const env = envFlags(values.env);
  const configFile = path.resolve(io.cwd, values.config);
  const outDir = path.resolve(io.cwd, values.out ?? 'loadtest-results');
  const evidence = await runLoadTest({
    configFile, overrides, env, signal: io.signal,
    onProgress: (p: Progress) => io.stderr(`${p.elapsedSeconds}s: ${p.requests} requests, ${p.rps} rps, p95 ${p.p95Ms} ms, ${p.errors} errors, ${p.activeUsers} users\n`),
  });
  const evidenceFile = await writeEvidenceAndReports(outDir, evidence);
  io.stderr(`${evidence.summary}\n`);
  const failures = describeFailures(evidence.criteria);
  if (failures) io.stderr(`Failed criteria:\n${failures.replace(/^/gm, '  ')}\n`);
  io.stderr(`Results: ${path.relative(io.cwd, evidenceFile) || evidenceFile} (+ .junit.xml, .md, .html)\n`);
  io.stdout(`${evidenceFile}\n`);
  return evidence.verdict === 'passed' ? ExitCode.passed : evidence.verdict === 'failed' ? ExitCode.checkFailed : ExitCode.infrastructure;
}

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (flag === '--vus' && !Number.isInteger(value))) {
    throw new ConfigError(`${flag}: must be a ${flag === '--vus' ? 'whole number' : 'number of seconds'} above 0, found "${text}"`);
  }
  return value;
}
