import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFailureCriteria, parseServerMetricCriteria, parseAutoStop, type Criterion, type ServerMetricCriterion } from '../criteria';
import { ConfigError } from '../errors';
import type { AltTestConfig } from '../load/altConfig';
import { LOCAL_ONLY_LOAD_TYPES, LOCAL_ONLY_SETUP_KEYS } from '../load/localExtensions';
import { isRecord, parseYamlSource } from '../config/yamlSource';
import type { AltFileType, AltTest, AppComponentsPatch, PassFailMetric, PassFailServerMetric, ServerMetricsPatch } from './model';

/**
 * The test configuration YAML (already loaded and validated by src/load/altConfig.ts) turned into Azure Load
 * Testing's test model, as merge-patch bodies that carry ONLY what the YAML says. Whatever the YAML leaves out
 * (env, secrets, VNet, identities, criteria, components set in the portal) stays as it is: AzureLoadTest@1 wiped
 * such settings, which users reported (microsoft/azure-load-testing#126, #94; reference §4.6).
 *
 * The one deliberate replacement: when the YAML states its client (or server) criteria, that list is the truth,
 * so criteria the service holds that the YAML no longer lists are deleted (sent as null). Otherwise a criterion
 * removed from the file would keep failing runs.
 */
export interface UploadFile {
  path: string;
  fileName: string;
  fileType: AltFileType;
}

export interface Translation {
  testId: string;
  test: AltTest;
  /** In upload order: configuration files, zips, user properties, then the plan (reference §1.5 step 6). */
  files: UploadFile[];
  appComponents?: AppComponentsPatch;
  serverMetrics?: ServerMetricsPatch;
  /** Resources whose YAML entry lists `metrics`: only those metrics are kept for them. */
  explicitMetricResources?: string[];
  /** Parsed client criteria, for our own evaluation of the statistics. */
  criteria: Criterion[];
  serverCriteria: ServerMetricCriterion[];
}

/** `overrideParameters` of AzureLoadTest@1: only these keys (reference §1.2). */
const OVERRIDE_KEYS = ['testId', 'displayName', 'description', 'engineInstances', 'autoStop'];

