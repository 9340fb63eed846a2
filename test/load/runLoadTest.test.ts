import * as assert from 'node:assert/strict';
import { cpuPressureTotal, generatorSaturation } from '../../src/load/generatorWatch';
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
    // The generator's self-watch travels with the run: CPU used, and how late its event loop ran.
    assert.ok(m.generator && m.generator.cpuPercent > 0, JSON.stringify(m.generator));
    assert.ok(m.generator.eventLoopDelayMaxMs >= m.generator.eventLoopDelayP99Ms, JSON.stringify(m.generator));
  });

  it('generator: saturated (busy CPU or a late event loop) -> one sentence saying latencies include its own delay; healthy -> none', () => {
    assert.equal(generatorSaturation({ cpuPercent: 35, eventLoopDelayP99Ms: 2 }), undefined);
    assert.match(generatorSaturation({ cpuPercent: 97.5, eventLoopDelayP99Ms: 3 })!, /^The load generator was saturated \(CPU 97\.5% of a core\): latencies include its own delay/);
    assert.match(generatorSaturation({ cpuPercent: 40, eventLoopDelayP99Ms: 31 })!, /\(event loop late by 31 ms at p99\).*more engineInstances/);
    assert.match(generatorSaturation({ cpuPercent: 30, eventLoopDelayP99Ms: 2, cpuPressurePercent: 48 })!, /\(tasks waited for a core 48% of the run\)/);
    assert.equal(generatorSaturation({ cpuPercent: 30, eventLoopDelayP99Ms: 2, cpuPressurePercent: 3 }), undefined);
    assert.equal(cpuPressureTotal('some avg10=1.00 avg60=0.50 avg300=0.20 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n'), 123456);
    assert.equal(cpuPressureTotal('garbage'), undefined);
  });
});

