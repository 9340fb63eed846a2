import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors';
import { parseYamlSource } from '../config/yamlSource';
import type { Policy, PolicyCheck } from './policy';
import type { Waiver } from './records';

/**
 * Waivers live in the repository, in `readiness.waivers.yml` beside `readiness.yml`: a change to them is a commit,
 * so the branch policies of the release branch (required reviewers, CODEOWNERS by path) decide who may waive,
 * and the history is Git's. Extension data records no writer, so waivers there no longer count.
 *
 *   waivers:
 *     - check: drill              # a check id of the policy
 *       role: operations          # must be the check's owner role: a role waives only its own checks
 *       environment: production   # optional: only this environment
 *       reason: Backup host replaced; drill booked for Monday.
 *       from: 2026-12-01          # in force from this time ...
 *       until: 2026-12-08         # ... until (not including) this one; at most maxWaiverDays after `from`
 *
 * Rules (waiverProblem): the role is the check's owner; the check is not `waivable: false`; sign-off checks are
 * never waivable (a waiver would be a sign-off by someone else); `until - from` is at most the policy's
 * `maxWaiverDays` (default 30).
 */
export const WAIVERS_FILE = 'readiness.waivers.yml';
export const DEFAULT_MAX_WAIVER_DAYS = 30;
const DAY_MS = 86_400_000;

/** An attestation (training, runbook rehearsal) is a sign-off check with an expiry: warn-only (docs/security.md). */
export function isAttestation(check: PolicyCheck): boolean {
  return check.type === 'signoff' && check.rule.expiresAfterDays !== undefined;
}

/** Why a waiver may not waive a check, or undefined when it may. */
export function waiverProblem(policy: Policy, check: PolicyCheck, waiver: Waiver): string | undefined {
  const label = `the waiver of "${check.id}" by role ${waiver.role ?? '(none)'}`;
  if (check.type === 'signoff') return `${label}: sign-offs are never waivable`;
  if (check.waivable === false) return `${label}: the policy marks "${check.id}" as not waivable`;
  if (!waiver.role || waiver.role !== check.owner) return `${label}: only its owner role ${check.owner} may waive it`;
  const days = (Date.parse(waiver.until) - Date.parse(waiver.at)) / DAY_MS;
  const max = policy.maxWaiverDays ?? DEFAULT_MAX_WAIVER_DAYS;
  if (!(days <= max)) return `${label}: it runs ${Number.isFinite(days) ? Math.ceil(days) : 'unknown'} days, more than maxWaiverDays ${max}`;
  return undefined;
}

/** Reads the waivers file beside the policy; no file means no waivers. Bad entries are bad input (exit 2). */
export async function loadRepositoryWaivers(policyFile: string, environment: string, displayDir?: string): Promise<Waiver[]> {
  const file = path.join(path.dirname(path.resolve(policyFile)), WAIVERS_FILE);
  const shown = displayDir ? path.join(displayDir, WAIVERS_FILE) : file;
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ConfigError(`${shown}: cannot read the waivers file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  return parseWaivers(text, shown, environment);
}

export function parseWaivers(text: string, shown: string, environment: string): Waiver[] {
  const yaml = parseYamlSource(shown, text, shown);
  if (yaml.syntaxProblems.length) throw new ConfigError(yaml.syntaxProblems);
  const raw = yaml.data as { waivers?: unknown } | null;
  if (raw === null || raw === undefined) return [];
  const list = (raw as { waivers?: unknown }).waivers;
  if (typeof raw !== 'object' || Array.isArray(raw) || (list !== undefined && !Array.isArray(list))) {
    throw new ConfigError(`${shown}: expected "waivers:" with a list of waivers (check, role, reason, from, until).`);
  }
  const problems: string[] = [];
  const waivers: Waiver[] = [];
  (list as unknown[] | undefined ?? []).forEach((item, i) => {
    const w = (item ?? {}) as Record<string, unknown>;
    const at = (key: string) => `${shown}:${yaml.valueLineOf(['waivers', i, key]) ?? yaml.lineOf(['waivers', i]) ?? '?'} waivers[${i}].${key}`;
    const need = ['check', 'role', 'reason'].filter((k) => typeof w[k] !== 'string' || !(w[k] as string).trim());
    for (const k of need) problems.push(`${at(k)}: required text`);
    const time = (k: 'from' | 'until') => {
      const value = w[k] instanceof Date ? (w[k] as Date).toISOString() : String(w[k] ?? '');
      if (!/^\d{4}-\d{2}-\d{2}/.test(value) || !Number.isFinite(Date.parse(value))) {
        problems.push(`${at(k)}: expected a date or ISO 8601 time, e.g. 2026-12-08`);
        return '';
      }
      return new Date(Date.parse(value)).toISOString();
    };
    const from = time('from');
    const until = time('until');
    if (w.environment !== undefined && typeof w.environment !== 'string') problems.push(`${at('environment')}: expected an environment name`);
    if (need.length || !from || !until) return;
    if (w.environment !== undefined && w.environment !== environment) return;
    waivers.push({
      id: `${shown}#${i}`,
      check: String(w.check),
      role: String(w.role),
      reason: String(w.reason).trim(),
      by: { id: `repository:${WAIVERS_FILE}`, name: `${WAIVERS_FILE} (role ${String(w.role)})` },
      at: from,
      until,
    });
  });
  if (problems.length) throw new ConfigError(problems);
  return waivers;
}
