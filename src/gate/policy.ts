import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { ConfigError } from '../errors';
import { MetricBound, parseBound, parseDuration } from './bounds';
import type { NoRegressionRule } from './regressionCheck';
import { buildCapacityRule, type CapacityRule } from './capacityCheck';
import { CHECK_TYPES, CheckType, policySchema, ruleSchemas } from './policySchema';
import { reportSchemaErrors } from './schemaProblems';
import { environmentDrillRule } from './environmentDrillCheck';
import { hint as suggestion, nearest } from '../config/suggest';
import { assertInputSize } from '../config/inputSize';
import { formatPath, parseYamlSource, type DocPath } from '../config/yamlSource';

/** The readiness policy (`readiness.yml`), validated. See docs/policy.md. */
export interface Policy {
  /** The file it was read from, as the user named it. */
  file: string;
  service: string;
  tier?: string;
  roles: Record<string, Signers>;
  checks: PolicyCheck[];
  /** Ordered lowest first; reaching a level needs its checks and those of every level below. */
  levels: Array<{ name: string; checks: string[] }>;
  environments: Record<string, { requiredLevel: string; enforcement: 'warn' | 'block' }>;
  /** Longest a repository waiver may run (src/gate/waivers.ts); default 30. */
  maxWaiverDays?: number;
  /** Branches (refs/heads/...) whose runs may publish a verdict; default refs/heads/main. */
  releaseBranches?: string[];
}

export interface Signers {
  groups: string[];
  users: string[];
}

interface CheckBase<T extends CheckType, R> {
  id: string;
  title: string;
  owner: string;
  type: T;
  rule: R;
  /** false: no waiver may waive it. */
  waivable?: boolean;
}

export interface LoadTestRule {
  passedWithinDays: number;
  metrics: MetricBound[];
  /** Set: the newest run must not have regressed against its baseline of earlier passing runs (src/regression). */
  noRegression?: NoRegressionRule;
  testId?: string;
  environments?: string[];
}

export interface DrillRule {
  passedWithinDays: number;
  /** Which drill counts: `restore` (default), `recreation` (provider terraform) or `rollback`. */
  mode?: 'restore' | 'recreation' | 'rollback';
  rtoSeconds?: number;
  rpoSeconds?: number;
  /** recreation: the longest environment RTO accepted. */
  environmentRtoSeconds?: number;
  /** rollback: the longest time to rollback and to recover accepted. */
  timeToRollbackSeconds?: number;
  timeToRecoverSeconds?: number;
  provider?: string;
  environments?: string[];
}

export interface DocsRule {
  /** Folder the paths are relative to, itself relative to the policy file's folder. */
  root: string;
  /** Each entry is a list of alternatives; one of them must exist. */
  files: string[][];
  headings: Record<string, string[]>;
  /** Files whose `last_reviewed` front matter must be recent (default: the files under `headings`). */
  reviewed: string[];
  reviewedWithinDays?: number;
  links: boolean;
  minContentChars?: number;
}

export interface EnvironmentRule {
  passedWithinDays: number;
  certificateValidDays?: number;
  minHeaderGrade?: string;
  noDrift: boolean;
  alertsForEveryResource: boolean;
  environments?: string[];
}

export interface SignOffRule {
  roles: string[];
  /** Set: an attestation, which must be renewed after this many days. */
  expiresAfterDays?: number;
  /** Every member of the role (its users and the members of its groups) must have signed. */
  everyMember: boolean;
  /** Each role needs its own person: one person approving two roles signs only one. */
  distinctPeople?: boolean;
}

export type PolicyCheck =
  | CheckBase<'loadtest', LoadTestRule>
  | CheckBase<'drill', DrillRule>
  | CheckBase<'docs', DocsRule>
  | CheckBase<'environment', EnvironmentRule>
  | CheckBase<'signoff', SignOffRule>
  | CheckBase<'capacity', CapacityRule>;

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
const validateTop = ajv.compile(policySchema);
const validateRule = Object.fromEntries(CHECK_TYPES.map((t) => [t, ajv.compile(ruleSchemas[t])])) as Record<
  CheckType,
  ReturnType<typeof ajv.compile>
>;

/** Reads and validates a policy file. Every problem is reported at once as a ConfigError. */
export async function loadPolicy(file: string, displayName = file): Promise<Policy> {
  assertInputSize(file, 'yaml', displayName);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `${displayName}: policy file not found; pass --policy with the path of your readiness.yml`
        : `${displayName}: cannot read the policy file (${code ?? String(error)})`,
      { cause: error },
    );
  }
  return parsePolicy(text, displayName);
}