export function translateConfig(config: AltTestConfig, existing: AltTest | undefined, overrideParameters?: string): Translation {
  const problems: string[] = [];
  const where = path.basename(config.file);
  for (const key of config.localOnlyKeys) {
    problems.push(`${where}: ${key} is understood only by the local engine; Azure Load Testing would reject it. Remove it, or run with engine: local.`);
  }
  const mentioned = mentionedKeys(config.file);
  const overrides = parseOverrides(overrideParameters, problems);
  for (const key of Object.keys(overrides)) mentioned.add(key);

  const criteria = config.failureCriteria === undefined ? [] : parseFailureCriteria(config.failureCriteria, {
    file: where,
    lineOf: (p) => config.lineOf(['failureCriteria', ...p]),
  });
  const serverCriteria = config.failureCriteria === undefined ? [] : parseServerMetricCriteria(config.failureCriteria, {
    file: where,
    lineOf: (p) => config.lineOf(['failureCriteria', ...p]),
  });
  for (const c of criteria) {
    if (c.operator !== '>' && c.operator !== '<') {
      problems.push(`${where}${c.line ? `:${c.line}` : ''} failureCriteria "${c.expression}": Azure Load Testing accepts only > and <; ` +
        `write the limit with > or < (for example "${c.expression.replace(c.operator, c.operator[0])}"), or run with engine: local.`);
    }
  }
  if (config.testType === 'URL') problems.push(...localOnlyInRequests(config.testPlan));
  const regionalSum = config.regionalLoadTestConfig.reduce((sum, r) => sum + r.engineInstances, 0);
  if (overrides.engineInstances !== undefined && config.regionalLoadTestConfig.length && overrides.engineInstances !== regionalSum) {
    problems.push(`overrideParameters: engineInstances ${overrides.engineInstances} differs from the ${regionalSum} engines of regionalLoadTestConfig in ${where}; ` +
      'change the regions in the file, or drop engineInstances from overrideParameters.');
  }
  const autoStopRaw = overrides.autoStop ?? config.autoStop;
  const autoStop = mentioned.has('autoStop') ? parseAutoStop(autoStopRaw, { file: where, lineOf: (p) => config.lineOf(['autoStop', ...p]) }) : undefined;
  if (problems.length) throw new ConfigError(problems);

  const testId = (typeof overrides.testId === 'string' ? overrides.testId : config.testId).toLowerCase();
  const test: AltTest = { testId, kind: config.testType };
  const displayName = (overrides.displayName as string | undefined) ?? config.displayName;
  if (!existing || displayName !== config.testId || mentioned.has('displayName')) test.displayName = displayName;
  const description = (overrides.description as string | undefined) ?? config.description;
  if (description !== undefined) test.description = description;

  const loadTestConfiguration: NonNullable<AltTest['loadTestConfiguration']> = {};
  if (mentioned.has('engineInstances') || !existing) loadTestConfiguration.engineInstances = Number(overrides.engineInstances ?? config.engineInstances);
  if (mentioned.has('splitAllCSVs')) loadTestConfiguration.splitAllCSVs = config.splitAllCSVs;
  if (mentioned.has('regionalLoadTestConfig')) loadTestConfiguration.regionalLoadTestConfig = config.regionalLoadTestConfig;
  if (Object.keys(loadTestConfiguration).length) test.loadTestConfiguration = loadTestConfiguration;

  const failure = config.failureCriteria;
  const ownsClient = failure !== undefined && (!isRecord(failure) || 'clientMetrics' in failure);
  const ownsServer = isRecord(failure) && 'serverMetrics' in failure;
  if (ownsClient || ownsServer) {
    test.passFailCriteria = {};
    const held = existing?.passFailCriteria;
    if (ownsClient) test.passFailCriteria.passFailMetrics = keyed(criteria.map(toPassFailMetric), held?.passFailMetrics, sameClientCriterion);
    if (ownsServer) test.passFailCriteria.passFailServerMetrics = keyed(serverCriteria.map(toServerCriterion), held?.passFailServerMetrics, sameServerCriterion);
  }
  if (autoStop) {
    test.autoStopCriteria = autoStop.disabled
      ? { autoStopDisabled: true }
      : { autoStopDisabled: false, errorRate: autoStop.errorPercentage, errorRateTimeWindowInSeconds: autoStop.timeWindowSeconds,
          ...(autoStop.maximumVirtualUsersPerEngine ? { maximumVirtualUsersPerEngine: autoStop.maximumVirtualUsersPerEngine } : {}) };
  }
  if (config.env.length) test.environmentVariables = Object.fromEntries(config.env.map((e) => [e.name, e.value]));
  if (config.secrets.length) test.secrets = Object.fromEntries(config.secrets.map((s) => [s.name, { value: s.value, type: 'AKV_SECRET_URI' as const }]));
  if (config.certificates.length) test.certificate = { name: config.certificates[0].name, value: config.certificates[0].value, type: 'AKV_CERT_URI' };
  if (mentioned.has('subnetId')) test.subnetId = config.subnetId;
  if (mentioned.has('publicIPDisabled')) test.publicIPDisabled = config.publicIPDisabled;
  applyIdentities(config, mentioned, test);

  return {
    testId,
    test,
    files: filesOf(config),
    ...(mentioned.has('appComponents') ? componentsOf(config) : {}),
    criteria,
    serverCriteria,
  };
}

/** Top-level keys the file actually writes (the loader fills defaults, so absence must be read from the file). */
function mentionedKeys(file: string): Set<string> {
  const data = parseYamlSource(file, fs.readFileSync(file, 'utf8')).data;
  const keys = new Set(isRecord(data) ? Object.keys(data) : []);
  if (keys.has('testName')) keys.add('testId');
  return keys;
}

