import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors';
import { assertInputSize } from '../config/inputSize';
import { checkKeys, isRecord, parseYamlSource, Problems, type DocPath } from '../config/yamlSource';
import { checkLocalEngine, LOCAL_ONLY_KEYS, type LocalEngineOptions } from './localExtensions';

/**
 * Azure Load Testing's test configuration YAML (`loadTestConfigFile`), loaded and validated with line numbers.
 *
 * The keys and their rules follow the fields the AzureLoadTest@1 task accepts (class YamlConfig and
 * YamlValidationUtil of Azure/load-testing; shared/reference/azure-load-testing.md section 2.1). This module is
 * shared by the local engine and the Azure Load Testing client, so it keeps every Azure key, whether or not the
 * local engine uses it. Our own local-only keys live in `localEngine` (see localExtensions.ts) and are listed in
 * `localOnlyKeys`, so the Azure translator can refuse them instead of silently dropping them.
 *
 * `failureCriteria` and `autoStop` are shape-checked here and kept raw: their grammar belongs to src/criteria.
 */

export type TestType = 'JMX' | 'Locust' | 'URL';
export interface NameValue { name: string; value: string }
export interface ServerMetricCriterion {
  resourceId: string; metricNamespace?: string; metricName: string; aggregation: string;
  condition: 'GreaterThan' | 'LessThan'; value: number;
}
export interface AppComponent {
  resourceId: string; kind?: string; resourceName?: string;
  metrics?: Array<{ name: string; aggregation: string; namespace?: string }>;
}
export interface ReferenceIdentity { kind: 'KeyVault' | 'Metrics' | 'Engine'; type: 'SystemAssigned' | 'UserAssigned'; value?: string }

export interface AltTestConfig {
  /** Absolute path of the YAML file; relative paths inside it resolve against its folder. */
  file: string;
  version: 'v0.1';
  /** Lower-cased, as the AzureLoadTest@1 task sends it. `testName` (deprecated) is accepted as an alias. */
  testId: string;
  displayName: string;
  description?: string;
  testType: TestType;
  /** Absolute path of the plan: `.jmx`, `.py` (Locust) or `.json` (URL-test requests JSON). */
  testPlan: string;
  engineInstances: number;
  /** Absolute paths. */
  configurationFiles: string[];
  zipArtifacts: string[];
  splitAllCSVs: boolean;
  properties?: { userPropertyFile?: string };
  env: NameValue[];
  secrets: NameValue[];
  certificates: NameValue[];
  /** Raw value for src/criteria (`parseFailureCriteria`): a list, or `{ clientMetrics, serverMetrics }`. */
  failureCriteria?: unknown;
  /** The client-metric part of `failureCriteria`, whichever form was used, with its document path. */
  clientCriteria: { raw: unknown[]; path: DocPath };
  serverMetrics: ServerMetricCriterion[];
  /** Raw value for src/criteria (`parseAutoStop`): `disable` or `{ errorPercentage, timeWindow, ... }`. */
  autoStop?: unknown;
  appComponents: AppComponent[];
  subnetId?: string;
  publicIPDisabled?: boolean;
  keyVaultReferenceIdentity?: string;
  keyVaultReferenceIdentityType?: 'SystemAssigned' | 'UserAssigned';
  referenceIdentities: ReferenceIdentity[];
  regionalLoadTestConfig: Array<{ region: string; engineInstances: number }>;
  /** Our extension for the local engine (not an Azure key). */
  localEngine: LocalEngineOptions;
  /** Raw `capacity` block (local-only), validated by src/capacity/settings.ts when a capacity search runs. */
  capacity?: unknown;
  /** Local-only keys present in the file, e.g. `localEngine (line 14)`. The Azure translator refuses these. */
  localOnlyKeys: string[];
  /** 1-based line of the value at a document path, for messages of later validation steps. */
  lineOf(path: DocPath): number | undefined;
}

