import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runEnvironmentChecks } from '../environment/run';
import { ConfigError, ExitCode } from '../errors';
import { runInfoFromEnv } from '../evidence/files';
import { renderHtml } from '../evidence/render';
import { exitCodeOf, writeResults } from './drill';
import { commandArgs } from './commandArgs';
import type { CliIO } from './io';

export const verifyUsage = `Usage: readiness verify --config FILE [--out DIR] [--check NAME]... [--service NAME] [--environment NAME]

Runs the production-environment checks an environment file declares (TLS, security headers, DNS, health,
monitoring, drift, post-deploy watch) and writes an environment evidence document. See docs/environment.md.
  --config FILE       The environment file (environment.yaml), required.
  --out DIR           Folder for the evidence JSON, JUnit XML, markdown summary and HTML report. Default: ./environment-results
  --check NAME        Run only this check (repeatable); default: every check in the file.
  --service NAME      Service name for the evidence; default: the file's service.
  --environment NAME  Environment for the evidence; default: the file's environment.

Monitoring checks and query-based watches read Azure Resource Manager through a service connection, so they run
in the ReadinessEnvironmentCheck task; here they end unknown, which fails the run.
Progress goes to stderr. The evidence file's path is printed on stdout.
Exit codes: 0 every check passed, 1 a check failed or was unknown, 2 bad environment file or arguments,
3 infrastructure error or cancelled.`;

/** \`readiness verify\`: the same engine and files as the ReadinessEnvironmentCheck task. */
export async function verifyCommand(args: string[], io: CliIO): Promise<number> {
  const values = commandArgs('verify', verifyUsage, args, {
    config: { type: 'string' },
    out: { type: 'string' },
    check: { type: 'string', multiple: true },
    service: { type: 'string' },
    environment: { type: 'string' },
  }, io);
  if (typeof values === 'number') return values;
  if (!values.config) throw new ConfigError('--config: required; give the path of the environment file (environment.yaml)');
  const evidence = await runEnvironmentChecks({
    configFile: path.resolve(io.cwd, values.config),
    service: values.service,
    environment: values.environment,
    only: values.check,
    run: runInfoFromEnv(io.env),
    signal: io.signal,
    env: io.env,
    onProgress: (message) => io.stderr(`  ${message}\n`),
  });
  // The drill command's files (evidence, JUnit, markdown), plus the HTML report that shows the certificate chain.
  const evidenceFile = await writeResults(path.resolve(io.cwd, values.out ?? 'environment-results'), evidence);
  await fs.writeFile(evidenceFile.replace(/\.json$/, '.html'), renderHtml(evidence));
  io.stderr(`${evidence.summary}\n`);
  io.stderr(`Results: ${path.relative(io.cwd, evidenceFile) || evidenceFile} (+ .junit.xml, .md, .html)\n`);
  io.stdout(`${evidenceFile}\n`);
  return exitCodeOf(evidence);
}
