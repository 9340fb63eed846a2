import * as assert from 'node:assert/strict';
import { runLoadTest } from '../../src/load/runLoadTest';
import { startTarget, type Target } from '../support/httpTarget';
import { get, requestsJson, URL_YAML, writeTest } from './helpers';

describe('load/runLoadTest', function () {
  let target: Target;
  afterEach(async () => target?.close());

  it('closed model: two named requests for 2 s -> counts match what the server counted', async () => {
    target = await startTarget({ serviceTimeMs: 2 });
    const file = writeTest({
      yaml: URL_YAML,
      requests: requestsJson([get('Home', `${target.url}/`), get('Health', `${target.url}/health`)], { virtualUsersPerEngine: 5, durationInSeconds: 2, rampUpTimeInSeconds: 0 }),
    });
    const evidence = await runLoadTest({ configFile: file });
    const m = evidence.metrics;
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.equal(m.totals.requests, target.total());
    assert.equal(m.requests.find((r) => r.name === 'Home')!.requests, target.counts.get('GET /'));
    assert.equal(m.requests.find((r) => r.name === 'Health')!.requests, target.counts.get('GET /health'));
    assert.ok(m.totals.requests > 100, `only ${m.totals.requests} requests`);
    assert.equal(m.totals.errors, 0);
    assert.ok(m.totals.latencyMs.p50 >= 2, `p50 ${m.totals.latencyMs.p50}`);
    assert.equal(m.virtualUsers, 5);
    assert.ok(m.timeline.length >= 2);
    assert.equal(m.timeline.reduce((n, p) => n + p.requests, 0), m.totals.requests);
  });
});
