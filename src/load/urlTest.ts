import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors';
import { parseCsv, type CsvDataSet } from './csvData';
import { parseCurl } from './curl';
import { compileJsonPath, type Extractor } from './extract';
import { LOCAL_ONLY_LOAD_TYPES, LOCAL_ONLY_SETUP_KEYS } from './localExtensions';
import { checkLoadShape, type LoadShape, type ShapeOverrides } from './loadShape';
import { bindTemplate, compileTemplate, type Template } from './template';
import { assertInputSize } from '../config/inputSize';
import { checkKeys, isRecord, parseYamlSource, Problems, type DocPath } from '../config/yamlSource';

/**
 * The URL-test "requests JSON" of Azure Load Testing (`testType: URL`): scenarios of named requests and a
 * `testSetup` saying how to load them. Field names follow the requests JSON reference of Azure Load Testing
 * (shared/reference/azure-load-testing.md section 2.5). JSON is read through the YAML parser so that every
 * problem can name its line.
 */
export interface PlannedRequest {
  name: string;
  method: string;
  /** The endpoint with env and secret values already bound; CSV and response variables stay. */
  endpoint: Template;
  query: Array<{ key: string; value: Template }>;
  headers: Array<{ name: string; value: Template }>;
  body?: Template;
  extractors: Extractor[];
  /** `scheme://host:port` when it is known before the run (no run-time variable in it). */
  origin?: string;
}

export interface Scenario { name: string; requests: PlannedRequest[]; csv: CsvDataSet[] }
export interface ScenarioSetup { scenario: Scenario; shape: LoadShape }
export interface UrlTestPlan {
  file: string;
  setups: ScenarioSetup[];
  /** Local-only features used (the open model), for the Azure translator to refuse. */
  localOnly: string[];
}

export interface UrlTestContext {
  /** Values known before the run: env (YAML `env`, then the task's `env` input) and secrets given as values. */
  known: Readonly<Record<string, string>>;
  /** Names of YAML `secrets` (Key Vault references) with no value given locally. */
  unresolvedSecrets?: readonly string[];
  /** Absolute paths of the YAML's `configurationFiles`. CSV data sets are looked up among them by file name. */
  configurationFiles: readonly string[];
  engineInstances: number;
  overrides?: ShapeOverrides;
}

