import { checkKeys, isRecord, type DocPath, type Problems } from '../config/yamlSource';
import { LOCAL_ONLY_LOAD_TYPES, LOCAL_ONLY_SETUP_KEYS } from './localExtensions';

/**
 * Load shapes of a URL test's `testSetup` entries.
 *
 * Azure's shapes are closed-model (a number of virtual users, each sending its scenario's requests one after
 * another): `linear`, `step` and `spike`, with `virtualUsersPerEngine`, `durationInSeconds` (the whole run,
 * ramp-up included) and `rampUpTimeInSeconds`, plus `rampUpSteps` (step) and `spikeMultiplier` /
 * `spikeHoldTimeInSeconds` (spike). Source: Azure Load Testing's requests JSON reference, "Load configuration".
 *
 * Ours: `constantArrivalRate` (open model). Scenario iterations start at a fixed rate, `requestsPerSecond`,
 * whatever the server does; `maxVirtualUsers` caps how many run at once. An iteration that has to wait for a
 * free user still counts its waiting time, because latency is measured from its intended start time. That is
 * what keeps the figures free of coordinated omission.
 */
export type LoadShape =
  | { kind: 'linear'; virtualUsers: number; durationSeconds: number; rampUpSeconds: number }
  | { kind: 'step'; virtualUsers: number; durationSeconds: number; rampUpSeconds: number; rampUpSteps: number }
  | { kind: 'spike'; virtualUsers: number; durationSeconds: number; rampUpSeconds: number; spikeMultiplier: number; spikeHoldSeconds: number }
  | { kind: 'constantArrivalRate'; requestsPerSecond: number; durationSeconds: number; maxVirtualUsers: number };

/** One agent, one process: beyond this, use Azure Load Testing's engines (`engine: azure`). */
export const MAX_LOCAL_VIRTUAL_USERS = 1000;

export const SETUP_KEYS = Object.freeze([
  'virtualUsersPerEngine', 'durationInSeconds', 'loadType', 'scenario', 'rampUpTimeInSeconds', 'rampUpSteps',
  'spikeMultiplier', 'spikeHoldTimeInSeconds', ...LOCAL_ONLY_SETUP_KEYS,
]);

export interface ShapeOverrides {
  durationSeconds?: number;
  virtualUsers?: number;
}