describe('load/runLoadTest behaviours', function () {
  let target: Target;
  afterEach(async () => target?.close());

  it('criteria: p95 above a tiny threshold -> failed verdict naming the criterion; a loose one passes', async () => {
    target = await startTarget({ serviceTimeMs: 5 });
    const file = writeTest({
      yaml: `${URL_YAML}failureCriteria:\n  - p95(response_time_ms) > 1\n  - Home: avg(response_time_ms) > 5000\n  - percentage(error) > 10\n`,
      requests: requestsJson([get('Home', `${target.url}/`)], { virtualUsersPerEngine: 2, durationInSeconds: 1 }),
    });
    const evidence = await runLoadTest({ configFile: file });
    assert.equal(evidence.verdict, 'failed');
    const [p95, avg, errors] = evidence.criteria;
    assert.equal(p95.failed, true);
    assert.ok(p95.actual! >= 5);
    assert.equal(avg.failed, false);
    assert.equal(avg.request, 'Home');
    assert.equal(errors.failed, false);
    assert.match(evidence.summary, /1 of 3 criteria failed/);
  });

  it('errors: HTTP 500 and dropped connections -> counted apart as httpErrors and networkErrors', async () => {
    target = await startTarget();
    const file = writeTest({
      yaml: `${URL_YAML}autoStop: disable\n`,
      requests: requestsJson([get('Fail', `${target.url}/status/500`), get('Drop', `${target.url}/reset`), get('Ok', `${target.url}/`)], { virtualUsersPerEngine: 2, durationInSeconds: 1 }),
    });
    const evidence = await runLoadTest({ configFile: file });
    const byName = (n: string) => evidence.metrics.requests.find((r) => r.name === n)!;
    assert.equal(byName('Fail').httpErrors, byName('Fail').requests);
    assert.equal(byName('Fail').networkErrors, 0);
    assert.equal(byName('Fail').errorPercentage, 100);
    assert.equal(byName('Drop').networkErrors, byName('Drop').requests);
    assert.equal(byName('Drop').httpErrors, 0);
    assert.equal(byName('Ok').errors, 0);
    assert.equal(evidence.metrics.totals.errors, evidence.metrics.totals.httpErrors + evidence.metrics.totals.networkErrors);
    assert.ok(byName('Ok').requests > 0);
    assert.match(evidence.summary, /Network errors, e\.g\. Drop: /);
  });

  it('variables: CSV rows, env and a token extracted by JSON path and regex -> reach later requests', async () => {
    target = await startTarget({ keep: 1_000_000 });
    const file = writeTest({
      yaml: `${URL_YAML}configurationFiles:\n  - users.csv\nenv:\n  - name: base\n    value: ${'${TARGET}'}\n`.replace('${TARGET}', target.url),
      extra: { 'users.csv': 'alice,1\nbob,2\n' },
      requests: requestsJson(
        [
          get('Login', '${base}/token', {
            responseVariables: [
              { extractorType: 'JSONExtractor', expression: '$.token', variableName: 'token' },
              { extractorType: 'JSONExtractor', expression: '$.user.roles[0]', variableName: 'role' },
              { extractorType: 'RegularExpression', expression: '"id":(\\d+)', variableName: 'userId' },
            ],
          }),
          {
            requestName: 'Order', requestType: 'URL', method: 'POST', endpoint: '${base}/echo',
            queryParameters: [{ key: 'user', value: '${name} & co' }],
            headers: { authorization: 'Bearer ${token}' }, body: '{"id": "${userId}", "role": "${role}", "n": ${n}}', requestBodyFormat: 'JSON',
          },
        ],
        { virtualUsersPerEngine: 1, durationInSeconds: 1 },
        [{ fileName: 'users.csv', variableNames: 'name,n' }],
      ),
    });
    const evidence = await runLoadTest({ configFile: file });
    assert.equal(evidence.metrics.totals.errors, 0, evidence.summary);
    const orders = target.seen.filter((r) => r.url.startsWith('/echo'));
    assert.ok(orders.length >= 2);
    assert.equal(orders[0].url, '/echo?user=alice%20%26%20co');
    assert.equal(orders[1].url, '/echo?user=bob%20%26%20co');
    assert.equal(orders[0].headers.authorization, 'Bearer tok-1');
    assert.equal(orders[1].headers.authorization, 'Bearer tok-2');
    assert.equal(orders[0].headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(orders[0].body), { id: '1', role: 'reader', n: 1 });
    assert.deepEqual(JSON.parse(orders[1].body), { id: '2', role: 'reader', n: 2 });
  });

  it('overrides: --vus and --duration -> replace the file\'s users and duration', async () => {
    target = await startTarget();
    const file = writeTest({ yaml: URL_YAML, requests: requestsJson([get('Home', `${target.url}/`)], { virtualUsersPerEngine: 50, durationInSeconds: 60 }) });
    const evidence = await runLoadTest({ configFile: file, overrides: { durationSeconds: 1, virtualUsers: 3 } });
    assert.equal(evidence.metrics.virtualUsers, 3);
    assert.ok(evidence.metrics.durationSeconds < 3, `ran ${evidence.metrics.durationSeconds} s`);
  });

  it('autoStop: every request fails over a 1 s window -> the run stops early and says so', async () => {
    target = await startTarget();
    const file = writeTest({
      yaml: `${URL_YAML}autoStop:\n  errorPercentage: 50\n  timeWindow: 1\n`,
      requests: requestsJson([get('Broken', `${target.url}/status/503`)], { virtualUsersPerEngine: 2, durationInSeconds: 30 }),
    });
    const evidence = await runLoadTest({ configFile: file });
    assert.equal(evidence.verdict, 'failed');
    assert.ok(evidence.metrics.stoppedEarly, 'stoppedEarly is set');
    assert.match(evidence.metrics.stoppedEarly!.reason, /^autoStop: errors were 100\.0% .* above 50%/);
    assert.ok(evidence.metrics.durationSeconds < 5);
    assert.match(evidence.summary, /Stopped early/);
  });

  it('criteria: a failing stop-action criterion -> ends the run early and names the criterion', async () => {
    target = await startTarget({ serviceTimeMs: 5 });
    const file = writeTest({
      yaml: `${URL_YAML}failureCriteria:\n  - avg(response_time_ms) > 1, stop\n`,
      requests: requestsJson([get('Home', `${target.url}/`)], { virtualUsersPerEngine: 2, durationInSeconds: 30 }),
    });
    const evidence = await runLoadTest({ configFile: file });
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.metrics.stoppedEarly!.reason, /criterion "avg\(response_time_ms\) > 1, stop"/);
    assert.ok(evidence.metrics.durationSeconds < 5);
  });

  it('cancellation: abort after 1 s of a 30 s run -> partial result marked cancelled, verdict error', async () => {
    target = await startTarget();
    const file = writeTest({ yaml: URL_YAML, requests: requestsJson([get('Home', `${target.url}/`)], { virtualUsersPerEngine: 2, durationInSeconds: 30 }) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1000);
    const evidence = await runLoadTest({ configFile: file, signal: controller.signal });
    assert.equal(evidence.metrics.cancelled, true);
    assert.equal(evidence.verdict, 'error');
    assert.match(evidence.summary, /^Cancelled after [\d.]+ s; partial results/);
    assert.ok(evidence.metrics.totals.requests > 0);
    assert.ok(evidence.metrics.durationSeconds < 3);
  });

  it('progress: a 2 s run with a 1 s interval -> progress callbacks with elapsed, rps, p95 and errors', async () => {
    target = await startTarget();
    const file = writeTest({ yaml: URL_YAML, requests: requestsJson([get('Home', `${target.url}/`)], { virtualUsersPerEngine: 1, durationInSeconds: 2 }) });
    const seen: number[] = [];
    await runLoadTest({ configFile: file, progressIntervalSeconds: 1, onProgress: (p) => {
      assert.ok(p.rps > 0 && p.p95Ms > 0 && p.errors === 0 && p.requests > 0 && p.activeUsers === 1);
      seen.push(p.elapsedSeconds);
    } });
    assert.deepEqual(seen, [1]);
  });
});

