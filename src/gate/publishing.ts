import type { Policy } from './policy';

/**
 * Whether a run may publish its verdict (docs/security.md "Runs that never publish"). A pull-request run builds code
 * that is not on the release branch, and may have edited readiness.yml itself; a run of another branch builds code
 * that is not being released. Both may evaluate and show a scorecard, but never publish a verdict: no gate
 * attachment, no status document, and `ready` is false.
 */
export const DEFAULT_RELEASE_BRANCHES = Object.freeze(['refs/heads/main']);

export function publishDecision(policy: Policy, run: { reason?: string; branch?: string }): { publish: true } | { publish: false; why: string } {
  if ((run.reason ?? '').toLowerCase() === 'pullrequest') return { publish: false, why: 'This is a pull-request run, which never publishes a verdict.' };
  const branches = policy.releaseBranches?.length ? policy.releaseBranches : DEFAULT_RELEASE_BRANCHES;
  if (!run.branch || !branches.some((b) => b.toLowerCase() === run.branch!.toLowerCase())) {
    return { publish: false, why: `This run is of ${run.branch ?? 'an unknown branch'}, not a release branch (${branches.join(', ')}; set releaseBranches in the policy), so it never publishes a verdict.` };
  }
  return { publish: true };
}
