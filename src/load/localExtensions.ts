import * as fs from 'node:fs';
import { checkKeys, isRecord, parseYamlSource, type Problems } from '../config/yamlSource';

/**
 * Keys of ours that Azure Load Testing does not know. They are kept apart from the Azure keys so that the Azure
 * translator can refuse a file using them (Azure would reject them as "unsupported field(s)") rather than
 * silently run a different test.
 *
 * In the test configuration YAML:
 *   localEngine:
 *     requestTimeoutSeconds: 30   # per request, headers and body; a timeout counts as a network error
 *     connectTimeoutSeconds: 5    # the preflight check and each new connection
 *
 *   capacity:                   # settings of `readiness capacity` (the capacity search); see src/capacity/settings.ts
 *     serviceLevel: [...]       # and docs/capacity.md
 *
 * In the URL-test requests JSON, `testSetup[].loadType: constantArrivalRate` with `requestsPerSecond` and
 * `maxVirtualUsers` (the open model; see urlTestSetup.ts).
 */
export const LOCAL_ONLY_KEYS: readonly string[] = Object.freeze(['localEngine', 'capacity']);
export const LOCAL_ONLY_LOAD_TYPES: readonly string[] = Object.freeze(['constantArrivalRate']);
export const LOCAL_ONLY_SETUP_KEYS: readonly string[] = Object.freeze(['requestsPerSecond', 'maxVirtualUsers']);

export interface LocalEngineOptions {
  requestTimeoutSeconds: number;
  connectTimeoutSeconds: number;
}

export const LOCAL_ENGINE_DEFAULTS: Readonly<LocalEngineOptions> = Object.freeze({
  requestTimeoutSeconds: 30,
  connectTimeoutSeconds: 5,
});

export function checkLocalEngine(p: Problems, doc: Record<string, unknown>): LocalEngineOptions {
  const options = { ...LOCAL_ENGINE_DEFAULTS };
  const v = doc.localEngine;
  if (v === undefined || v === null) return options;
  if (!isRecord(v)) {
    p.add(['localEngine'], 'must be a mapping with requestTimeoutSeconds and/or connectTimeoutSeconds');
    return options;
  }
  checkKeys(p, ['localEngine'], v, Object.keys(LOCAL_ENGINE_DEFAULTS));
  for (const key of Object.keys(LOCAL_ENGINE_DEFAULTS) as (keyof LocalEngineOptions)[]) {
    const n = v[key];
    if (n === undefined) continue;
    if (typeof n !== 'number' || !(n > 0) || n > 600) p.add(['localEngine', key], 'must be a number of seconds above 0 and at most 600');
    else options[key] = n;
  }
  return options;
}

/**
 * Every local-only feature a test uses, each with its file and line, for the Azure Load Testing translator to
 * refuse: the YAML's `localEngine` block, and in a URL test's requests JSON the open-model load type and keys.
 * Reads the requests JSON only as far as `testSetup`; it does not validate the plan (the local loader does).
 */
export function findLocalOnlyFeatures(config: { file: string; testType: string; testPlan: string; localOnlyKeys: string[] }): string[] {
  const found = config.localOnlyKeys.map((k) => `${config.file}: ${k}`);
  if (config.testType !== 'URL') return found;
  let source;
  try {
    source = parseYamlSource(config.testPlan, fs.readFileSync(config.testPlan, 'utf8'), config.testPlan, 'requests');
  } catch {
    return found;
  }
  const setups = isRecord(source.data) && Array.isArray(source.data.testSetup) ? source.data.testSetup : [];
  setups.forEach((setup, i) => {
    if (!isRecord(setup)) return;
    const loadType = String(setup.loadType ?? '');
    if (LOCAL_ONLY_LOAD_TYPES.some((t) => t.toLowerCase() === loadType.toLowerCase())) {
      found.push(`${config.testPlan}:${source.lineOf(['testSetup', i, 'loadType'])} testSetup[${i}].loadType: ${loadType}`);
    }
    for (const key of LOCAL_ONLY_SETUP_KEYS) {
      if (key in setup) found.push(`${config.testPlan}:${source.lineOf(['testSetup', i, key])} testSetup[${i}].${key}`);
    }
  });
  return found;
}