export function parsePolicy(text: string, displayName: string): Policy {
  const yaml = parseYamlSource(displayName, text, displayName);
  if (yaml.syntaxProblems.length) throw new ConfigError(yaml.syntaxProblems);
  const problems: string[] = [];
  const add = (p: DocPath, message: string, atKey = false) => {
    const line = atKey ? yaml.lineOf(p) : yaml.valueLineOf(p);
    const where = line ? `${displayName}:${line}` : displayName;
    problems.push(p.length ? `${where} ${formatPath(p)}: ${message}` : `${where}: ${message}`);
  };
  const raw = yaml.data;
  if (!validateTop(raw)) reportSchemaErrors(validateTop.errors ?? [], [], add);
  if (!isRecord(raw)) {
    if (!problems.length) add([], 'the policy must be a YAML mapping with service, checks, levels and environments');
    throw new ConfigError(problems);
  }
  // The checks below run even when the schema found problems, guarding every shape they read, so one pass
  // reports everything (k6's habit).
  // No prototype: looking up a role named in a forged record ("constructor") finds nothing rather than Object's.
  const roles: Record<string, Signers> = Object.create(null);
  for (const [role, s] of Object.entries(isRecord(raw.roles) ? raw.roles : {})) {
    if (isRecord(s)) roles[role] = { groups: strings(s.groups), users: strings(s.users) };
    // An unqualified name ("Operations") could match a group of the same name in another project.
    strings(isRecord(s) ? s.groups : undefined).forEach((g, i) => {
      if (!/^\[[^\]]+\]\\.+/.test(g)) add(['roles', role, 'groups', i], `group "${g}" must be qualified with its project or organization, as [Project]\\Group (in YAML double quotes: "[Shop]\\\\${g}"), so it cannot match another project's group`);
    });
  }
  const rawChecks = (Array.isArray(raw.checks) ? raw.checks : []).map((c) => (isRecord(c) ? c : {}));
  const ids = rawChecks.map((c) => String(c.id));
  const checks: PolicyCheck[] = [];
  rawChecks.forEach((c, i) => {
    const at: DocPath = ['checks', i];
    if (typeof c.id === 'string' && ids.indexOf(c.id) !== i) add([...at, 'id'], `duplicate check id "${c.id}"; each check needs its own id`);
    if (typeof c.type !== 'string') return;
    const type = c.type;
    if (!(CHECK_TYPES as string[]).includes(type)) {
      add([...at, 'type'], `unknown check type "${type}"${suggestion(type, CHECK_TYPES)}`);
      return;
    }
    if (!isRecord(c.rule)) return;
    const validate = validateRule[type as CheckType];
    const valid = validate(c.rule);
    if (!valid) reportSchemaErrors(validate.errors ?? [], [...at, 'rule'], add);
    const rule = buildRule(type as CheckType, c.rule, [...at, 'rule'], roles, add);
    if (rule && valid) {
      checks.push({ id: String(c.id), title: String(c.title), owner: String(c.owner), type, rule, ...(c.waivable === false ? { waivable: false } : {}) } as PolicyCheck);
    }
  });

  const levels = (Array.isArray(raw.levels) ? raw.levels : [])
    .filter(isRecord)
    .map((l) => ({ name: String(l.name), checks: strings(l.checks) }));
  const levelNames = levels.map((l) => l.name);
  levels.forEach((level, i) => {
    if (levelNames.indexOf(level.name) !== i) add(['levels', i, 'name'], `duplicate level "${level.name}"`);
    level.checks.forEach((id, j) => {
      if (!ids.includes(id)) add(['levels', i, 'checks', j], `level "${level.name}" refers to undefined check "${id}"${suggestion(id, ids)}`);
    });
  });
  const environments: Policy['environments'] = Object.create(null);
  for (const [env, settings] of Object.entries(isRecord(raw.environments) ? raw.environments : {})) {
    if (!isRecord(settings) || typeof settings.requiredLevel !== 'string') continue;
    environments[env] = settings as Policy['environments'][string];
    if (!levelNames.includes(settings.requiredLevel)) {
      add(['environments', env, 'requiredLevel'], `undefined level "${settings.requiredLevel}"${suggestion(settings.requiredLevel, levelNames)}`);
    }
  }
  if (problems.length) throw new ConfigError(byLine(problems));
  const tier = raw.tier === undefined ? undefined : String(raw.tier);
  const policy: Policy = { file: displayName, service: String(raw.service), tier, roles, checks, levels, environments };
  if (typeof raw.maxWaiverDays === 'number') policy.maxWaiverDays = raw.maxWaiverDays;
  if (Array.isArray(raw.releaseBranches)) policy.releaseBranches = strings(raw.releaseBranches);
  return policy;
}

