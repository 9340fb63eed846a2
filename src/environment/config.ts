import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import Ajv from 'ajv';
import { ConfigError } from '../errors';
import { hint } from '../config/suggest';
import { formatPath, isRecord, parseYamlSource, type DocPath } from '../config/yamlSource';
import { parseDuration } from '../dr/duration';
import { reportSchemaErrors } from '../gate/schemaProblems';
import { parseCondition, type BodyCondition } from './bodyCondition';
import { checkSchemas, ENVIRONMENT_CHECK_TYPES, environmentFileSchema, type EnvironmentCheckTypeName } from './schema';

/** An HTTP request a health check or the watch sends, validated. */
export interface HttpProbeSpec {
  url: string;
  expectStatus: number;
  maxLatencyMs?: number;
  conditions: BodyCondition[];
  headers: Record<string, string>;
  ca?: string;
  timeoutMs: number;
}

interface Base<T extends EnvironmentCheckTypeName> {
  name: string;
  type: T;
}
export type TlsSpec = Base<'tls'> & { host: string; port: number; serverName: string; minDaysToExpiry: number; hstsMinMaxAge: number; hstsPath: string; ca?: string };
export type HeadersSpec = Base<'headers'> & { url: string; minGrade: string; ca?: string };
export type DnsSpec = Base<'dns'> & { host: string; resolver?: string; a?: string[]; aaaa?: string[]; cname?: string };
export type HealthSpec = Base<'health'> & { probe: HttpProbeSpec; repeats: number; minSuccessRatio: number; intervalMs: number };
export type MonitoringSpec = Base<'monitoring'> & {
  subscription?: string;
  resources: string[];
  require: Array<'metricAlert' | 'scheduledQueryRule' | 'activityLogAlert' | 'diagnosticSettings'>;
  availabilityComponent?: string;
};
export type DriftSpec = Base<'drift'> & { directory: string; varFiles: string[]; timeoutMs: number; init: boolean };
export type WatchSpec = Base<'watch'> & {
  windowMs: number;
  intervalMs: number;
  health?: HttpProbeSpec;
  query?: { resource: string; kql: string; max: number; timespan?: string };
  maxConsecutiveFailures: number;
};
export type CheckSpec = TlsSpec | HeadersSpec | DnsSpec | HealthSpec | MonitoringSpec | DriftSpec | WatchSpec;

export interface EnvironmentConfig {
  /** As the user named it. */
  file: string;
  service: string;
  environment: string;
  checks: CheckSpec[];
  /** Values expanded from `${VAR}` into request headers: masked everywhere. */
  secrets: string[];
}

/** Defaults, frozen in one place (autocannon's habit). 21 days: the gate's example bound for certificates. */
export const DEFAULTS = Object.freeze({
  tlsPort: 443,
  minDaysToExpiry: 21,
  /** Six months, the MDN HTTP Observatory's bar for a full-credit HSTS header. */
  hstsMinMaxAge: 15_552_000,
  minGrade: 'B',
  expectStatus: 200,
  repeats: 3,
  minSuccessRatio: 1,
  intervalMs: 1000,
  timeoutMs: 10_000,
  driftTimeoutMs: 5 * 60_000,
  maxConsecutiveFailures: 1,
});

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
const validateTop = ajv.compile(environmentFileSchema);
const validateCheck = Object.fromEntries(ENVIRONMENT_CHECK_TYPES.map((t) => [t, ajv.compile(checkSchemas[t])])) as Record<
  EnvironmentCheckTypeName,
  ReturnType<typeof ajv.compile>
>;

export function loadEnvironmentConfig(file: string, env: NodeJS.ProcessEnv = process.env, displayName = basename(file)): EnvironmentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`${displayName}: cannot read the environment file (${code ?? String(error)}); check the --config path.`, { cause: error });
  }
  return parseEnvironmentConfig(text, displayName, dirname(resolve(file)), env);
}

