import * as assert from 'node:assert/strict';
import { runLoadTest } from '../../src/load/runLoadTest';
import { startTarget, type Target } from '../support/httpTarget';
import { get, URL_YAML, writeTest } from './helpers';

function plan(url: string, setup: Record<string, unknown>): unknown {
  return { version: '1.0', scenarios: { s: { requests: [get('Home', `${url}/`)] } }, testSetup: [{ scenario: 's', durationInSeconds: 2, ...setup }] };
}

describe('load/open model', () => {
  let target: Target;
  afterEach(async () => target?.close());

  it('constantArrivalRate: 100 per second for 2 s -> about 200 requests, all counted by the server', async () => {
    target = await startTarget();
    const file = writeTest({ yaml: URL_YAML, requests: plan(target.url, { loadType: 'constantArrivalRate', requestsPerSecond: 100 }) });
    const evidence = await runLoadTest({ configFile: file });
    assert.equal(evidence.metrics.model, 'open');
    assert.equal(evidence.metrics.targetRps, 100);
    assert.equal(evidence.metrics.totals.requests, target.total());
    assert.ok(Math.abs(evidence.metrics.totals.requests - 200) <= 2, `${evidence.metrics.totals.requests} requests`);
  });

  it('coordinated omission: server stalls 500 ms in every second -> open model counts the waiting, closed model hides it', async () => {
    // Analytic truth at a constant arrival rate: half the arrivals land in a stall and wait uniformly 0-500 ms,
    // so p90 is where (1/2)(1 - x/500) = 0.1, i.e. x = 400 ms.
    target = await startTarget({ stall: { everyMs: 1000, forMs: 500 } });
    const open = await runLoadTest({ configFile: writeTest({ yaml: URL_YAML, requests: plan(target.url, { loadType: 'constantArrivalRate', requestsPerSecond: 200 }) }) });
    await target.close();
    target = await startTarget({ stall: { everyMs: 1000, forMs: 500 } });
    const closed = await runLoadTest({ configFile: writeTest({ yaml: URL_YAML, requests: plan(target.url, { loadType: 'linear', virtualUsersPerEngine: 2 }) }) });
    const openP90 = open.metrics.totals.latencyMs.p90;
    const closedP90 = closed.metrics.totals.latencyMs.p90;
    assert.ok(openP90 > 300 && openP90 < 500, `open-model p90 ${openP90} ms, truth 400 ms`);
    assert.ok(closedP90 < 50, `closed-model p90 ${closedP90} ms`);
  });
});