function buildRule(
  type: CheckType,
  rule: Record<string, unknown>,
  at: DocPath,
  roles: Record<string, Signers>,
  add: (p: DocPath, message: string) => void,
): PolicyCheck['rule'] | undefined {
  let ok = true;
  const fail = (p: DocPath, message: string) => {
    ok = false;
    add(p, message);
  };
  switch (type) {
    case 'loadtest': {
      const metrics: MetricBound[] = [];
      strings(rule.metrics).forEach((text, i) => {
        const bound = parseBound(text);
        if (typeof bound === 'string') fail([...at, 'metrics', i], bound);
        else metrics.push(bound);
      });
      const r: LoadTestRule = { passedWithinDays: rule.passedWithinDays as number, metrics };
      if (rule.testId !== undefined) r.testId = String(rule.testId);
      if (rule.environments !== undefined) r.environments = rule.environments as string[];
      const noRegression = rule.noRegression as boolean | { window?: number; pin?: string | number; inconclusive?: 'pass' | 'block' } | undefined;
      if (noRegression === true) r.noRegression = { inconclusive: 'pass' };
      else if (noRegression && typeof noRegression === 'object') {
        r.noRegression = {
          inconclusive: noRegression.inconclusive ?? 'pass',
          ...(noRegression.window !== undefined ? { window: noRegression.window } : {}),
          ...(noRegression.pin !== undefined ? { pin: String(noRegression.pin) } : {}),
        };
      }
      return ok ? r : undefined;
    }
    case 'drill': {
      const r: DrillRule = { passedWithinDays: rule.passedWithinDays as number };
      for (const key of ['rto', 'rpo'] as const) {
        if (rule[key] === undefined) continue;
        const seconds = parseDuration(rule[key]);
        if (seconds === undefined) fail([...at, key], `"${rule[key]}" is not a duration; write e.g. 15m, 90s or 1h30m`);
        else r[key === 'rto' ? 'rtoSeconds' : 'rpoSeconds'] = seconds;
      }
      if (rule.provider !== undefined) r.provider = String(rule.provider);
      if (rule.environments !== undefined) r.environments = rule.environments as string[];
      environmentDrillRule(rule, r, at, fail);
      return ok ? r : undefined;
    }
    case 'docs': {
      const files = (Array.isArray(rule.files) ? rule.files : []).map((f) => (Array.isArray(f) ? strings(f) : [String(f)]));
      const headings = Object.fromEntries(Object.entries(isRecord(rule.headings) ? rule.headings : {}).map(([f, h]) => [f, strings(h)]));
      const r: DocsRule = {
        root: typeof rule.root === 'string' ? rule.root : '.',
        files,
        headings,
        reviewed: Array.isArray(rule.reviewed) ? strings(rule.reviewed) : Object.keys(headings),
        links: (rule.links as boolean | undefined) ?? true,
      };
      if (rule.reviewedWithinDays !== undefined) r.reviewedWithinDays = rule.reviewedWithinDays as number;
      if (rule.minContentChars !== undefined) r.minContentChars = rule.minContentChars as number;
      if (path.isAbsolute(r.root)) fail([...at, 'root'], 'use a folder relative to the policy file, so the policy works on every agent');
      if (!files.length && !Object.keys(headings).length && r.reviewedWithinDays === undefined) {
        fail(at, 'a docs check needs at least one of files, headings or reviewedWithinDays');
      }
      return ok ? r : undefined;
    }
    case 'environment': {
      const r: EnvironmentRule = {
        passedWithinDays: rule.passedWithinDays as number,
        noDrift: (rule.noDrift as boolean | undefined) ?? false,
        alertsForEveryResource: (rule.alertsForEveryResource as boolean | undefined) ?? false,
      };
      if (rule.certificateValidDays !== undefined) r.certificateValidDays = rule.certificateValidDays as number;
      if (rule.minHeaderGrade !== undefined) r.minHeaderGrade = String(rule.minHeaderGrade);
      if (rule.environments !== undefined) r.environments = rule.environments as string[];
      return r;
    }
    case 'capacity':
      return buildCapacityRule(rule);
    case 'signoff': {
      const roleNames = Object.keys(roles);
      strings(rule.roles).forEach((role, i) => {
        if (!roles[role]) {
          const near = nearest(role, roleNames);
          fail([...at, 'roles', i], `role "${role}" is not defined under roles${near ? ` (did you mean "${near}"?)` : ''}; define it with the groups or users who may sign`);
        }
      });
      const r: SignOffRule = { roles: rule.roles as string[], everyMember: (rule.everyMember as boolean | undefined) ?? false };
      if (rule.expiresAfterDays !== undefined) r.expiresAfterDays = rule.expiresAfterDays as number;
      if (rule.distinctPeople === true) r.distinctPeople = true;
      return ok ? r : undefined;
    }
  }
}

/** Problems in file order, so the list reads top to bottom like the file. */
function byLine(problems: string[]): string[] {
  const line = (p: string) => Number(/^[^ ]*:(\d+)/.exec(p)?.[1] ?? 0);
  return problems.map((p, i) => ({ p, i })).sort((a, b) => line(a.p) - line(b.p) || a.i - b.i).map(({ p }) => p);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Ordered list of check ids a level requires: its own and those of every level below it. */
export function checksForLevel(policy: Policy, level: string): string[] {
  const index = policy.levels.findIndex((l) => l.name === level);
  const ids = policy.levels.slice(0, index + 1).flatMap((l) => l.checks);
  return [...new Set(ids)];
}