/** Validates the whole file and reports every problem at once, each as `file:line key: message`. */
export function parseEnvironmentConfig(text: string, displayName: string, dir: string, env: NodeJS.ProcessEnv = process.env): EnvironmentConfig {
  const yaml = parseYamlSource(displayName, text, displayName);
  if (yaml.syntaxProblems.length) throw new ConfigError(yaml.syntaxProblems);
  const problems: string[] = [];
  const add = (p: DocPath, message: string, atKey = false) => {
    const line = atKey ? yaml.lineOf(p) : yaml.valueLineOf(p);
    problems.push(`${displayName}:${line ?? 1} ${formatPath(p)}: ${message}`);
  };
  const raw = yaml.data;
  if (!isRecord(raw)) throw new ConfigError(`${displayName}:1 (document): an environment file is a YAML mapping with service, environment and checks`);
  if (!validateTop(raw)) reportSchemaErrors(validateTop.errors ?? [], [], add);
  const secrets: string[] = [];
  const checks: CheckSpec[] = [];
  const rawChecks = Array.isArray(raw.checks) ? raw.checks : [];
  const seen = new Set<string>();
  rawChecks.forEach((c, i) => {
    const at: DocPath = ['checks', i];
    if (!isRecord(c) || typeof c.type !== 'string') return;
    if (typeof c.name === 'string') {
      if (seen.has(c.name)) add([...at, 'name'], `duplicate check name "${c.name}"; each check needs its own name`);
      seen.add(c.name);
    }
    if (!(ENVIRONMENT_CHECK_TYPES as string[]).includes(c.type)) {
      add([...at, 'type'], `unknown check type "${c.type}"${hint(c.type, ENVIRONMENT_CHECK_TYPES)}`);
      return;
    }
    const type = c.type as EnvironmentCheckTypeName;
    const validate = validateCheck[type];
    if (!validate(c)) {
      reportSchemaErrors(validate.errors ?? [], at, add);
      return;
    }
    const spec = buildCheck(type, c, at, { add, dir, env, secrets });
    if (spec) checks.push(spec);
  });
  if (problems.length) throw new ConfigError(problems);
  return { file: displayName, service: String(raw.service), environment: String(raw.environment), checks, secrets };
}

interface BuildContext {
  add: (p: DocPath, message: string) => void;
  dir: string;
  env: NodeJS.ProcessEnv;
  secrets: string[];
}

