import * as path from 'node:path';
import { ConfigError } from '../errors';
import { parseFailureCriteria, type Criterion } from '../criteria';
import { checkKeys, isRecord, Problems, type DocPath } from '../config/yamlSource';
import type { AltTestConfig } from '../load/altConfig';
import { MAX_LOCAL_VIRTUAL_USERS } from '../load/loadShape';

/**
 * The `capacity:` block of the test configuration YAML: the settings of the capacity search (`readiness capacity`,
 * the ReadinessLoadTest task's `mode: capacity`). It is one of our local-only keys (src/load/localExtensions.ts),
 * so Azure Load Testing never sees it. Every key is optional; docs/capacity.md explains each one.
 *
 *   capacity:
 *     serviceLevel:                       # failure-criteria grammar; default: the file's failureCriteria
 *       - p95(response_time_ms) > 500
 *       - percentage(error) > 1
 *       - GetUser: p99(response_time_ms) > 800
 *     startRps: 10          maxRps: 5000       stepFactor: 2
 *     holdSeconds: 10       confirmSeconds: 30 precisionPercent: 5
 *     maxVirtualUsers: 1000
 *     budget: { seconds: 600, requests: 1000000 }
 *     expectedPeakRps: 200  headroom: 2        minimumRps: 300
 *     generator: { cpuPercent: 85, lagMs: 50, cpuPressurePercent: 25 }
 *     azure: { steps: 10, stopAtKnee: true }  # engine azure: the stepped profile (docs/capacity.md, "On Azure Load Testing")
 */
export interface CapacitySettings {
  /** The service level, as failure criteria (a criterion that holds is a breach). */
  serviceLevel: Criterion[];
  startRps: number;
  maxRps: number;
  stepFactor: number;
  holdSeconds: number;
  confirmSeconds: number;
  precisionPercent: number;
  maxVirtualUsers: number;
  budget: { seconds: number; requests: number };
  /** A step whose achieved rate is this many percent below the offered rate has plateaued. */
  plateauPercent: number;
  expectedPeakRps?: number;
  headroom: number;
  minimumRps?: number;
  /** The generator's self-watch: above these it is saturated and its figures are not the service's. */
  generator: { cpuPercent: number; lagMs: number; cpuPressurePercent: number };
  /**
   * engine azure: the stepped profile climbs to each setup's virtualUsersPerEngine in this many equal steps of
   * holdSeconds; with stopAtKnee the run is stopped once a complete step breaks (src/capacity/kneeWatch.ts).
   */
  azure: { steps: number; stopAtKnee: boolean };
}

export const CAPACITY_DEFAULTS = Object.freeze({
  startRps: 10,
  maxRps: 5000,
  stepFactor: 2,
  holdSeconds: 10,
  confirmSeconds: 30,
  precisionPercent: 5,
  maxVirtualUsers: MAX_LOCAL_VIRTUAL_USERS,
  budget: Object.freeze({ seconds: 600, requests: 1_000_000 }),
  plateauPercent: 10,
  headroom: 2,
  generator: Object.freeze({ cpuPercent: 85, lagMs: 50, cpuPressurePercent: 25 }),
  azure: Object.freeze({ steps: 10, stopAtKnee: true }),
});

const KEYS = ['serviceLevel', 'startRps', 'maxRps', 'stepFactor', 'holdSeconds', 'confirmSeconds', 'precisionPercent', 'maxVirtualUsers',
  'budget', 'plateauPercent', 'expectedPeakRps', 'headroom', 'minimumRps', 'generator', 'azure'];