/** Validates one `testSetup` entry. `engineInstances` multiplies users, as each Azure engine runs its own. */
export function checkLoadShape(
  p: Problems, at: DocPath, setup: Record<string, unknown>, engineInstances: number, overrides: ShapeOverrides = {},
): LoadShape | undefined {
  checkKeys(p, at, setup, SETUP_KEYS);
  const rawType = typeof setup.loadType === 'string' ? setup.loadType : 'linear';
  const kinds = ['linear', 'step', 'spike', ...LOCAL_ONLY_LOAD_TYPES];
  const kind = kinds.find((k) => k.toLowerCase() === rawType.toLowerCase()) as LoadShape['kind'] | undefined;
  if (!kind) return void p.add([...at, 'loadType'], `must be linear, step, spike or constantArrivalRate, found "${String(setup.loadType)}"`);

  const number = (key: string, opts: { min: number; integer?: boolean; required?: boolean; fallback?: number }): number => {
    const v = setup[key];
    if (v === undefined || v === null) {
      if (opts.required) p.add([...at, key], `required for loadType ${kind}`);
      return opts.fallback ?? 0;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < opts.min || (opts.integer && !Number.isInteger(v))) {
      p.add([...at, key], `must be ${opts.integer ? 'a whole number' : 'a number'} of at least ${opts.min}, found ${JSON.stringify(v)}`);
      return opts.fallback ?? 0;
    }
    return v;
  };
  const durationSeconds = overrides.durationSeconds ?? number('durationInSeconds', { min: 1, required: true });

  if (kind === 'constantArrivalRate') {
    for (const key of ['virtualUsersPerEngine', 'rampUpTimeInSeconds', 'rampUpSteps', 'spikeMultiplier', 'spikeHoldTimeInSeconds']) {
      if (setup[key] !== undefined) p.add([...at, key], 'does not apply to loadType constantArrivalRate; set requestsPerSecond and maxVirtualUsers');
    }
    const requestsPerSecond = number('requestsPerSecond', { min: 0.001, required: true });
    const maxVirtualUsers = number('maxVirtualUsers', { min: 1, integer: true, fallback: MAX_LOCAL_VIRTUAL_USERS });
    if (maxVirtualUsers > MAX_LOCAL_VIRTUAL_USERS) p.add([...at, 'maxVirtualUsers'], `the local engine runs at most ${MAX_LOCAL_VIRTUAL_USERS} users at once; lower it or use engine: azure`);
    return { kind, requestsPerSecond: requestsPerSecond * engineInstances, durationSeconds, maxVirtualUsers };
  }

  for (const key of LOCAL_ONLY_SETUP_KEYS) if (setup[key] !== undefined) p.add([...at, key], 'only applies to loadType constantArrivalRate');
  const perEngine = overrides.virtualUsers ?? number('virtualUsersPerEngine', { min: 1, integer: true, required: true });
  const virtualUsers = perEngine * engineInstances;
  // A shorter --duration clips the ramp-up (and a spike) instead of failing: the file was valid as written.
  const clip = overrides.durationSeconds !== undefined;
  let rampUpSeconds = number('rampUpTimeInSeconds', { min: 0 });
  if (clip) rampUpSeconds = Math.min(rampUpSeconds, durationSeconds);
  if (rampUpSeconds > durationSeconds) p.add([...at, 'rampUpTimeInSeconds'], `is longer than durationInSeconds (${durationSeconds}); the ramp-up is part of the duration`);
  let shape: LoadShape;
  if (kind === 'step') {
    shape = { kind, virtualUsers, durationSeconds, rampUpSeconds, rampUpSteps: number('rampUpSteps', { min: 1, integer: true, required: true, fallback: 1 }) };
  } else if (kind === 'spike') {
    const spikeMultiplier = number('spikeMultiplier', { min: 1, required: true, fallback: 1 });
    let spikeHoldSeconds = number('spikeHoldTimeInSeconds', { min: 0, required: true });
    if (clip) spikeHoldSeconds = Math.min(spikeHoldSeconds, durationSeconds - rampUpSeconds);
    if (spikeHoldSeconds > durationSeconds - rampUpSeconds) p.add([...at, 'spikeHoldTimeInSeconds'], 'does not fit in the duration after the ramp-up');
    shape = { kind, virtualUsers, durationSeconds, rampUpSeconds, spikeMultiplier, spikeHoldSeconds };
  } else {
    shape = { kind, virtualUsers, durationSeconds, rampUpSeconds };
  }
  const peak = peakUsers(shape);
  if (peak > MAX_LOCAL_VIRTUAL_USERS) {
    p.add([...at, 'virtualUsersPerEngine'], `asks for ${peak} concurrent users; the local engine runs at most ${MAX_LOCAL_VIRTUAL_USERS} from one agent. Lower it, or run the test on Azure Load Testing (engine: azure)`);
  }
  return shape;
}

export function peakUsers(shape: LoadShape): number {
  if (shape.kind === 'constantArrivalRate') return shape.maxVirtualUsers;
  return shape.kind === 'spike' ? Math.round(shape.virtualUsers * shape.spikeMultiplier) : shape.virtualUsers;
}

/** When the spike starts: in the middle of what is left after the ramp-up (Azure does not document it). */
export function spikeStartSeconds(shape: Extract<LoadShape, { kind: 'spike' }>): number {
  return shape.rampUpSeconds + (shape.durationSeconds - shape.rampUpSeconds - shape.spikeHoldSeconds) / 2;
}

/**
 * How many users a closed-model shape wants `t` seconds into the run. Ramp-ups start users evenly, like a
 * JMeter thread group: user i starts at i * rampUp / users.
 */
export function usersAt(shape: Exclude<LoadShape, { kind: 'constantArrivalRate' }>, t: number): number {
  if (t >= shape.durationSeconds) return 0;
  const v = shape.virtualUsers;
  const ramp = shape.rampUpSeconds;
  if (shape.kind === 'step') {
    if (ramp === 0 || t >= ramp) return v;
    const stepLength = ramp / shape.rampUpSteps;
    return Math.ceil((v * (Math.floor(t / stepLength) + 1)) / shape.rampUpSteps);
  }
  const base = ramp === 0 || t >= ramp ? v : Math.min(v, Math.floor((t * v) / ramp) + 1);
  if (shape.kind === 'spike') {
    const start = spikeStartSeconds(shape);
    if (t >= start && t < start + shape.spikeHoldSeconds) return Math.round(v * shape.spikeMultiplier);
  }
  return base;
}