const REQUEST_KEYS = ['requestName', 'responseVariables', 'queryParameters', 'requestType', 'endpoint', 'headers', 'body', 'method', 'requestBodyFormat', 'curlCommand'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
/** Content types for `requestBodyFormat`, used when the request sets no Content-Type header itself. */
const BODY_TYPES: Record<string, string> = {
  Text: 'text/plain', JSON: 'application/json', JavaScript: 'application/javascript', HTML: 'text/html', XML: 'application/xml',
};

export function loadUrlTest(file: string, ctx: UrlTestContext): UrlTestPlan {
  assertInputSize(file, 'requests');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot read the requests JSON (${(error as NodeJS.ErrnoException).code}); check testPlan`, { cause: error });
  }
  const source = parseYamlSource(file, text, file, 'requests');
  if (source.syntaxProblems.length) throw new ConfigError(source.syntaxProblems.map((s) => s.replace('YAML syntax', 'JSON syntax')));
  const p = new Problems(file, source.lineOf);
  const doc = source.data;
  if (!isRecord(doc)) throw new ConfigError(`${file}: expected a JSON object with "scenarios" and "testSetup"`);
  checkKeys(p, [], doc, ['version', 'scenarios', 'testSetup']);

  const scenarios = new Map<string, Scenario>();
  if (!isRecord(doc.scenarios) || Object.keys(doc.scenarios).length === 0) {
    p.add(['scenarios'], 'must be an object of named request groups, e.g. {"requestGroup1": {"requests": [...]}}');
  } else {
    for (const [name, raw] of Object.entries(doc.scenarios)) {
      const scenario = checkScenario(p, ['scenarios', name], name, raw, ctx);
      if (scenario) scenarios.set(name, scenario);
    }
  }

  const setups: ScenarioSetup[] = [];
  const localOnly: string[] = [];
  if (!Array.isArray(doc.testSetup) || doc.testSetup.length === 0) {
    p.add(['testSetup'], 'must be a list with at least one {scenario, loadType, virtualUsersPerEngine, durationInSeconds}');
  } else {
    doc.testSetup.forEach((raw, i) => {
      const at: DocPath = ['testSetup', i];
      if (!isRecord(raw)) return p.add(at, 'must be an object');
      const shape = checkLoadShape(p, at, raw, ctx.engineInstances, ctx.overrides);
      const name = raw.scenario ?? (scenarios.size === 1 ? [...scenarios.keys()][0] : undefined);
      const scenario = typeof name === 'string' ? scenarios.get(name) : undefined;
      if (!scenario && scenarios.size) p.add([...at, 'scenario'], `must name one of the scenarios: ${[...scenarios.keys()].join(', ')}`);
      if (typeof raw.loadType === 'string' && LOCAL_ONLY_LOAD_TYPES.some((t) => t.toLowerCase() === String(raw.loadType).toLowerCase())) {
        localOnly.push(`testSetup[${i}].loadType ${raw.loadType} (line ${source.lineOf([...at, 'loadType'])})`);
      }
      for (const key of LOCAL_ONLY_SETUP_KEYS) if (key in raw) localOnly.push(`testSetup[${i}].${key} (line ${source.lineOf([...at, key])})`);
      if (shape && scenario) setups.push({ scenario, shape });
    });
  }
  if (p.list.length) throw new ConfigError(p.list);
  return { file, setups, localOnly };
}

function checkScenario(p: Problems, at: DocPath, name: string, raw: unknown, ctx: UrlTestContext): Scenario | undefined {
  if (!isRecord(raw)) return void p.add(at, 'must be an object with "requests"');
  checkKeys(p, at, raw, ['requests', 'csvDataSetConfigList']);
  const csv = checkCsvList(p, [...at, 'csvDataSetConfigList'], raw.csvDataSetConfigList, ctx);
  if (!Array.isArray(raw.requests) || raw.requests.length === 0) return void p.add([...at, 'requests'], 'must be a non-empty list of requests');
  const requests: PlannedRequest[] = [];
  raw.requests.forEach((r, i) => {
    const request = checkRequest(p, [...at, 'requests', i], r, ctx);
    if (!request) return;
    if (requests.some((other) => other.name === request.name)) p.add([...at, 'requests', i, 'requestName'], `"${request.name}" is used twice; request names must be unique`);
    requests.push(request);
  });
  // Every ${name} must be defined somewhere, so a typo fails before any traffic is sent.
  const defined = new Set([...Object.keys(ctx.known), ...csv.flatMap((c) => c.variableNames), ...requests.flatMap((r) => r.extractors.map((e) => e.variableName))]);
  raw.requests.forEach((_, i) => {
    const r = requests[i];
    if (!r) return;
    const templates: [DocPath, Template][] = [
      [['endpoint'], r.endpoint], ...r.query.map((q, j): [DocPath, Template] => [['queryParameters', j], q.value]),
      ...r.headers.map((h): [DocPath, Template] => [['headers', h.name], h.value]), ...(r.body ? [[['body'], r.body] as [DocPath, Template]] : []),
    ];
    for (const [where, t] of templates) for (const v of t.names) {
      if (defined.has(v)) continue;
      const remedy = ctx.unresolvedSecrets?.includes(v)
        ? 'it is a Key Vault secret, which the local engine cannot read; pass its value in the task\'s secrets input (with the CLI: --env NAME=VALUE)'
        : 'define it in the YAML env, a CSV data set\'s variableNames or a responseVariables entry';
      p.add([...at, 'requests', i, ...where], `unknown variable "\${${v}}": ${remedy}`);
    }
  });
  return { name, requests, csv };
}

function checkCsvList(p: Problems, at: DocPath, raw: unknown, ctx: UrlTestContext): CsvDataSet[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return p.fail(at, 'must be a list of {fileName, variableNames}', []);
  return raw.flatMap((item, i) => {
    if (!isRecord(item)) return p.fail([...at, i], 'must be {fileName, variableNames}', []);
    checkKeys(p, [...at, i], item, ['fileName', 'variableNames']);
    const fileName = item.fileName;
    if (typeof fileName !== 'string') return p.fail([...at, i, 'fileName'], 'required', []);
    const file = ctx.configurationFiles.find((f) => path.basename(f) === path.basename(fileName));
    if (!file) return p.fail([...at, i, 'fileName'], `"${fileName}" is not in the YAML's configurationFiles; add it there`, []);
    const rows = parseCsv(fs.readFileSync(file, 'utf8'));
    let variableNames = typeof item.variableNames === 'string' ? item.variableNames.split(',').map((s) => s.trim()).filter(Boolean) : [];
    // Without variableNames the first line names the columns, as in JMeter's CSV Data Set.
    if (variableNames.length === 0) variableNames = rows.shift() ?? [];
    if (rows.length === 0) p.add([...at, i, 'fileName'], `"${fileName}" has no data rows`);
    return [{ file, variableNames, rows }];
  });
}