describe('load/runLoadTest shapes and scenarios', function () {
  let target: Target;
  afterEach(async () => target?.close());

  it('linear ramp-up to 4 users over 2 s -> the timeline shows users rising to 4', async () => {
    target = await startTarget();
    const file = writeTest({ yaml: URL_YAML, requests: requestsJson([get('Home', `${target.url}/`)], { virtualUsersPerEngine: 4, durationInSeconds: 3, rampUpTimeInSeconds: 2 }) });
    const evidence = await runLoadTest({ configFile: file });
    const users = evidence.metrics.timeline.map((p) => p.activeUsers);
    assert.ok(users[0] < 4, `first second ${users[0]} users`);
    assert.equal(Math.max(...users), 4);
    assert.equal(evidence.metrics.virtualUsers, 4);
  });

  it('two testSetup entries -> both scenarios run at once, each request counted by the server', async () => {
    target = await startTarget();
    const file = writeTest({
      yaml: URL_YAML,
      requests: {
        version: '1.0',
        scenarios: { browse: { requests: [get('Browse', `${target.url}/browse`)] }, api: { requests: [get('Api', `${target.url}/api`)] } },
        testSetup: [
          { scenario: 'browse', loadType: 'linear', virtualUsersPerEngine: 2, durationInSeconds: 1 },
          { scenario: 'api', loadType: 'constantArrivalRate', requestsPerSecond: 50, durationInSeconds: 1 },
        ],
      },
    });
    const evidence = await runLoadTest({ configFile: file });
    const byName = (n: string) => evidence.metrics.requests.find((r) => r.name === n)!;
    assert.equal(byName('Browse').requests, target.counts.get('GET /browse'));
    assert.equal(byName('Api').requests, target.counts.get('GET /api'));
    assert.ok(Math.abs(byName('Api').requests - 50) <= 1, `${byName('Api').requests} api requests`);
    assert.equal(evidence.metrics.model, 'open');
  });
});

describe('load/runLoadTest secrets', function () {
  let target: Target;
  afterEach(async () => target?.close());

  it('secrets: a value passed for a Key Vault secret -> used in the request, absent from the evidence', async () => {
    target = await startTarget();
    const yaml = `${URL_YAML}secrets:\n  - name: apiKey\n    value: https://vault.vault.azure.net/secrets/api-key/1\n`;
    const file = writeTest({ yaml, requests: requestsJson([get('Home', `${target.url}/`, { headers: { 'x-api-key': '${apiKey}' } })], { virtualUsersPerEngine: 1, durationInSeconds: 1 }) });
    const evidence = await runLoadTest({ configFile: file, secrets: { apiKey: 's3cr3t-value' } });
    assert.equal(target.seen[0].headers['x-api-key'], 's3cr3t-value');
    assert.doesNotMatch(JSON.stringify(evidence), /s3cr3t-value/);
  });

  it('secrets: Key Vault secret without a local value -> ConfigError saying how to pass it, before any request', async () => {
    target = await startTarget();
    const yaml = `${URL_YAML}secrets:\n  - name: apiKey\n    value: https://vault.vault.azure.net/secrets/api-key/1\n`;
    const file = writeTest({ yaml, requests: requestsJson([get('Home', `${target.url}/?key=\${apiKey}`)], { virtualUsersPerEngine: 1, durationInSeconds: 1 }) });
    await assert.rejects(runLoadTest({ configFile: file }), /unknown variable "\$\{apiKey\}": it is a Key Vault secret, which the local engine cannot read; pass its value in the task's secrets input/);
    assert.equal(target.total(), 0);
  });

  it('secrets: invalid endpoint holding a secret -> the message quotes the endpoint as written, not the value', async () => {
    target = await startTarget();
    const file = writeTest({ yaml: URL_YAML, requests: requestsJson([get('Home', 'http//host/?key=${apiKey}')], { virtualUsersPerEngine: 1, durationInSeconds: 1 }) });
    await assert.rejects(runLoadTest({ configFile: file, secrets: { apiKey: 's3cr3t-value' } }), (e: Error) => /"http\/\/host\/\?key=\$\{apiKey\}" is not a valid URL/.test(e.message) && !e.message.includes('s3cr3t'));
  });
});
