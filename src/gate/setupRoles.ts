import { ConfigError } from '../errors';
import { checksForLevel, type Policy } from './policy';

/**
 * The roles whose approval an environment's Approvals check must ask for: every role named by a sign-off check at
 * the environment's required level or below. Each needs exactly one Azure DevOps group, because the check records
 * the approving step per group and the gate maps a step's group back to its role; a role with two groups could be
 * approved by either, and a role with only users has no group to list.
 */
export function approverRoles(policy: Policy, environment: string): Array<{ role: string; group: string }> {
  const settings = policy.environments[environment];
  if (!settings) {
    throw new ConfigError(`${policy.file}: no environment "${environment}"; the policy defines ${Object.keys(policy.environments).join(', ')}.`);
  }
  const required = new Set(checksForLevel(policy, settings.requiredLevel));
  const roles = [...new Set(policy.checks.filter((c) => c.type === 'signoff' && required.has(c.id)).flatMap((c) => (c.type === 'signoff' ? c.rule.roles : [])))];
  const problems: string[] = [];
  const out = roles.map((role) => {
    const groups = policy.roles[role]?.groups ?? [];
    if (groups.length !== 1) {
      problems.push(
        `${policy.file} roles.${role}.groups: ${groups.length === 0 ? 'names no group' : `names ${groups.length} groups`}; the Approvals ` +
          'check needs exactly one Azure DevOps group per role (nest other groups or users in it), e.g. groups: ["[Project]\\\\Operations"]',
      );
    }
    return { role, group: groups[0] ?? '' };
  });
  if (problems.length) throw new ConfigError(problems);
  return out;
}
