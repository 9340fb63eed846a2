import type { AzureAccess } from '../../dr/providers/azureArm';
import { sleep } from '../../azure/sleep';
import { ReadinessError } from '../../errors';
import type { WatchFacts } from '../../evidence/types';
import type { WatchSpec } from '../config';
import { MonitorClient } from '../monitorClient';
import { probeOnce } from '../probe';
import { checkResult, type CheckContext } from '../result';

/**
 * The post-deploy watch: for `window`, poll a health endpoint or a logs query every `interval`, and stop at the
 * first breach (after `maxConsecutiveFailures` bad polls in a row), so a breach is reported within one poll
 * interval of being observable rather than at the end of the window. Its failure is what a pipeline's
 * `on: failure` rollback step keys on (the task's `breached` output).
 */
export async function runWatch(spec: WatchSpec, ctx: CheckContext, access?: AzureAccess) {
  const started = performance.now();
  const facts: WatchFacts = {
    source: spec.health ? 'health' : 'query',
    windowSeconds: spec.windowMs / 1000,
    intervalSeconds: spec.intervalMs / 1000,
    polls: 0,
    breachAtSecond: null,
  };
  if (spec.query && !access) {
    return checkResult(spec, 'unknown', 'The watch queries logs through Azure Resource Manager, but no connection was given; run it in the ReadinessEnvironmentCheck task with its azureSubscription input set.', started, { watch: facts });
  }
  const client = spec.query && access ? new MonitorClient(access) : undefined;
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  let badInARow = 0;
  for (;;) {
    const pollStarted = performance.now();
    facts.polls += 1;
    let bad: string | undefined;
    if (spec.health) {
      const outcome = await probeOnce(spec.health, ctx.signal);
      if (!outcome.ok) bad = `${spec.health.url}: ${outcome.reason}`;
    } else if (client && spec.query) {
      let value: unknown;
      try {
        const rows = await client.queryLogs(spec.query.resource, spec.query.kql, spec.query.timespan ?? 'PT5M', ctx.signal);
        value = rows[0]?.[0];
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        const message = error instanceof ReadinessError ? error.message : String(error);
        return checkResult(spec, 'unknown', `The watch stopped after ${seconds()} s because its query could not run: ${message}`, started, { watch: facts });
      }
      if (typeof value !== 'number') bad = `the query returned ${JSON.stringify(value ?? null)} instead of a number in its first column`;
      else if (value > spec.query.max) bad = `the query returned ${value}, over the bound ${spec.query.max}`;
    }
    badInARow = bad ? badInARow + 1 : 0;
    if (bad) ctx.progress(`watch poll ${facts.polls} at ${seconds()} s: ${bad}`);
    if (bad && badInARow >= spec.maxConsecutiveFailures) {
      facts.breachAtSecond = seconds();
      facts.breach = bad;
      return checkResult(
        spec,
        'failed',
        `The post-deploy watch saw a breach ${facts.breachAtSecond} s into its ${facts.windowSeconds} s window (${bad}); roll back the deployment (the pipeline's on: failure step), then find the cause.`,
        started,
        { watch: facts },
      );
    }
    const elapsed = performance.now() - started;
    if (elapsed >= spec.windowMs) break;
    // The next poll starts one interval after this one started, so a slow answer does not stretch the cadence.
    const wait = Math.min(spec.intervalMs - (performance.now() - pollStarted), spec.windowMs - elapsed);
    if (wait > 0) await sleep(wait, ctx.signal);
  }
  return checkResult(spec, 'passed', `The post-deploy watch polled ${facts.polls} times over ${facts.windowSeconds} s with no breach.`, started, { watch: facts });
}