function parseOverrides(text: string | undefined, problems: string[]): Record<string, unknown> {
  if (!text || !text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    problems.push(`overrideParameters: not valid JSON (${(error as Error).message}); write for example {"engineInstances": 2}`);
    return {};
  }
  if (!isRecord(value)) {
    problems.push('overrideParameters: must be a JSON object such as {"engineInstances": 2}');
    return {};
  }
  const unknown = Object.keys(value).filter((k) => !OVERRIDE_KEYS.includes(k));
  if (unknown.length) problems.push(`overrideParameters: unsupported field(s) ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: ${OVERRIDE_KEYS.join(', ')}`);
  if (value.engineInstances !== undefined && !(Number.isInteger(value.engineInstances) && (value.engineInstances as number) >= 1 && (value.engineInstances as number) <= 400)) {
    problems.push('overrideParameters: engineInstances must be a whole number from 1 to 400');
  }
  return value;
}

/** The open model (constantArrivalRate) exists only in our engine; Azure's URL tests are closed-model. */
function localOnlyInRequests(planFile: string): string[] {
  let plan: unknown;
  try {
    plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
  } catch {
    return []; // the service validates the file and its message is quoted
  }
  const setups = isRecord(plan) && Array.isArray(plan.testSetup) ? plan.testSetup : [];
  const found = new Set<string>();
  for (const setup of setups) {
    if (!isRecord(setup)) continue;
    if (LOCAL_ONLY_LOAD_TYPES.includes(String(setup.loadType))) found.add(`loadType: ${setup.loadType}`);
    for (const key of LOCAL_ONLY_SETUP_KEYS) if (key in setup) found.add(key);
  }
  return [...found].map((f) => `${path.basename(planFile)} testSetup: ${f} is understood only by the local engine; use loadType linear, step or spike, or run with engine: local.`);
}

/**
 * The REST enum spells the finest percentiles p99.9 and p99.99, but the official client sends p999 and p9999
 * verbatim and its end-to-end tests against the live service use p999 (shared/reference/platform-facts.md): only
 * that spelling is known to work live, so it is what is sent.
 */
function toPassFailMetric(c: Criterion): PassFailMetric {
  // The grammar already folds p99.9 into p999 and p99.99 into p9999 (src/criteria/grammar.ts).
  return { clientMetric: c.metric, aggregate: c.aggregate, condition: c.operator as '>' | '<', value: c.threshold, action: c.action,
    ...(c.request !== undefined ? { requestName: c.request } : {}) };
}

function toServerCriterion(c: ServerMetricCriterion): PassFailServerMetric {
  return { resourceId: c.resourceId, metricNamespace: c.metricNamespace ?? resourceTypeOf(c.resourceId), metricName: c.metricName,
    aggregation: c.aggregation, condition: c.condition === 'GreaterThan' ? '>' : '<', value: c.value, action: 'continue' };
}

function sameClientCriterion(a: PassFailMetric, b: PassFailMetric): boolean {
  const agg = (x: string) => x.replace('.', '');
  return a.clientMetric === b.clientMetric && agg(a.aggregate) === agg(b.aggregate) && a.condition === b.condition &&
    a.value === b.value && (a.requestName ?? '') === (b.requestName ?? '') && (a.action ?? 'continue') === (b.action ?? 'continue');
}

function sameServerCriterion(a: PassFailServerMetric, b: PassFailServerMetric): boolean {
  return a.resourceId.toLowerCase() === b.resourceId.toLowerCase() && a.metricName === b.metricName &&
    a.aggregation === b.aggregation && a.condition === b.condition && a.value === b.value;
}