function checkRequest(p: Problems, at: DocPath, input: unknown, ctx: UrlTestContext): PlannedRequest | undefined {
  if (!isRecord(input)) return void p.add(at, 'must be an object with requestName, method and endpoint');
  let raw = input;
  checkKeys(p, at, raw, REQUEST_KEYS);
  const name = typeof raw.requestName === 'string' && raw.requestName ? raw.requestName : undefined;
  if (!name) p.add([...at, 'requestName'], 'required: a unique name, used by failure criteria and in the results');
  if (raw.requestType === 'CURL') {
    if (typeof raw.curlCommand !== 'string' || !raw.curlCommand) return void p.add([...at, 'curlCommand'], 'required for requestType CURL');
    const curl = parseCurl(raw.curlCommand);
    if (typeof curl === 'string') return void p.add([...at, 'curlCommand'], curl);
    // From here on a cURL request is checked exactly like the same request written out (requestType URL).
    raw = { ...raw, method: curl.method, endpoint: curl.url, headers: curl.headers.map(([key, value]) => ({ key, value })), body: curl.body };
  } else if ((raw.requestType ?? 'URL') !== 'URL') {
    return void p.add([...at, 'requestType'], `must be URL or CURL, found ${JSON.stringify(raw.requestType)}`);
  }
  const method = String(raw.method ?? 'GET').toUpperCase();
  if (!METHODS.includes(method)) p.add([...at, 'method'], `must be one of ${METHODS.join(', ')}`);
  const bind = (text: string, encode = false) => bindTemplate(compileTemplate(text, encode), ctx.known);

  let endpoint: Template | undefined;
  let origin: string | undefined;
  if (typeof raw.endpoint !== 'string' || !raw.endpoint) p.add([...at, 'endpoint'], 'required: the URL to call, e.g. https://example.com/api');
  else {
    endpoint = bind(raw.endpoint);
    const sample = endpoint.parts.join('x');
    let url: URL | undefined;
    try {
      url = new URL(sample);
    } catch {
      // Quote the endpoint as written: the bound one may hold env or secret values.
      p.add([...at, 'endpoint'], `"${raw.endpoint}" is not a valid URL; write it as http(s)://host[:port]/path`);
    }
    if (url && url.protocol !== 'http:' && url.protocol !== 'https:') p.add([...at, 'endpoint'], `must be an http or https URL, found ${url.protocol}`);
    const fixed = /^https?:\/\/[^/?#$]+/i.exec(endpoint.parts[0]);
    if (url && fixed && (endpoint.names.length === 0 || endpoint.parts[0].length > fixed[0].length)) origin = new URL(fixed[0]).origin;
  }

  const query: PlannedRequest['query'] = [];
  if (raw.queryParameters !== undefined && raw.queryParameters !== null) {
    if (!Array.isArray(raw.queryParameters)) p.add([...at, 'queryParameters'], 'must be a list of {key, value}');
    else raw.queryParameters.forEach((q, j) => {
      if (!isRecord(q) || typeof q.key !== 'string') return p.add([...at, 'queryParameters', j], 'must be {key, value}');
      checkKeys(p, [...at, 'queryParameters', j], q, ['key', 'value']);
      query.push({ key: encodeURIComponent(q.key), value: bind(String(q.value ?? ''), true) });
    });
  }

  const headers: PlannedRequest['headers'] = [];
  const rawHeaders = Array.isArray(raw.headers)
    ? raw.headers.map((h) => (isRecord(h) ? [String(h.key ?? h.name), h.value] : [undefined, undefined]))
    : isRecord(raw.headers) ? Object.entries(raw.headers) : raw.headers == null ? [] : undefined;
  if (!rawHeaders) p.add([...at, 'headers'], 'must be an object of header names and values');
  for (const [hName, hValue] of rawHeaders ?? []) {
    if (typeof hName !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(hName)) p.add([...at, 'headers'], `invalid header name ${JSON.stringify(hName)}`);
    else headers.push({ name: hName.toLowerCase(), value: bind(String(hValue ?? '')) });
  }

  let body: Template | undefined;
  if (raw.body !== undefined && raw.body !== null) body = bind(typeof raw.body === 'string' ? raw.body : JSON.stringify(raw.body));
  const format = raw.requestBodyFormat;
  if (format !== undefined && format !== null) {
    if (typeof format !== 'string' || !BODY_TYPES[format]) p.add([...at, 'requestBodyFormat'], `must be one of ${Object.keys(BODY_TYPES).join(', ')}`);
    else if (body && !headers.some((h) => h.name === 'content-type')) headers.push({ name: 'content-type', value: compileTemplate(BODY_TYPES[format]) });
  }

  const extractors = checkExtractors(p, [...at, 'responseVariables'], raw.responseVariables);
  if (!name || !endpoint) return undefined;
  return { name, method, endpoint, query, headers, body, extractors, origin };
}

function checkExtractors(p: Problems, at: DocPath, raw: unknown): Extractor[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return p.fail(at, 'must be a list of {extractorType, expression, variableName}', []);
  return raw.flatMap((item, i): Extractor[] => {
    if (!isRecord(item)) return p.fail([...at, i], 'must be {extractorType, expression, variableName}', []);
    checkKeys(p, [...at, i], item, ['extractorType', 'expression', 'variableName']);
    const { extractorType, expression, variableName } = item;
    if (typeof variableName !== 'string' || !/^[A-Za-z_][\w.-]*$/.test(variableName)) return p.fail([...at, i, 'variableName'], 'required: a name of letters, digits, "_", "." or "-"', []);
    if (typeof expression !== 'string' || !expression) return p.fail([...at, i, 'expression'], 'required', []);
    if (extractorType === 'JSONExtractor') {
      const steps = compileJsonPath(expression);
      if (typeof steps === 'string') return p.fail([...at, i, 'expression'], steps, []);
      return [{ kind: 'json', variableName, expression, steps }];
    }
    if (extractorType === 'RegularExpression') {
      try {
        return [{ kind: 'regex', variableName, expression, pattern: new RegExp(expression) }];
      } catch (error) {
        return p.fail([...at, i, 'expression'], `invalid regular expression: ${(error as Error).message}`, []);
      }
    }
    if (extractorType === 'XPathExtractor') return p.fail([...at, i, 'extractorType'], 'XPathExtractor is not run by the local engine; use JSONExtractor or RegularExpression, or engine: azure', []);
    return p.fail([...at, i, 'extractorType'], 'must be JSONExtractor or RegularExpression (XPathExtractor runs on Azure only)', []);
  });
}