/** Every key the AzureLoadTest@1 task accepts (reference section 2.1). */
export const AZURE_KEYS = Object.freeze([
  'version', 'testId', 'testName', 'displayName', 'description', 'testType', 'testPlan', 'engineInstances',
  'configurationFiles', 'zipArtifacts', 'splitAllCSVs', 'properties', 'env', 'secrets', 'certificates',
  'failureCriteria', 'autoStop', 'appComponents', 'subnetId', 'publicIPDisabled', 'keyVaultReferenceIdentity',
  'keyVaultReferenceIdentityType', 'referenceIdentities', 'regionalLoadTestConfig',
] as const);

const PLAN_EXTENSIONS: Record<TestType, string> = { JMX: '.jmx', Locust: '.py', URL: '.json' };
const ARM_ID = /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resourcegroups\/[^/]+\/providers\/.+/i;
const IDENTITY_TYPES = ['SystemAssigned', 'UserAssigned'] as const;

/** Reads and validates the file. Throws ConfigError listing every problem. */
export function loadAltConfig(file: string): AltTestConfig {
  const absolute = path.resolve(file);
  assertInputSize(absolute, 'yaml', file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot read the load test configuration (${(error as NodeJS.ErrnoException).code ?? error}); check the path`, { cause: error });
  }
  return parseAltConfig(text, absolute, file);
}

export function parseAltConfig(text: string, file: string, displayName = file): AltTestConfig {
  if (!/\.ya?ml$/i.test(file)) {
    throw new ConfigError(`${displayName}: the load test configuration file should be of type .yaml or .yml`);
  }
  const source = parseYamlSource(file, text, displayName);
  if (source.syntaxProblems.length) throw new ConfigError(source.syntaxProblems);
  const p = new Problems(displayName, source.lineOf);
  const doc = source.data;
  if (!isRecord(doc)) throw new ConfigError(`${displayName}: expected a YAML mapping of keys such as testId and testPlan`);
  const dir = path.dirname(path.resolve(file));
  const local = checkLocalEngine(p, doc);
  checkKeys(p, [], Object.fromEntries(Object.entries(doc).filter(([k]) => !LOCAL_ONLY_KEYS.includes(k))), AZURE_KEYS);

  const str = (key: string, opts: { required?: boolean; min?: number; max?: number } = {}): string | undefined => {
    const v = doc[key];
    if (v === undefined || v === null) {
      if (opts.required) p.add([key], `required; add "${key}: ..."`);
      return undefined;
    }
    if (typeof v !== 'string' && typeof v !== 'number') return void p.add([key], `must be a string`);
    const s = String(v);
    if (opts.min !== undefined && s.length < opts.min) p.add([key], `must be at least ${opts.min} characters`);
    if (opts.max !== undefined && s.length > opts.max) p.add([key], `must be at most ${opts.max} characters`);
    return s;
  };
  const bool = (key: string): boolean | undefined => {
    const v = doc[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 'True' || v === 'False') return v === 'True';
    return void p.add([key], 'must be true or false');
  };
  const files = (key: string, allowed?: RegExp, hint?: string): string[] => {
    const v = doc[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return p.fail([key], 'must be a list of file paths', []);
    return v.flatMap((item, i) => {
      if (typeof item !== 'string') return p.fail([key, i], 'must be a file path', []);
      if (allowed && !allowed.test(item)) return p.fail([key, i], hint ?? 'unsupported file type', []);
      const resolved = path.resolve(dir, item);
      if (!fs.existsSync(resolved)) p.add([key, i], `file "${item}" not found (paths are relative to the YAML file's folder)`);
      return [resolved];
    });
  };

  const version = str('version');
  if (version !== undefined && version !== 'v0.1') p.add(['version'], `only "v0.1" is supported, found "${version}"`);
  const idKey = doc.testId === undefined && doc.testName !== undefined ? 'testName' : 'testId';
  const testId = (str(idKey, { required: true }) ?? '').toLowerCase();
  if (testId && !/^[a-z0-9_-]{2,50}$/.test(testId)) p.add([idKey], 'must be 2-50 characters of a-z, 0-9, "_" or "-"');
  const displayName_ = str('displayName', { min: 2, max: 50 });
  const description = str('description', { max: 100 });

  let testType: TestType = 'JMX';
  const rawType = str('testType');
  if (rawType !== undefined) {
    const found = (Object.keys(PLAN_EXTENSIONS) as TestType[]).find((t) => t.toLowerCase() === rawType.toLowerCase());
    if (found) testType = found;
    else p.add(['testType'], `must be JMX, Locust or URL, found "${rawType}"`);
  }
  let testPlan = '';
  const rawPlan = str('testPlan', { required: true });
  if (rawPlan !== undefined) {
    testPlan = path.resolve(dir, rawPlan);
    const ext = PLAN_EXTENSIONS[testType];
    if (path.extname(rawPlan).toLowerCase() !== ext) p.add(['testPlan'], `a ${testType} test plan must be a ${ext} file`);
    else if (!fs.existsSync(testPlan)) p.add(['testPlan'], `file "${rawPlan}" not found (paths are relative to the YAML file's folder)`);
  }

  let engineInstances = 1;
  if (doc.engineInstances !== undefined) {
    const n = doc.engineInstances;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 400) p.add(['engineInstances'], 'must be a whole number from 1 to 400');
    else engineInstances = n;
  }
  const isUrl = testType === 'URL';
  const configurationFiles = files('configurationFiles', isUrl ? /\.csv$/i : undefined, 'a URL test accepts only .csv configuration files');
  if (isUrl && doc.zipArtifacts !== undefined) p.add(['zipArtifacts'], 'is not allowed for a URL test; remove it');
  const zipArtifacts = isUrl ? [] : files('zipArtifacts', /\.zip$/i, 'must be a .zip file');
  const splitAllCSVs = bool('splitAllCSVs') ?? false;
  const properties = checkProperties(p, doc.properties, testType, dir);

  const env = nameValues(p, doc, 'env');
  const secrets = nameValues(p, doc, 'secrets', /(http|https):\/\/.*\/secrets\/.+$/, 'must be an Azure Key Vault secret URI (https://<vault>.vault.azure.net/secrets/<name>/...)');
  const certificates = nameValues(p, doc, 'certificates', /\/certificates\//, 'must be an Azure Key Vault certificate URI');
  if (certificates.length > 1) p.add(['certificates'], 'at most one certificate is allowed');

  const { clientCriteria, serverMetrics } = checkFailureCriteria(p, doc.failureCriteria);
  const autoStop = doc.autoStop;
  if (autoStop !== undefined && autoStop !== 'disable' && !isRecord(autoStop)) {
    p.add(['autoStop'], 'must be "disable" or a mapping with errorPercentage and timeWindow');
  }
  const appComponents = checkAppComponents(p, doc.appComponents);
  const subnetId = str('subnetId');
  const publicIPDisabled = bool('publicIPDisabled');
  if (publicIPDisabled && !subnetId) p.add(['publicIPDisabled'], 'requires subnetId');
  const keyVaultReferenceIdentity = str('keyVaultReferenceIdentity');
  const kvType = str('keyVaultReferenceIdentityType');
  if (kvType !== undefined && !(IDENTITY_TYPES as readonly string[]).includes(kvType)) p.add(['keyVaultReferenceIdentityType'], 'must be SystemAssigned or UserAssigned');
  const referenceIdentities = checkReferenceIdentities(p, doc.referenceIdentities);
  const regionalLoadTestConfig = checkRegions(p, doc.regionalLoadTestConfig, engineInstances);

  if (p.list.length) throw new ConfigError(p.list);
  return {
    file: path.resolve(file), version: 'v0.1', testId, displayName: displayName_ ?? testId, description, testType, testPlan,
    engineInstances, configurationFiles, zipArtifacts, splitAllCSVs, properties, env, secrets, certificates,
    failureCriteria: doc.failureCriteria, clientCriteria, serverMetrics, autoStop, appComponents, subnetId, publicIPDisabled,
    keyVaultReferenceIdentity, keyVaultReferenceIdentityType: kvType as AltTestConfig['keyVaultReferenceIdentityType'],
    referenceIdentities, regionalLoadTestConfig, localEngine: local, capacity: doc.capacity,
    localOnlyKeys: LOCAL_ONLY_KEYS.filter((k) => k in doc).map((k) => `${k} (line ${source.lineOf([k]) ?? '?'})`),
    lineOf: source.lineOf,
  };
}

