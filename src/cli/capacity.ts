import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createCredential } from '../azure/credentials';
import { runCloudCapacitySearch } from '../capacity/cloudSearch';
import { runCapacitySearch } from '../capacity/runCapacity';
import type { SearchProgress } from '../capacity/search';
import type { CapacityEvidence } from '../evidence/types';
import { registerSecret } from '../redact/secretMask';
import { formatNumber } from '../criteria';
import { ConfigError, ExitCode } from '../errors';
import { envFlags, writeEvidenceAndReports } from './evidenceOutput';
import { commandArgs } from './commandArgs';
import type { CliIO } from './io';

export const capacityUsage = `Usage: readiness capacity --config FILE [--out DIR] [--env NAME=VALUE ...]
       readiness capacity --config FILE --engine azure --subscription ID --resource-group RG --load-test-resource NAME [--out DIR]

Searches for the highest request rate the service sustains within its service level (open model): ramps the rate
in steps until a probe breaks, bisects between the last good and the first bad rate, and confirms with a final hold.
The search's settings are the capacity: block of the YAML (see docs/capacity.md).
  --config FILE    Azure Load Testing test configuration YAML with a URL test (required).
  --out DIR        Folder for the evidence JSON, JUnit XML, markdown summary and HTML report.
                   Default: ./capacity-results
  --env NAME=VALUE Sets or overrides a YAML env value (repeatable), e.g. --env baseUrl=http://127.0.0.1:3000

  --engine azure   Search on Azure Load Testing instead: one run of the URL test with a stepped profile up to its
                   virtualUsersPerEngine on engineInstances engines, on a test of its own (<testId>-capacity); the
                   knee is read from the run's metrics time series (docs/capacity.md, "On Azure Load Testing").
                   Signs in as a service principal from the environment: AZURE_TENANT_ID, AZURE_CLIENT_ID and
                   AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH, a PEM with the key), as the Azure SDKs do;
                   AZURE_AUTHORITY_HOST for another cloud's sign-in.
  --subscription ID, --resource-group RG, --load-test-resource NAME
                   The Azure Load Testing resource (engine azure).
  --arm-endpoint URL  Resource Manager of another cloud (default https://management.azure.com).
  --ca-file PATH   An extra CA certificate (PEM) to trust, e.g. a TLS-inspecting proxy's (engine azure).

Each probe is printed on stderr as it ends; the evidence file's path is printed on stdout. Ctrl+C stops the search
and still writes what it learned.
Exit codes: 0 a rate was found (and meets capacity.minimumRps / headroom x expectedPeakRps when set),
1 the service cannot hold the required rate, 2 bad input, 3 target unreachable, generator-bound, cancelled or
stopped by a budget before it could tell.`;

