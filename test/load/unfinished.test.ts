import * as assert from 'node:assert/strict';
import { runLoadTest } from '../../src/load/runLoadTest';
import type { LoadTestEvidence } from '../../src/evidence/types';
import { startTarget, type Target } from '../support/httpTarget';
import { get, requestsJson, URL_YAML, writeTest } from './helpers';

/**
 * Requests the server never answers must not vanish at the end of a run. With the default 30 s request timeout the
 * end of the run waits at most 10 s for them, then counts each as an unfinished network error whose latency is the
 * time it waited. These runs last 2 s of load plus that wait.
 */
const ERRORS_OVER_1 = `${URL_YAML}failureCriteria:\n  - percentage(error) > 1\n`;

function timelineRequests(evidence: LoadTestEvidence): number {
  return evidence.metrics.timeline.reduce((n, p) => n + p.requests, 0);
}

describe('load/unfinished requests', function () {
  let target: Target;
  afterEach(async () => target?.close());

  it('closed model: server never answers 1 request in 20 -> each stuck user is an unfinished error and percentage(error) > 1 fails', async () => {
    target = await startTarget({ neverAnswerEvery: 20 });
    const file = writeTest({ yaml: ERRORS_OVER_1, requests: requestsJson([get('Home', `${target.url}/`)], { virtualUsersPerEngine: 5, durationInSeconds: 2 }) });
    const evidence = await runLoadTest({ configFile: file });
    const t = evidence.metrics.totals;
    // Every 20th request hangs its user for good: 5 users are stuck after 100 requests.
    assert.equal(target.total(), 100);
    assert.equal(t.requests, target.total());
    assert.equal(t.networkErrors, 5);
    assert.equal(t.errorPercentage, 5);
    assert.equal(evidence.verdict, 'failed', evidence.summary);
    assert.equal(evidence.criteria[0].failed, true);
    assert.match(evidence.summary, /1 of 1 criteria failed/);
    assert.match(evidence.summary, /Home: unfinished: 5 requests \(5 sent\) still had no response when the run ended/);
    // They were sent before the load ended, so each waited at least the time after the load.
    assert.ok(t.latencyMs.p99 >= (evidence.metrics.durationSeconds - 2) * 1000, `p99 ${t.latencyMs.p99} ms, run ${evidence.metrics.durationSeconds} s`);
    assert.equal(timelineRequests(evidence), t.requests);
    assert.ok(evidence.metrics.timeline.length <= 3, `${evidence.metrics.timeline.length} timeline points for 2 s of load`);
  });

  it('open model: 1 request in 40 never answered -> p99 at least the time those requests waited, and p99 > 800 fails', async () => {
    target = await startTarget({ neverAnswerEvery: 40 });
    const file = writeTest({
      yaml: `${ERRORS_OVER_1}  - p99(response_time_ms) > 800\n`,
      requests: { version: '1.0', scenarios: { s: { requests: [get('Home', `${target.url}/`)] } }, testSetup: [{ scenario: 's', loadType: 'constantArrivalRate', requestsPerSecond: 100, durationInSeconds: 2 }] },
    });
    const evidence = await runLoadTest({ configFile: file });
    const t = evidence.metrics.totals;
    assert.equal(t.requests, target.total());
    assert.equal(t.networkErrors, Math.floor(target.total() / 40));
    assert.ok(t.errorPercentage > 1, `${t.errorPercentage}% errors`);
    // The hung requests were all due within the 2 s schedule and cut off at the end of the run.
    const waitedAtLeastMs = (evidence.metrics.durationSeconds - 2) * 1000;
    assert.ok(waitedAtLeastMs > 800);
    assert.ok(t.latencyMs.p99 >= waitedAtLeastMs, `p99 ${t.latencyMs.p99} ms, the hung requests waited at least ${waitedAtLeastMs} ms`);
    assert.deepEqual(evidence.criteria.map((c) => c.failed), [true, true]);
    assert.equal(evidence.verdict, 'failed');
  });

  it('fully stalled server, closed model -> every request an unfinished error: 100% errors, verdict failed', async () => {
    target = await startTarget({ neverAnswerEvery: 1 });
    const file = writeTest({ yaml: ERRORS_OVER_1, requests: requestsJson([get('Home', `${target.url}/`)], { virtualUsersPerEngine: 3, durationInSeconds: 2 }) });
    const evidence = await runLoadTest({ configFile: file });
    const t = evidence.metrics.totals;
    assert.equal(t.requests, 3);
    assert.equal(target.total(), 3);
    assert.equal(t.networkErrors, 3);
    assert.equal(t.errorPercentage, 100);
    assert.ok(t.latencyMs.min >= (evidence.metrics.durationSeconds - 0.5) * 1000, `min ${t.latencyMs.min} ms`);
    assert.equal(evidence.verdict, 'failed', evidence.summary);
    assert.equal(timelineRequests(evidence), 3);
  });

  it('fully stalled server, open model with 2 users and a 1 s timeout -> timeouts and never-sent arrivals are errors with their waiting time', async () => {
    target = await startTarget({ neverAnswerEvery: 1 });
    const file = writeTest({
      yaml: `${ERRORS_OVER_1}localEngine:\n  requestTimeoutSeconds: 1\n`,
      requests: { version: '1.0', scenarios: { s: { requests: [get('Home', `${target.url}/`)] } }, testSetup: [{ scenario: 's', loadType: 'constantArrivalRate', requestsPerSecond: 50, maxVirtualUsers: 2, durationInSeconds: 2 }] },
    });
    const evidence = await runLoadTest({ configFile: file });
    const t = evidence.metrics.totals;
    // Every scheduled arrival counts, sent (and timed out) or not: about 100, of which the server saw a few.
    assert.ok(Math.abs(t.requests - 100) <= 2, `${t.requests} requests`);
    assert.ok(target.total() >= 2 && target.total() < t.requests, `server saw ${target.total()}`);
    assert.equal(t.errorPercentage, 100);
    assert.equal(t.networkErrors, t.requests);
    // The timed-out requests waited the 1 s timeout; a never-sent arrival waited from its due time to the end of the
    // run (so one due just before the end waited only a little), an arrival due at the start the whole run.
    assert.ok(t.latencyMs.p90 >= 999, `p90 ${t.latencyMs.p90} ms`);
    assert.ok(t.latencyMs.max >= (evidence.metrics.durationSeconds - 0.2) * 1000, `max ${t.latencyMs.max} ms`);
    assert.match(evidence.summary, /never sent \(no free virtual user\)/);
    assert.equal(evidence.verdict, 'failed');
  });

  it('cancel during a stall -> the run stops at once, and the requests in flight count as unfinished', async () => {
    target = await startTarget({ neverAnswerEvery: 1 });
    const file = writeTest({ yaml: URL_YAML, requests: requestsJson([get('Home', `${target.url}/`)], { virtualUsersPerEngine: 2, durationInSeconds: 30 }) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1000);
    const evidence = await runLoadTest({ configFile: file, signal: controller.signal });
    const t = evidence.metrics.totals;
    assert.equal(evidence.metrics.cancelled, true);
    assert.equal(evidence.verdict, 'error');
    assert.ok(evidence.metrics.durationSeconds < 2);
    assert.equal(t.requests, 2);
    assert.equal(t.networkErrors, 2);
    // They waited from their start (just after the preflight) until the cancel, about 1 s; loosely bounded for loaded machines.
    assert.ok(t.latencyMs.min >= 500, `min ${t.latencyMs.min} ms`);
  });
});

describe('verdict when nothing succeeds', function () {
  this.timeout(60_000);
  it('no criteria, every response an HTTP 500 -> failed, not passed', async () => {
    const target = await startTarget();
    try {
      const file = writeTest({
        yaml: `${URL_YAML}autoStop: disable\n`,
        requests: requestsJson([get('Broken', `${target.url}/status/500`)], { virtualUsersPerEngine: 2, durationInSeconds: 1 }),
      });
      const evidence = await runLoadTest({ configFile: file });
      assert.ok(evidence.metrics.totals.requests > 0);
      assert.equal(evidence.metrics.totals.errorPercentage, 100);
      assert.equal(evidence.verdict, 'failed', evidence.summary);
      assert.match(evidence.summary, /Every request failed/);
    } finally {
      await target.close();
    }
  });
});
