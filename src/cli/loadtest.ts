import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeFailures } from '../criteria';
import { ConfigError, ExitCode } from '../errors';
import { readEvidenceDir } from '../evidence/files';
import type { Evidence } from '../evidence/types';
import { formatComparison } from '../regression/table';
import * as os from 'node:os';
import { envFlags, writeEvidenceAndReports } from './evidenceOutput';
import { runLoadTest, type LoadTestOptions, type Progress } from '../load/runLoadTest';
import { commandArgs } from './commandArgs';
import type { CliIO } from './io';
import { readSecretArgs, SECRET_USAGE } from './secretArgs';

export const loadtestUsage = `Usage: readiness loadtest --config FILE [--out DIR] [--duration S] [--vus N] [--env NAME=VALUE ...] [--secret NAME=env:VAR ...] [--secret-file NAME=PATH ...]

Runs an Azure Load Testing URL test (testType: URL) on the embedded engine and judges its failureCriteria.
  --config FILE    Azure Load Testing test configuration YAML (required).
  --out DIR        Folder for the evidence JSON, JUnit XML, markdown summary and HTML report.
                   Default: ./loadtest-results
  --duration S     Duration in seconds; replaces durationInSeconds of every testSetup entry.
  --vus N          Virtual users per engine; replaces virtualUsersPerEngine of every closed-model entry.
  --env NAME=VALUE Sets or overrides a YAML env value (repeatable), e.g. --env baseUrl=http://127.0.0.1:3000
                   Not for secrets: use --secret, which fills \${NAME} the same way (a YAML secrets entry too).
${SECRET_USAGE}
  --baseline DIR   Folder of earlier evidence (repeatable). The newest passing runs of this test with the same
                   plan and load shape form the baseline; the run is compared with it figure by figure and
                   fails when a figure regressed. See docs/regression.md.
  --window N       How many earlier passing runs make the baseline. Default 5.
  --pin RUN        Evidence id (or pipeline run id) of the run the baseline window ends at.
  --pool NAME      The agent pool or machine class this run used; only runs on the same pool compare.

Progress goes to stderr every 5 s. The evidence file's path is printed on stdout.
Exit codes: 0 passed, 1 a criterion failed, the run stopped early or regressed against the baseline, 2 bad input,
3 target unreachable or cancelled.`;

/** `readiness loadtest`: the same engine and files as the ReadinessLoadTest task. */
export async function loadtestCommand(args: string[], io: CliIO): Promise<number> {
  const values = commandArgs('loadtest', loadtestUsage, args, { config: { type: 'string' }, out: { type: 'string' }, duration: { type: 'string' }, vus: { type: 'string' }, env: { type: 'string', multiple: true },
    secret: { type: 'string', multiple: true }, 'secret-file': { type: 'string', multiple: true },
    baseline: { type: 'string', multiple: true }, window: { type: 'string' }, pin: { type: 'string' }, pool: { type: 'string' } }, io);
  if (typeof values === 'number') return values;
  const secrets = readSecretArgs(values.secret, values['secret-file'], io.env, io.cwd);
  if (!values.config) throw new ConfigError('--config: required; give the path of the load test configuration YAML');
  const overrides = { durationSeconds: number('--duration', values.duration), virtualUsers: number('--vus', values.vus) };
  const env = envFlags(values.env);
  const configFile = path.resolve(io.cwd, values.config);
  const outDir = path.resolve(io.cwd, values.out ?? 'loadtest-results');
  const baseline = await readBaseline(values, io);
  const evidence = await runLoadTest({
    configFile, overrides, env, secrets, signal: io.signal, baseline,
    platform: `${os.platform()}/${os.arch()}`, ...(values.pool ? { pool: values.pool } : {}),
    onProgress: (p: Progress) => io.stderr(`${p.elapsedSeconds}s: ${p.requests} requests, ${p.rps} rps, p95 ${p.p95Ms} ms, ${p.errors} errors, ${p.activeUsers} users\n`),
  });
  const evidenceFile = await writeEvidenceAndReports(outDir, evidence);
  if (evidence.metrics.regression) io.stderr(formatComparison(evidence.metrics.regression));
  io.stderr(`${evidence.summary}\n`);
  const failures = describeFailures(evidence.criteria);
  if (failures) io.stderr(`Failed criteria:\n${failures.replace(/^/gm, '  ')}\n`);
  io.stderr(`Results: ${path.relative(io.cwd, evidenceFile) || evidenceFile} (+ .junit.xml, .md, .html)\n`);
  io.stdout(`${evidenceFile}\n`);
  return evidence.verdict === 'passed' ? ExitCode.passed : evidence.verdict === 'failed' ? ExitCode.checkFailed : ExitCode.infrastructure;
}

/** The earlier evidence of every `--baseline` folder; a folder that does not exist is a typo, not an empty history. */
async function readBaseline(values: { baseline?: string[]; window?: string; pin?: string }, io: CliIO): Promise<LoadTestOptions['baseline']> {
  if (!values.baseline?.length) {
    if (values.window !== undefined || values.pin !== undefined) throw new ConfigError('--window and --pin need --baseline DIR, the folder of earlier evidence');
    return undefined;
  }
  const window = values.window === undefined ? undefined : Number(values.window);
  if (window !== undefined && !(Number.isInteger(window) && window >= 2)) {
    throw new ConfigError(`--window: must be a whole number of at least 2 (the spread between runs needs two), found "${values.window}"`);
  }
  const evidence: Evidence[] = [];
  for (const dir of values.baseline) {
    const folder = path.resolve(io.cwd, dir);
    const stat = await fs.stat(folder).catch(() => undefined);
    if (!stat?.isDirectory()) throw new ConfigError(`--baseline ${dir}: no such folder; give the folder holding earlier loadtest-*.json evidence (the --out folder of earlier runs)`);
    const contents = await readEvidenceDir(folder);
    for (const bad of contents.invalid) io.stderr(`Baseline: ${bad.file} is not valid evidence and was left out: ${bad.errors[0]}\n`);
    evidence.push(...contents.valid);
  }
  return { evidence, ...(window !== undefined ? { window } : {}), ...(values.pin !== undefined ? { pin: values.pin } : {}) };
}

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (flag === '--vus' && !Number.isInteger(value))) {
    throw new ConfigError(`${flag}: must be a ${flag === '--vus' ? 'whole number' : 'number of seconds'} above 0, found "${text}"`);
  }
  return value;
}