/** Keeps the service's id for a criterion it already holds unchanged; new ones get fresh ids; dropped ones null. */
function keyed<T>(wanted: T[], held: Record<string, T | null> | undefined, same: (a: T, b: T) => boolean): Record<string, T | null> {
  const out: Record<string, T | null> = {};
  const free = new Map(Object.entries(held ?? {}).filter(([, v]) => v !== null) as [string, T][]);
  for (const item of wanted) {
    const match = [...free].find(([, v]) => same(v, item));
    if (match) free.delete(match[0]);
    out[match ? match[0] : randomUUID()] = item;
  }
  for (const id of free.keys()) out[id] = null;
  return out;
}

function applyIdentities(config: AltTestConfig, mentioned: Set<string>, test: AltTest): void {
  if (mentioned.has('keyVaultReferenceIdentity') || mentioned.has('keyVaultReferenceIdentityType')) {
    const id = config.keyVaultReferenceIdentity;
    test.keyvaultReferenceIdentityType = config.keyVaultReferenceIdentityType ?? (id ? 'UserAssigned' : 'SystemAssigned');
    test.keyvaultReferenceIdentityId = id ?? null;
  }
  for (const r of config.referenceIdentities) {
    if (r.kind === 'KeyVault') {
      test.keyvaultReferenceIdentityType = r.type;
      test.keyvaultReferenceIdentityId = r.value ?? null;
    } else if (r.kind === 'Metrics') {
      test.metricsReferenceIdentityType = r.type;
      test.metricsReferenceIdentityId = r.value ?? null;
    } else {
      // The spec spells it engineBuiltInIdentity* (reference §3.3), unlike the action's payload model.
      test.engineBuiltInIdentityType = r.type;
      if (r.value) test.engineBuiltInIdentityIds = [...(test.engineBuiltInIdentityIds ?? []), r.value];
    }
  }
}

function filesOf(config: AltTestConfig): UploadFile[] {
  const file = (p: string, fileType: AltFileType): UploadFile => ({ path: p, fileName: path.basename(p), fileType });
  const planType: AltFileType = config.testType === 'URL' ? 'URL_TEST_CONFIG' : 'TEST_SCRIPT';
  return [
    ...config.configurationFiles.map((p) => file(p, 'ADDITIONAL_ARTIFACTS')),
    ...config.zipArtifacts.map((p) => file(p, 'ZIPPED_ARTIFACTS')),
    ...(config.properties?.userPropertyFile ? [file(config.properties.userPropertyFile, 'USER_PROPERTIES')] : []),
    file(config.testPlan, planType),
  ];
}

function componentsOf(config: AltTestConfig): { appComponents: AppComponentsPatch; serverMetrics: ServerMetricsPatch; explicitMetricResources: string[] } {
  const components: AppComponentsPatch['components'] = {};
  const metrics: ServerMetricsPatch['metrics'] = {};
  for (const c of config.appComponents) {
    const parts = c.resourceId.split('/');
    const type = resourceTypeOf(c.resourceId);
    components[c.resourceId] = {
      resourceId: c.resourceId,
      resourceName: c.resourceName ?? parts[parts.length - 1],
      resourceType: type,
      ...(c.kind ? { kind: c.kind } : {}),
      subscriptionId: parts[2],
      resourceGroup: parts[4],
    };
    for (const m of c.metrics ?? []) {
      const namespace = m.namespace ?? type;
      metrics[`${c.resourceId}/${namespace}/${m.name}/${m.aggregation}`.toLowerCase()] = {
        resourceId: c.resourceId, metricNamespace: namespace, name: m.name, aggregation: m.aggregation, resourceType: type,
      };
    }
  }
  const explicitMetricResources = config.appComponents.filter((c) => c.metrics !== undefined).map((c) => c.resourceId);
  return { appComponents: { components }, serverMetrics: { metrics }, explicitMetricResources };
}

/** `Microsoft.Web/serverfarms` from `/subscriptions/../providers/Microsoft.Web/serverfarms/name`. */
function resourceTypeOf(resourceId: string): string {
  const m = resourceId.match(/\/providers\/([^/]+\/[^/]+)\//i);
  return m ? m[1] : '';
}
