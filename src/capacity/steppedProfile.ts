import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors';
import { isRecord } from '../config/yamlSource';
import type { CapacitySettings } from './settings';

/**
 * The URL test's requests JSON turned into the stepped profile of a capacity search on Azure Load Testing, by
 * Azure's own means: every `testSetup` entry gets `loadType: step` with `rampUpSteps` (reference §2.5), so each
 * engine climbs to the entry's `virtualUsersPerEngine` in `capacity.azure.steps` equal steps of `holdSeconds`, and
 * holds the top for one more step. The entry's users and the YAML's `engineInstances` are the top of the search:
 * the file already says how much load it may send, and the engines scale it out past one agent.
 *
 * How the service spreads the users over the steps is assumed (step i of N runs i/N of the users, rounded down);
 * the search slices the steps from the VirtualUsers series the service reports, so a different rounding moves no
 * boundary, it only changes which level a step is planned at (docs/emulators.md).
 */
export interface SteppedProfile {
  /** The requests JSON to upload. */
  content: Buffer;
  /** Virtual users over all setups and engines planned for each step, lowest first. */
  levels: number[];
  /** How long the profile runs, in seconds. */
  seconds: number;
  /** Every requestName of the plan: the SamplerName values of the run's metrics. */
  requestNames: string[];
  /**
   * Users a level may differ by from `levels` through the service's rounding alone: one per engine per setup (each
   * engine rounds each setup's share of the step on its own, and how is assumed, see above).
   */
  roundingUsers: number;
}

export function steppedProfile(planFile: string, settings: Pick<CapacitySettings, 'holdSeconds' | 'azure'>, engineInstances: number): SteppedProfile {
  const where = path.basename(planFile);
  let plan: unknown;
  try {
    plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${where}: the requests JSON could not be read (${(error as Error).message}); the capacity search rewrites its testSetup.`);
  }
  const setups = isRecord(plan) && Array.isArray(plan.testSetup) ? plan.testSetup : [];
  if (!isRecord(plan) || setups.length === 0) throw new ConfigError(`${where}: testSetup: needs at least one entry with virtualUsersPerEngine; the stepped profile climbs to it.`);
  const steps = settings.azure.steps;
  const problems: string[] = [];
  const tops: number[] = [];
  const rewritten = setups.map((setup, i) => {
    const users = isRecord(setup) ? setup.virtualUsersPerEngine : undefined;
    if (typeof users !== 'number' || !Number.isInteger(users) || users < steps) {
      problems.push(`${where}: testSetup[${i}].virtualUsersPerEngine: must be a whole number of at least capacity.azure.steps (${steps}), found ${JSON.stringify(users)}; ` +
        'it is the top of the stepped profile, and each step adds users');
      return setup;
    }
    tops.push(users);
    const { spikeMultiplier: _m, spikeHoldTimeInSeconds: _h, ...rest } = setup as Record<string, unknown>;
    return { ...rest, loadType: 'step', rampUpSteps: steps, rampUpTimeInSeconds: steps * settings.holdSeconds, durationInSeconds: (steps + 1) * settings.holdSeconds };
  });
  if (problems.length) throw new ConfigError(problems);
  const levels = Array.from({ length: steps }, (_, k) => tops.reduce((n, top) => n + Math.floor((top * (k + 1)) / steps), 0) * engineInstances);
  const scenarios = isRecord(plan.scenarios) ? Object.values(plan.scenarios) : [];
  const requestNames = [...new Set(scenarios.flatMap((s) => (isRecord(s) && Array.isArray(s.requests) ? s.requests : []))
    .flatMap((r) => (isRecord(r) && typeof r.requestName === 'string' ? [r.requestName] : [])))];
  return {
    content: Buffer.from(JSON.stringify({ ...plan, testSetup: rewritten }, null, 2)),
    levels,
    seconds: (steps + 1) * settings.holdSeconds,
    requestNames,
    roundingUsers: tops.length * engineInstances,
  };
}