function buildCheck(type: EnvironmentCheckTypeName, c: Record<string, any>, at: DocPath, outer: BuildContext): CheckSpec | undefined {
  let ok = true;
  const ctx: BuildContext = {
    ...outer,
    add: (p, message) => {
      ok = false;
      outer.add(p, message);
    },
  };
  const base = { name: String(c.name), type };
  let spec: CheckSpec;
  switch (type) {
    case 'tls':
      spec = {
        ...base,
        type,
        host: c.host,
        port: c.port ?? DEFAULTS.tlsPort,
        serverName: c.serverName ?? c.host,
        minDaysToExpiry: c.minDaysToExpiry ?? DEFAULTS.minDaysToExpiry,
        hstsMinMaxAge: c.hstsMinMaxAge ?? DEFAULTS.hstsMinMaxAge,
        hstsPath: c.hstsPath ?? '/',
        ca: caOf(c, at, ctx),
      };
      break;
    case 'headers':
      spec = { ...base, type, url: c.url, minGrade: c.minGrade ?? DEFAULTS.minGrade, ca: caOf(c, at, ctx) };
      break;
    case 'dns':
      if (!c.a && !c.aaaa && !c.cname) ctx.add(at, 'a dns check needs at least one of a, aaaa or cname to compare against');
      if (c.resolver !== undefined && !/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|[0-9a-fA-F:]+)(:\d{1,5})?$/.test(c.resolver)) {
        ctx.add([...at, 'resolver'], `"${c.resolver}" is not an IP address with an optional port; write e.g. 10.0.0.4 or 10.0.0.4:53`);
      }
      spec = { ...base, type, host: c.host, resolver: c.resolver, a: c.a, aaaa: c.aaaa, cname: c.cname };
      break;
    case 'health':
      spec = {
        ...base,
        type,
        probe: probeOf(c, at, ctx),
        repeats: c.repeats ?? DEFAULTS.repeats,
        minSuccessRatio: c.minSuccessRatio ?? DEFAULTS.minSuccessRatio,
        intervalMs: durationMs(c.interval, [...at, 'interval'], ctx, DEFAULTS.intervalMs),
      };
      break;
    case 'monitoring':
      (c.resources as string[]).forEach((id, i) => {
        if (!/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/.+/i.test(id)) {
          ctx.add([...at, 'resources', i], `"${id}" is not a resource id; copy it from the resource's JSON view, e.g. /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Web/sites/<name>`);
        }
      });
      spec = {
        ...base,
        type,
        subscription: c.subscription,
        resources: c.resources,
        require: c.require ?? ['metricAlert', 'diagnosticSettings'],
        availabilityComponent: c.availabilityTest?.component,
      };
      break;
    case 'drift':
      spec = {
        ...base,
        type,
        directory: resolve(ctx.dir, c.directory),
        varFiles: (c.varFiles ?? []).map((f: string) => resolve(ctx.dir, f)),
        timeoutMs: durationMs(c.timeout, [...at, 'timeout'], ctx, DEFAULTS.driftTimeoutMs),
        init: c.init ?? true,
      };
      break;
    case 'watch': {
      if (!c.health === !c.query) ctx.add(at, 'a watch needs exactly one source: health (an endpoint) or query (a Log Analytics query)');
      const windowMs = durationMs(c.window, [...at, 'window'], ctx, 0);
      const intervalMs = durationMs(c.interval, [...at, 'interval'], ctx, 0);
      if (intervalMs <= 0) ctx.add([...at, 'interval'], 'the poll interval must be above 0, e.g. 30s');
      else if (windowMs < intervalMs) ctx.add([...at, 'window'], 'the window must be at least one poll interval long, e.g. window: 15m with interval: 30s');
      spec = {
        ...base,
        type,
        windowMs,
        intervalMs,
        health: c.health ? probeOf(c.health, [...at, 'health'], ctx) : undefined,
        query: c.query,
        maxConsecutiveFailures: c.maxConsecutiveFailures ?? DEFAULTS.maxConsecutiveFailures,
      };
      break;
    }
  }
  return ok ? spec : undefined;
}

function durationMs(value: unknown, at: DocPath, ctx: BuildContext, fallback: number): number {
  if (value === undefined) return fallback;
  const seconds = parseDuration(value);
  if (seconds === undefined) {
    ctx.add(at, `"${String(value)}" is not a duration; write e.g. 30s, 15m or 1h`);
    return fallback;
  }
  return seconds * 1000;
}

function caOf(c: Record<string, any>, at: DocPath, ctx: BuildContext): string | undefined {
  if (c.caFile === undefined) return undefined;
  const file = isAbsolute(c.caFile) ? c.caFile : resolve(ctx.dir, c.caFile);
  try {
    const pem = readFileSync(file, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
    return pem;
  } catch (error) {
    ctx.add([...at, 'caFile'], `cannot read a PEM certificate from ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give the path of the CA bundle, relative to this file`);
    return undefined;
  }
}

function probeOf(c: Record<string, any>, at: DocPath, ctx: BuildContext): HttpProbeSpec {
  const conditions: BodyCondition[] = [];
  (c.conditions ?? []).forEach((text: string, i: number) => {
    const parsed = parseCondition(text);
    if (typeof parsed === 'string') ctx.add([...at, 'conditions', i], parsed);
    else conditions.push(parsed);
  });
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries((c.headers ?? {}) as Record<string, string>)) {
    headers[key] = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = ctx.env[name];
      if (found === undefined) {
        ctx.add([...at, 'headers', key], `\${${name}} is not set; define the variable (a secret variable in the pipeline) or remove the reference`);
        return '';
      }
      ctx.secrets.push(found);
      return found;
    });
  }
  return {
    url: c.url,
    expectStatus: c.expectStatus ?? DEFAULTS.expectStatus,
    maxLatencyMs: c.maxLatencyMs,
    conditions,
    headers,
    ca: caOf(c, at, ctx),
    timeoutMs: durationMs(c.timeout, [...at, 'timeout'], ctx, DEFAULTS.timeoutMs),
  };
}
