import type { EnvironmentCheckResult, EnvironmentEvidence } from '../evidence/types';
import { gradeAtLeast } from '../environment/observatoryScoring';
import { ago, ageDays, envFilter, newest, ref, staleness, type EvidenceContext, type RuleOutcome } from './evidenceChecks';
import type { EnvironmentRule } from './policy';

/**
 * A policy's environment rule against the newest environment evidence: the evidence must be fresh and passed, and
 * each bound the rule sets ("certificate valid for at least 21 days", "headers grade B or better", "no drift",
 * "alert rules present for every resource") must be shown by at least one check of that type. A bound with no
 * check behind it fails: the absence of a TLS check is not a valid certificate.
 */
export function evaluateEnvironment(rule: EnvironmentRule, ctx: EvidenceContext): RuleOutcome {
  const e = newest<EnvironmentEvidence>(ctx, 'environment', (x) => !rule.environments || rule.environments.includes(x.environment));
  if (!e) {
    const bad = ctx.malformed.environment ?? 0;
    return {
      state: 'missing',
      reason: `No environment check evidence for ${ctx.service}${envFilter(rule.environments)}${bad ? ` (${bad} malformed environment document${bad === 1 ? ' was' : 's were'} ignored)` : ''}; run ReadinessEnvironmentCheck in the pipeline before the gate.`,
      evidence: [],
    };
  }
  const early = staleness(ctx, e, rule.passedWithinDays, 'environment check');
  if (early) return early;
  const fail = (reason: string): RuleOutcome => ({ state: 'failed', reason, evidence: [ref(e)] });
  const checks = e.metrics.checks;
  const ofType = (type: EnvironmentCheckResult['type']) => checks.filter((c) => c.type === type);
  const shown: string[] = [];

  if (rule.certificateValidDays !== undefined) {
    const tls = ofType('tls');
    if (!tls.length) return fail(`The newest environment check has no TLS check, so "certificate valid for at least ${rule.certificateValidDays} days" cannot be shown; add one to environment.yaml.`);
    for (const c of tls) {
      const t = c.tls!;
      if (t.chainError) return fail(`The certificate of ${t.host}:${t.port} is not valid (${t.chainError}); renew or replace it.`);
      if (t.daysToExpiry === null || t.daysToExpiry < rule.certificateValidDays) {
        return fail(`The certificate of ${t.host}:${t.port} ${t.daysToExpiry === null ? 'was not seen' : `expires in ${t.daysToExpiry} days`}, under the policy's ${rule.certificateValidDays}; renew it.`);
      }
    }
    shown.push(`certificates valid ${Math.min(...tls.map((c) => c.tls!.daysToExpiry!))}+ days`);
  }
  if (rule.minHeaderGrade !== undefined) {
    const headers = ofType('headers');
    if (!headers.length) return fail(`The newest environment check graded no security headers, so "grade ${rule.minHeaderGrade} or better" cannot be shown; add a headers check.`);
    const low = headers.find((c) => !c.headers || !gradeAtLeast(c.headers.grade, rule.minHeaderGrade!));
    if (low) {
      const fixes = (low.headers?.tests ?? []).filter((t) => !t.pass).map((t) => `${t.test} (${t.modifier}): ${t.fix}`);
      return fail(`${low.headers?.url ?? low.name} grades ${low.headers?.grade ?? 'unknown'}, under the policy's ${rule.minHeaderGrade}; fix ${fixes.join('; ') || 'the headers the report lists'}.`);
    }
    shown.push(`headers ${headers.map((c) => c.headers!.grade).join(', ')}`);
  }
  if (rule.noDrift) {
    const drift = ofType('drift');
    if (!drift.length) return fail('The newest environment check ran no drift check, so "no drift" cannot be shown; add a drift check.');
    const drifted = drift.find((c) => c.status !== 'passed' || !c.drift || c.drift.planExitCode !== 0 || c.drift.changes.length);
    if (drifted) return fail(drifted.detail);
    shown.push('no drift');
  }
  if (rule.alertsForEveryResource) {
    const monitoring = ofType('monitoring');
    if (!monitoring.length || monitoring.some((c) => !c.monitoring)) return fail('The newest environment check read no alert rules, so "alert rules present for every resource" cannot be shown; add a monitoring check.');
    for (const c of monitoring) {
      const bare = c.monitoring!.resources.find((r) => r.metricAlerts + r.scheduledQueryRules + r.activityLogAlerts === 0);
      if (bare) return fail(`${bare.id} has no enabled alert rule; create one with an action group that has receivers.`);
    }
    shown.push('alert rules on every resource');
  }
  // Bounds first, so the reason names the rule's own words; then any other check that did not pass.
  if (e.verdict !== 'passed') {
    const bad = checks.filter((c) => c.status !== 'passed');
    return fail(`The newest environment check ${e.verdict === 'error' ? 'did not finish' : 'failed'}: ${bad.map((c) => `${c.name} (${c.status}): ${c.detail}`).join(' ') || e.summary}`);
  }
  return { state: 'passed', reason: `Environment checked ${ago(ageDays(ctx, e))} (limit ${rule.passedWithinDays} days)${shown.length ? `: ${shown.join('; ')}` : ''}.`, evidence: [ref(e)] };
}
