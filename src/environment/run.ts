import { CancelledError, ConfigError } from '../errors';
import { hint } from '../config/suggest';
import type { AzureAccess } from '../dr/providers/azureArm';
import { Redactor } from '../dr/redact';
import { newEvidenceId } from '../evidence/files';
import { EVIDENCE_SCHEMA_VERSION, type EnvironmentCheckResult, type EnvironmentEvidence, type RunInfo } from '../evidence/types';
import { runDnsCheck } from './checks/dns';
import { runDriftCheck } from './checks/drift';
import { runHeadersCheck } from './checks/headers';
import { runHealthCheck } from './checks/health';
import { runMonitoringCheck } from './checks/monitoring';
import { runTlsCheck } from './checks/tls';
import { runWatch } from './checks/watch';
import { loadEnvironmentConfig, type CheckSpec, type EnvironmentConfig } from './config';
import { checkResult, type CheckContext } from './result';

export interface EnvironmentRunOptions {
  configFile: string;
  /** Overrides of the file's service and environment (task inputs, CLI flags). */
  service?: string;
  environment?: string;
  /** Only these check names (default: all). */
  only?: string[];
  run: RunInfo;
  signal: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Resource Manager access for the monitoring check and query-based watches. */
  azure?: AzureAccess;
  onProgress?: (message: string) => void;
}

/**
 * Runs the checks an environment file declares, one after another in file order (a watch usually comes last, after
 * the point-in-time checks), and returns the evidence document. Each check ends passed, failed or unknown; the
 * verdict is passed only when every check passed, because an unknown is not evidence of anything.
 */
export async function runEnvironmentChecks(options: EnvironmentRunOptions): Promise<EnvironmentEvidence> {
  const config = loadEnvironmentConfig(options.configFile, options.env ?? process.env);
  const startedAt = new Date();
  const redactor = new Redactor();
  for (const secret of config.secrets) redactor.addSecret(secret);
  const progress = (message: string) => options.onProgress?.(redactor.redact(message));
  const ctx: CheckContext = { signal: options.signal, progress };
  const selected = selectChecks(config, options.only);
  const results: EnvironmentCheckResult[] = [];
  let cancelled = false;
  for (const spec of selected) {
    if (options.signal.aborted) {
      cancelled = true;
      break;
    }
    progress(`${spec.type} ${spec.name}: running`);
    try {
      const result = await runOne(spec, ctx, options.azure);
      results.push(result);
      progress(`${spec.type} ${spec.name}: ${result.status}: ${result.detail}`);
    } catch (error) {
      if (error instanceof CancelledError || options.signal.aborted) {
        cancelled = true;
        results.push(checkResult(spec, 'unknown', 'Cancelled before the check finished.', performance.now()));
        break;
      }
      throw error;
    }
  }
  const bad = results.filter((r) => r.status !== 'passed');
  const verdict = cancelled ? 'error' : bad.length ? 'failed' : 'passed';
  const summary = cancelled
    ? `Cancelled after ${results.length} of ${selected.length} checks.`
    : bad.length
      ? `${bad.length} of ${results.length} environment checks did not pass: ${bad.map((r) => `${r.name} (${r.status})`).join(', ')}.`
      : `All ${results.length} environment checks passed.`;
  // Nothing a check found is trusted to be free of the request headers' secrets: mask on the way out.
  const masked = JSON.parse(redactor.redact(JSON.stringify(results))) as EnvironmentCheckResult[];
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    id: newEvidenceId(),
    kind: 'environment',
    service: options.service ?? config.service,
    environment: options.environment ?? config.environment,
    run: options.run,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    verdict,
    summary: redactor.redact(summary),
    criteria: [],
    metrics: { configFile: config.file, checks: masked, cancelled },
    links: [],
  };
}

function selectChecks(config: EnvironmentConfig, only: string[] | undefined): CheckSpec[] {
  if (!only?.length) return config.checks;
  const names = config.checks.map((c) => c.name);
  const unknown = only.filter((name) => !names.includes(name));
  if (unknown.length) {
    throw new ConfigError(`${config.file}: no check named ${unknown.map((n) => `"${n}"${hint(n, names)}`).join(', ')}; the file has ${names.join(', ')}`);
  }
  return config.checks.filter((c) => only.includes(c.name));
}

function runOne(spec: CheckSpec, ctx: CheckContext, azure: AzureAccess | undefined): Promise<EnvironmentCheckResult> {
  switch (spec.type) {
    case 'tls':
      return runTlsCheck(spec, ctx);
    case 'headers':
      return runHeadersCheck(spec, ctx);
    case 'dns':
      return runDnsCheck(spec, ctx);
    case 'health':
      return runHealthCheck(spec, ctx);
    case 'monitoring':
      return runMonitoringCheck(spec, ctx, azure);
    case 'drift':
      return runDriftCheck(spec, ctx);
    case 'watch':
      return runWatch(spec, ctx, azure);
  }
}
