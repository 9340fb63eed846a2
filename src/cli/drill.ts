import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkBackupFreshness } from '../dr/freshness';
import { runDrill } from '../dr/runner';
import { ConfigError, ExitCode } from '../errors';
import { runInfoFromEnv, writeEvidenceFile } from '../evidence/files';
import { renderJUnit, renderMarkdown } from '../evidence/render';
import type { DrillEvidence, Evidence } from '../evidence/types';
import { commandArgs } from './commandArgs';
import type { CliIO } from './io';
import { readSecretArgs, SECRET_USAGE } from './secretArgs';

export const drillUsage = `Usage: readiness drill --config FILE [--out DIR] [--freshness-only] [--service NAME] [--environment NAME] [--secret NAME=env:VAR ...] [--secret-file NAME=PATH ...]

Restores a backup into a scratch target, probes it, measures RTO and RPO against the drill file's targets,
and always cleans up. See docs/drills.md for the drill file.
  --config FILE       The drill file (drill.yaml), required.
  --out DIR           Folder for the evidence JSON, JUnit XML and markdown summary. Default: ./drill-results
  --freshness-only    Only check the age of the newest backup against the RPO target; restore nothing.
  --service NAME      Service name for the evidence; default: the drill file's service.
  --environment NAME  Environment for the evidence; default: the drill file's environment, else "local".
  Secrets: \${NAME} in the drill file reads them, whatever NAME is called; commands get them in their environment.
${SECRET_USAGE}

Progress goes to stderr. The evidence file's path is printed on stdout.
Exit codes: 0 passed, 1 the drill failed (a probe, RTO, RPO, a bad or missing backup, cleanup),
2 bad drill file or arguments, 3 infrastructure error (server unreachable, tool missing) or cancelled.`;

/** `readiness drill`: the same engine and files as the ReadinessDrDrill task. */
export async function drillCommand(args: string[], io: CliIO): Promise<number> {
  const values = commandArgs('drill', drillUsage, args, {
    config: { type: 'string' },
    out: { type: 'string' },
    'freshness-only': { type: 'boolean' },
    service: { type: 'string' },
    environment: { type: 'string' },
    secret: { type: 'string', multiple: true },
    'secret-file': { type: 'string', multiple: true },
  }, io);
  if (typeof values === 'number') return values;
  const secrets = readSecretArgs(values.secret, values['secret-file'], io.env, io.cwd);
  if (!values.config) throw new ConfigError('--config: required; give the path of the drill file (drill.yaml)');
  const options = {
    configFile: path.resolve(io.cwd, values.config),
    service: values.service,
    environment: values.environment,
    run: runInfoFromEnv(io.env),
    signal: io.signal,
    env: { ...io.env, ...secrets },
    onProgress: (message: string, percent?: number) => io.stderr(`${percent === undefined ? '  ' : `[${String(percent).padStart(3)}%] `}${message}\n`),
  };
  const evidence = values['freshness-only'] ? await checkBackupFreshness(options) : await runDrill(options);
  const evidenceFile = await writeResults(path.resolve(io.cwd, values.out ?? 'drill-results'), evidence);
  io.stderr(`${evidence.summary}\n`);
  io.stderr(`Results: ${path.relative(io.cwd, evidenceFile) || evidenceFile} (+ .junit.xml, .md)\n`);
  io.stdout(`${evidenceFile}\n`);
  return exitCodeOf(evidence);
}

/** Evidence JSON plus its JUnit and markdown renderings, side by side; returns the JSON's path. */
export async function writeResults(dir: string, evidence: Evidence): Promise<string> {
  const evidenceFile = await writeEvidenceFile(dir, evidence);
  const base = evidenceFile.replace(/\.json$/, '');
  await fs.writeFile(`${base}.junit.xml`, renderJUnit(evidence));
  await fs.writeFile(`${base}.md`, renderMarkdown(evidence));
  return evidenceFile;
}

export function exitCodeOf(evidence: Evidence): number {
  return evidence.verdict === 'passed' ? ExitCode.passed : evidence.verdict === 'failed' ? ExitCode.checkFailed : ExitCode.infrastructure;
}