/** `readiness capacity`: the same search and files as the ReadinessLoadTest task's `mode: capacity`. */
export async function capacityCommand(args: string[], io: CliIO): Promise<number> {
  const values = commandArgs('capacity', capacityUsage, args, {
    config: { type: 'string' }, out: { type: 'string' }, env: { type: 'string', multiple: true }, engine: { type: 'string' },
    subscription: { type: 'string' }, 'resource-group': { type: 'string' }, 'load-test-resource': { type: 'string' }, 'arm-endpoint': { type: 'string' },
    'ca-file': { type: 'string' },
  }, io);
  if (typeof values === 'number') return values;
  if (!values.config) throw new ConfigError('--config: required; give the path of the load test configuration YAML');
  const engine = values.engine ?? 'local';
  if (engine !== 'local' && engine !== 'azure') throw new ConfigError(`--engine: must be local or azure, found "${engine}"`);
  const outDir = path.resolve(io.cwd, values.out ?? 'capacity-results');
  const configFile = path.resolve(io.cwd, values.config);
  const onStep = ({ step: s, elapsedSeconds }: SearchProgress) => io.stderr(
    `${Math.round(elapsedSeconds)}s ${s.phase} ${formatNumber(s.offeredRps)} rps${s.virtualUsers ? ` (${formatNumber(s.virtualUsers.measured)} users)` : ''}: ` +
      `achieved ${formatNumber(s.achievedRps)}, p95 ${formatNumber(s.latencyMs.p95)} ms, ${formatNumber(s.errorPercentage)}% errors` +
      `${s.generator ? `, generator CPU ${formatNumber(s.generator.cpuPercent)}%` : ''}: ${s.good ? 'held' : `broke (${s.signals.map((g) => g.kind).join(', ')})`}\n`,
  );
  let evidence: CapacityEvidence;
  if (engine === 'azure') {
    if (values.env?.length) throw new ConfigError('--env: applies to engine local only; on Azure Load Testing the YAML\'s env is sent as written');
    evidence = await runCloudCapacitySearch({ configFile, ...azureTarget(values, io), resultsDirectory: outDir, signal: io.signal, onStep,
      onProgress: (message) => io.stderr(`${message}\n`) });
  } else {
    const cloudOnly = (['subscription', 'resource-group', 'load-test-resource', 'arm-endpoint', 'ca-file'] as const).filter((k) => values[k] !== undefined);
    if (cloudOnly.length) throw new ConfigError(`${cloudOnly.map((k) => `--${k}`).join(', ')}: for engine azure only; add --engine azure`);
    evidence = await runCapacitySearch({ configFile, env: envFlags(values.env), signal: io.signal, onStep });
  }
  const evidenceFile = await writeEvidenceAndReports(outDir, evidence);
  io.stderr(`${evidence.summary}\n`);
  io.stderr(`Results: ${path.relative(io.cwd, evidenceFile) || evidenceFile} (+ .junit.xml, .md, .html)\n`);
  io.stdout(`${evidenceFile}\n`);
  return evidence.verdict === 'passed' ? ExitCode.passed : evidence.verdict === 'failed' ? ExitCode.checkFailed : ExitCode.infrastructure;
}

/**
 * The Azure Load Testing resource of the flags and a service principal from the environment variables the Azure SDKs
 * read (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, AZURE_AUTHORITY_HOST).
 */
function azureTarget(values: Record<string, string | string[] | boolean | undefined>, io: CliIO) {
  const text = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const problems: string[] = [];
  for (const flag of ['subscription', 'resource-group', 'load-test-resource']) if (!text(flag)) problems.push(`--${flag}: required with --engine azure`);
  const env = io.env;
  for (const name of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID']) if (!env[name]) problems.push(`${name}: not set; engine azure signs in as a service principal from the environment`);
  if (!env.AZURE_CLIENT_SECRET && !env.AZURE_CLIENT_CERTIFICATE_PATH) problems.push('AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH: neither is set; give the service principal\'s secret or certificate');
  const readFile = (what: string, file: string) => {
    try {
      return readFileSync(path.resolve(io.cwd, file), 'utf8');
    } catch (error) {
      problems.push(`${what}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return undefined;
    }
  };
  const ca = text('ca-file') ? readFile('--ca-file', text('ca-file')!) : undefined;
  const certificate = env.AZURE_CLIENT_CERTIFICATE_PATH ? readFile('AZURE_CLIENT_CERTIFICATE_PATH', env.AZURE_CLIENT_CERTIFICATE_PATH) : undefined;
  if (problems.length) throw new ConfigError(problems);
  if (env.AZURE_CLIENT_SECRET) registerSecret(env.AZURE_CLIENT_SECRET);
  const armEndpoint = text('arm-endpoint');
  const { credential, armEndpoint: arm } = createCredential({
    name: 'environment (AZURE_CLIENT_ID)', scheme: 'ServicePrincipal', tenantId: env.AZURE_TENANT_ID, clientId: env.AZURE_CLIENT_ID,
    ...(env.AZURE_CLIENT_SECRET ? { secret: env.AZURE_CLIENT_SECRET } : { certificate }),
    ...(env.AZURE_AUTHORITY_HOST ? { authorityHost: env.AZURE_AUTHORITY_HOST } : {}),
    ...(armEndpoint ? { resourceManagerUrl: armEndpoint } : {}),
  }, { caCertificate: ca });
  return {
    resource: { subscriptionId: text('subscription')!, resourceGroup: text('resource-group')!, name: text('load-test-resource')! },
    credential, armEndpoint: arm, ...(ca ? { caCertificate: ca } : {}),
  };
}