function nameValues(p: Problems, doc: Record<string, unknown>, key: string, valuePattern?: RegExp, hint?: string): NameValue[] {
  const v = doc[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return p.fail([key], 'must be a list of {name, value}', []);
  return v.flatMap((item, i) => {
    if (!isRecord(item)) return p.fail([key, i], 'must be {name, value}', []);
    checkKeys(p, [key, i], item, ['name', 'value']);
    if (typeof item.name !== 'string' || !item.name) p.add([key, i, 'name'], 'required');
    const value = item.value === undefined || item.value === null ? '' : String(item.value);
    if (valuePattern && !valuePattern.test(value)) p.add([key, i, 'value'], hint ?? 'invalid value');
    return typeof item.name === 'string' ? [{ name: item.name, value }] : [];
  });
}

function checkProperties(p: Problems, v: unknown, testType: TestType, dir: string): AltTestConfig['properties'] {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) return void p.add(['properties'], 'must be a mapping with userPropertyFile');
  checkKeys(p, ['properties'], v, ['userPropertyFile']);
  const file = v.userPropertyFile;
  if (file === undefined) return {};
  if (typeof file !== 'string') return void p.add(['properties', 'userPropertyFile'], 'must be a file path');
  if (testType === 'URL') p.add(['properties', 'userPropertyFile'], 'is not allowed for a URL test; remove it');
  else if (testType === 'JMX' && !/\.properties$/i.test(file)) p.add(['properties', 'userPropertyFile'], 'a JMX test needs a .properties file');
  else if (testType === 'Locust' && !/\.(conf|ini|toml)$/i.test(file)) p.add(['properties', 'userPropertyFile'], 'a Locust test needs a .conf, .ini or .toml file');
  const resolved = path.resolve(dir, file);
  if (!fs.existsSync(resolved)) p.add(['properties', 'userPropertyFile'], `file "${file}" not found`);
  return { userPropertyFile: resolved };
}