/** Reads and checks the block; every problem is reported at once, each naming file:line and key. */
export function parseCapacitySettings(config: Pick<AltTestConfig, 'file' | 'capacity' | 'failureCriteria' | 'lineOf'>): CapacitySettings {
  const file = path.basename(config.file);
  const p = new Problems(file, (at) => config.lineOf(at));
  const raw = config.capacity ?? {};
  const at: DocPath = ['capacity'];
  if (!isRecord(raw)) {
    p.add(at, 'must be a mapping of search settings such as serviceLevel and holdSeconds; see docs/capacity.md');
    throw new ConfigError(p.list);
  }
  checkKeys(p, at, raw, KEYS);

  const number = (obj: Record<string, unknown>, where: DocPath, key: string, opts: { min: number; max: number; integer?: boolean }, fallback: number): number => {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < opts.min || v > opts.max || (opts.integer && !Number.isInteger(v))) {
      return p.fail([...where, key], `must be ${opts.integer ? 'a whole number' : 'a number'} from ${opts.min} to ${opts.max}, found ${JSON.stringify(v)}`, fallback);
    }
    return v;
  };
  const flag = (obj: Record<string, unknown>, where: DocPath, key: string, fallback: boolean): boolean => {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    return typeof v === 'boolean' ? v : p.fail([...where, key], `must be true or false, found ${JSON.stringify(v)}`, fallback);
  };
  const optional = (key: string, opts: { min: number; max: number }): number | undefined =>
    raw[key] === undefined || raw[key] === null ? undefined : number(raw, at, key, opts, NaN);
  const block = (key: string, keys: string[]): Record<string, unknown> => {
    const v = raw[key];
    if (v === undefined || v === null) return {};
    if (!isRecord(v)) return p.fail([...at, key], `must be a mapping with ${keys.join(' and/or ')}`, {});
    checkKeys(p, [...at, key], v, keys);
    return v;
  };

  const d = CAPACITY_DEFAULTS;
  const startRps = number(raw, at, 'startRps', { min: 0.1, max: 1_000_000 }, d.startRps);
  const maxRps = number(raw, at, 'maxRps', { min: 0.1, max: 1_000_000 }, Math.max(d.maxRps, startRps));
  if (maxRps < startRps) p.add([...at, 'maxRps'], `must be at least startRps (${startRps})`);
  const budgetRaw = block('budget', ['seconds', 'requests']);
  const generatorRaw = block('generator', ['cpuPercent', 'lagMs', 'cpuPressurePercent']);
  const azureRaw = block('azure', ['steps', 'stopAtKnee']);
  const settings: CapacitySettings = {
    serviceLevel: serviceLevel(config, raw, file, p),
    startRps,
    maxRps,
    stepFactor: number(raw, at, 'stepFactor', { min: 1.1, max: 10 }, d.stepFactor),
    holdSeconds: number(raw, at, 'holdSeconds', { min: 1, max: 600 }, d.holdSeconds),
    confirmSeconds: number(raw, at, 'confirmSeconds', { min: 1, max: 3600 }, d.confirmSeconds),
    precisionPercent: number(raw, at, 'precisionPercent', { min: 1, max: 50 }, d.precisionPercent),
    maxVirtualUsers: number(raw, at, 'maxVirtualUsers', { min: 1, max: MAX_LOCAL_VIRTUAL_USERS, integer: true }, d.maxVirtualUsers),
    budget: {
      seconds: number(budgetRaw, [...at, 'budget'], 'seconds', { min: 1, max: 86_400 }, d.budget.seconds),
      requests: number(budgetRaw, [...at, 'budget'], 'requests', { min: 1, max: 1e12, integer: true }, d.budget.requests),
    },
    plateauPercent: number(raw, at, 'plateauPercent', { min: 1, max: 90 }, d.plateauPercent),
    expectedPeakRps: optional('expectedPeakRps', { min: 0.001, max: 1e9 }),
    headroom: number(raw, at, 'headroom', { min: 1, max: 100 }, d.headroom),
    minimumRps: optional('minimumRps', { min: 0.001, max: 1e9 }),
    generator: {
      cpuPercent: number(generatorRaw, [...at, 'generator'], 'cpuPercent', { min: 1, max: 400 }, d.generator.cpuPercent),
      lagMs: number(generatorRaw, [...at, 'generator'], 'lagMs', { min: 1, max: 10_000 }, d.generator.lagMs),
      cpuPressurePercent: number(generatorRaw, [...at, 'generator'], 'cpuPressurePercent', { min: 1, max: 100 }, d.generator.cpuPressurePercent),
    },
    azure: {
      steps: number(azureRaw, [...at, 'azure'], 'steps', { min: 2, max: 50, integer: true }, d.azure.steps),
      stopAtKnee: flag(azureRaw, [...at, 'azure'], 'stopAtKnee', d.azure.stopAtKnee),
    },
  };
  if (p.list.length) throw new ConfigError(p.list);
  return settings;
}

/**
 * The service level: `capacity.serviceLevel` when given, else the file's failureCriteria. Request counts and rates
 * are what the search varies, so criteria on them cannot be a service level.
 */
function serviceLevel(config: Pick<AltTestConfig, 'failureCriteria' | 'lineOf'>, raw: Record<string, unknown>, file: string, p: Problems): Criterion[] {
  const own = raw.serviceLevel !== undefined && raw.serviceLevel !== null;
  const base: DocPath = own ? ['capacity', 'serviceLevel'] : ['failureCriteria'];
  let criteria: Criterion[] = [];
  try {
    criteria = parseFailureCriteria(own ? raw.serviceLevel : config.failureCriteria, { file, lineOf: (q) => config.lineOf([...base, ...q]) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    p.list.push(...error.problems);
    return [];
  }
  for (const c of criteria) {
    if (c.metric === 'requests' || c.metric === 'requests_per_sec') {
      p.list.push(`${file}:${c.line ?? '?'} ${own ? 'capacity.serviceLevel' : 'failureCriteria'}: "${c.expression}": the search varies the request rate, so it cannot be part of the service level; bound latency or errors instead`);
    }
  }
  if (criteria.length === 0) {
    p.add([...(own ? base : ['capacity'])], 'the search needs a service level: add capacity.serviceLevel, e.g. ["p95(response_time_ms) > 500", "percentage(error) > 1"]');
  }
  return criteria;
}
