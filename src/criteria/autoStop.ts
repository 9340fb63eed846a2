import { ProblemList } from './parse';
import { hint } from '../config/suggest';
import type { AutoStop, Where } from './types';

/**
 * Azure Load Testing's defaults (reference §2.4: docs and the REST spec): auto-stop is on, and ends the run when
 * errors exceed 90% over a 60-second window. `maximumVirtualUsersPerEngine` (spec default 5000) is only passed on
 * when the user sets it.
 */
export const AUTO_STOP_DEFAULTS = Object.freeze({ errorPercentage: 90, timeWindowSeconds: 60 });
const KEYS = ['errorPercentage', 'timeWindow', 'maximumVirtualUsersPerEngine'];

/** `autoStop: disable`, or `{ errorPercentage, timeWindow, maximumVirtualUsersPerEngine }`; absent means the defaults. */
export function parseAutoStop(raw: unknown, where: Where): AutoStop {
  const problems = new ProblemList(where, 'autoStop');
  const result: AutoStop = { disabled: false, ...AUTO_STOP_DEFAULTS };
  if (raw === undefined || raw === null) return result;
  if (typeof raw === 'string') {
    if (raw === 'disable') return { ...result, disabled: true };
    problems.add([], `"${raw}" is not valid; write "disable" to turn auto-stop off, or a map with errorPercentage and timeWindow`);
  } else if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.add([], `must be "disable" or a map with errorPercentage and timeWindow (found ${JSON.stringify(raw)})`);
  } else {
    const entry = raw as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (!KEYS.includes(key)) problems.add([key], `unknown key "${key}"${hint(key, KEYS)}`);
    }
    if (entry.errorPercentage !== undefined) {
      const value = entry.errorPercentage;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
        problems.add(['errorPercentage'], `must be a number from 0 to 100 (found ${JSON.stringify(value)})`);
      } else result.errorPercentage = value;
    }
    if (entry.timeWindow !== undefined) {
      const value = entry.timeWindow;
      if (!isPositiveInteger(value)) problems.add(['timeWindow'], `must be a whole number of seconds above 0 (found ${JSON.stringify(value)})`);
      else result.timeWindowSeconds = value;
    }
    if (entry.maximumVirtualUsersPerEngine !== undefined) {
      const value = entry.maximumVirtualUsersPerEngine;
      if (!isPositiveInteger(value)) problems.add(['maximumVirtualUsersPerEngine'], `must be a whole number above 0 (found ${JSON.stringify(value)})`);
      else result.maximumVirtualUsersPerEngine = value;
    }
  }
  problems.throwIfAny();
  return result;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