function checkFailureCriteria(p: Problems, v: unknown): { clientCriteria: AltTestConfig['clientCriteria']; serverMetrics: ServerMetricCriterion[] } {
  const none = { clientCriteria: { raw: [], path: ['failureCriteria'] }, serverMetrics: [] };
  if (v === undefined || v === null) return none;
  if (Array.isArray(v)) return { clientCriteria: { raw: v, path: ['failureCriteria'] }, serverMetrics: [] };
  if (!isRecord(v)) return p.fail(['failureCriteria'], 'must be a list of criteria or a mapping with clientMetrics and serverMetrics', none);
  checkKeys(p, ['failureCriteria'], v, ['clientMetrics', 'serverMetrics']);
  const client = v.clientMetrics ?? [];
  if (!Array.isArray(client)) p.add(['failureCriteria', 'clientMetrics'], 'must be a list of criteria');
  const server = v.serverMetrics ?? [];
  const serverMetrics: ServerMetricCriterion[] = [];
  if (!Array.isArray(server)) p.add(['failureCriteria', 'serverMetrics'], 'must be a list');
  else server.forEach((item, i) => {
    const at: DocPath = ['failureCriteria', 'serverMetrics', i];
    if (!isRecord(item)) return p.add(at, 'must be a mapping with resourceId, metricName, aggregation, condition and value');
    checkKeys(p, at, item, ['resourceId', 'metricNamespace', 'metricName', 'aggregation', 'condition', 'value']);
    for (const k of ['resourceId', 'metricName', 'aggregation']) if (typeof item[k] !== 'string') p.add([...at, k], 'required');
    if (item.condition !== 'GreaterThan' && item.condition !== 'LessThan') p.add([...at, 'condition'], 'must be GreaterThan or LessThan');
    if (typeof item.value !== 'number') p.add([...at, 'value'], 'must be a number');
    serverMetrics.push(item as unknown as ServerMetricCriterion);
  });
  return { clientCriteria: { raw: Array.isArray(client) ? client : [], path: ['failureCriteria', 'clientMetrics'] }, serverMetrics };
}

function checkAppComponents(p: Problems, v: unknown): AppComponent[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return p.fail(['appComponents'], 'must be a list', []);
  return v.flatMap((item, i) => {
    const at: DocPath = ['appComponents', i];
    if (!isRecord(item)) return p.fail(at, 'must be a mapping with resourceId', []);
    checkKeys(p, at, item, ['resourceId', 'kind', 'resourceName', 'metrics']);
    if (typeof item.resourceId !== 'string' || !ARM_ID.test(item.resourceId)) {
      p.add([...at, 'resourceId'], 'must be an Azure resource id: /subscriptions/<subscription GUID>/resourceGroups/<group>/providers/...');
    }
    if (item.metrics !== undefined) {
      if (!Array.isArray(item.metrics)) p.add([...at, 'metrics'], 'must be a list of {name, aggregation, namespace?}');
      else item.metrics.forEach((m, j) => {
        if (!isRecord(m)) return p.add([...at, 'metrics', j], 'must be {name, aggregation, namespace?}');
        checkKeys(p, [...at, 'metrics', j], m, ['name', 'aggregation', 'namespace']);
        if (typeof m.name !== 'string') p.add([...at, 'metrics', j, 'name'], 'required');
        if (typeof m.aggregation !== 'string') p.add([...at, 'metrics', j, 'aggregation'], 'required');
      });
    }
    return [item as unknown as AppComponent];
  });
}

function checkReferenceIdentities(p: Problems, v: unknown): ReferenceIdentity[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return p.fail(['referenceIdentities'], 'must be a list', []);
  const seen = { KeyVault: 0, Metrics: 0, Engine: 0 };
  return v.flatMap((item, i) => {
    const at: DocPath = ['referenceIdentities', i];
    if (!isRecord(item)) return p.fail(at, 'must be {kind, type, value?}', []);
    checkKeys(p, at, item, ['kind', 'type', 'value']);
    const kind = item.kind as keyof typeof seen;
    if (!(kind in seen)) p.add([...at, 'kind'], 'must be KeyVault, Metrics or Engine');
    else if (++seen[kind] > 1 && kind !== 'Engine') p.add([...at, 'kind'], `at most one ${kind} identity is allowed`);
    if (!(IDENTITY_TYPES as readonly unknown[]).includes(item.type)) p.add([...at, 'type'], 'must be SystemAssigned or UserAssigned');
    if (item.type === 'UserAssigned' && typeof item.value !== 'string') p.add([...at, 'value'], 'a UserAssigned identity needs its resource id');
    return [item as unknown as ReferenceIdentity];
  });
}

function checkRegions(p: Problems, v: unknown, engineInstances: number): AltTestConfig['regionalLoadTestConfig'] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return p.fail(['regionalLoadTestConfig'], 'must be a list of {region, engineInstances}', []);
  if (v.length < 2) p.add(['regionalLoadTestConfig'], 'needs at least 2 regions');
  let sum = 0;
  const regions = v.flatMap((item, i) => {
    if (!isRecord(item)) return p.fail(['regionalLoadTestConfig', i], 'must be {region, engineInstances}', []);
    checkKeys(p, ['regionalLoadTestConfig', i], item, ['region', 'engineInstances']);
    if (typeof item.region !== 'string') p.add(['regionalLoadTestConfig', i, 'region'], 'required');
    if (typeof item.engineInstances !== 'number' || !Number.isInteger(item.engineInstances) || item.engineInstances < 1) {
      p.add(['regionalLoadTestConfig', i, 'engineInstances'], 'must be a whole number of at least 1');
    } else sum += item.engineInstances;
    return [{ region: String(item.region), engineInstances: Number(item.engineInstances) }];
  });
  if (v.length >= 2 && sum !== engineInstances) p.add(['regionalLoadTestConfig'], `engine instances add up to ${sum}, but engineInstances is ${engineInstances}; make them equal`);
  return regions;
}
