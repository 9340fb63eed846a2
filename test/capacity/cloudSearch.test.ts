import assert from 'node:assert/strict';
import { createCredential } from '../../src/azure/credentials';
import { LoadTestingClient } from '../../src/azure/loadTestingClient';
import { runCloudCapacitySearch, type CloudCapacityOptions } from '../../src/capacity/cloudSearch';
import type { RunSeries } from '../../src/capacity/cloudSteps';
import { settledSteps } from '../../src/capacity/kneeWatch';
import { CancelledError, ConfigError, InfrastructureError } from '../../src/errors';
import { validateEvidence } from '../../src/evidence/validate';
import { renderMarkdown } from '../../src/evidence/render/markdown';
import { AltEmulator, emulatedConnection, emulatedResource, type EmulatorOptions } from '../support/altEmulator';
import { altRunFixture, FAST_POLLS } from '../support/altCloudRun';
import { cloudCapacityTest } from './helpers';

const SETTINGS = ['holdSeconds: 10', 'azure: { steps: 10 }', 'budget: { seconds: 300 }'];

/**
 * The capacity search on Azure Load Testing against the emulator, whose runs meet a modelled service of known
 * capacity (test/support/altEmulatorMetrics.ts): `slots` requests at once of `serviceMs` each, so the achieved rate
 * stops at slots * 1000 / serviceMs while the users keep rising. The profile climbs 2, 4, ... 20 users (one engine),
 * so a knee at 8 slots lies between the steps of 8 and 10 users: the step of 8 users is exactly the capacity.
 */
describe('capacity on Azure Load Testing (emulator with a modelled service)', function () {
  this.timeout(30_000);
  const fixture = altRunFixture();

  async function search(emulator: EmulatorOptions, configFile: string, extra: Partial<CloudCapacityOptions> = {}) {
    const emu = (fixture.emu = await new AltEmulator({ stepMs: 5, validationMs: 0, executeMs: 200, ...emulator }).start());
    const { credential, armEndpoint } = createCredential(emulatedConnection(emu), { caCertificate: emu.ca });
    const evidence = await runCloudCapacitySearch({
      configFile, resource: emulatedResource(emu), credential, armEndpoint, caCertificate: emu.ca, resultsDirectory: fixture.results,
      pollIntervals: FAST_POLLS, retryDelayMs: 20, ...extra,
    });
    assert.ok(validateEvidence(evidence).ok, JSON.stringify(validateEvidence(evidence)));
    return { emu, evidence, m: evidence.metrics };
  }
  const curve = (steps: Array<{ virtualUsers?: { measured: number }; achievedRps: number; offeredRps: number; latencyMs: { p95: number }; good: boolean }>) =>
    steps.map((s) => `${s.virtualUsers?.measured}u ${s.offeredRps}->${s.achievedRps} p95 ${s.latencyMs.p95} ${s.good ? 'ok' : 'broke'}`).join('\n');

  it('capacity azure: a queueing service of 8 x 50 ms (160 rps) -> found within 10%, throughput-bound, one stepped run on its own test', async () => {
    const { emu, evidence, m } = await search({ service: { slots: 8, serviceMs: 50 } },
      cloudCapacityTest([...SETTINGS, 'serviceLevel: ["p95(response_time_ms) > 500", "percentage(error) > 1"]'].join('\n')));
    assert.equal(m.engine, 'azure');
    assert.equal(m.outcome, 'found', `${evidence.summary}\n${curve(m.steps)}`);
    assert.ok(Math.abs(m.sustainableRps! - 160) <= 16, `${m.sustainableRps}\n${curve(m.steps)}`);
    assert.ok(m.interval!.lowRps <= 160 * 1.1 && m.interval!.highRps >= 160, JSON.stringify(m.interval));
    assert.equal(m.bound, 'throughput');
    assert.equal(m.firstBreak!.kind, 'plateau');
    assert.equal(evidence.verdict, 'passed');
    // The curve: one step per level of the profile, users as the service reported them.
    assert.deepEqual(m.steps.map((s) => s.virtualUsers!.measured), [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    assert.equal(m.cloud!.cloudTestId, 'shop-search-capacity');
    assert.equal(m.cloud!.interval, 'PT5S');
    assert.match(evidence.summary, /Sustainable rate 160 rps .*throughput-bound.*10 steps of Azure Load Testing run/);
    // The stepped profile went up by Azure's own means: loadType step with rampUpSteps.
    const uploaded = JSON.parse(emu.files.get('shop-search-capacity/requests.json')!.toString('utf8'));
    assert.deepEqual(uploaded.testSetup[0], { scenario: 'main', loadType: 'step', virtualUsersPerEngine: 20, rampUpSteps: 10, rampUpTimeInSeconds: 100, durationInSeconds: 110 });
    assert.ok(!emu.tests.has('shop-search'), 'the team\'s own test is left alone');
    // The series was read through the metrics API, page by page (nextLink read with GET).
    assert.ok(emu.requestsTo('GET', /\/metric-definitions$/).length === 1);
    assert.ok(emu.requestsTo('POST', /\/metrics$/).some((r) => r.query.metricname === 'VirtualUsers' && r.query.interval === 'PT5S'));
    assert.ok(emu.requestsTo('GET', /\/metrics$/).some((r) => r.query.continuationToken), 'paged');
    assert.match(renderMarkdown(evidence), /\| Phase \| Offered rps \| Achieved rps \| mean ms \|/);
  });

  it('capacity azure: p95 bound below the queueing point -> latency-bound, the criterion named', async () => {
    const { m, evidence } = await search({ service: { slots: 8, serviceMs: 50 } },
      cloudCapacityTest([...SETTINGS, 'serviceLevel: ["p95(response_time_ms) > 60", "percentage(error) > 1"]'].join('\n')));
    assert.equal(m.outcome, 'found', evidence.summary);
    assert.equal(m.bound, 'latency');
    assert.equal(m.firstBreak!.expression, 'p95(response_time_ms) > 60');
    assert.equal(m.sustainableRps, 160);
  });

  it('capacity azure: a service that sheds load past 8 slots -> errors-bound, no plateau (its refusals are fast)', async () => {
    const { m, evidence } = await search({ service: { slots: 8, serviceMs: 50, mode: 'shed' } },
      cloudCapacityTest([...SETTINGS, 'serviceLevel: ["p95(response_time_ms) > 500", "percentage(error) > 1"]'].join('\n')));
    assert.equal(m.outcome, 'found', evidence.summary);
    assert.equal(m.bound, 'errors');
    assert.equal(m.firstBreak!.expression, 'percentage(error) > 1');
    assert.ok(!m.steps.some((s) => s.signals.some((g) => g.kind === 'plateau')), curve(m.steps));
    assert.equal(m.sustainableRps, 160);
  });

  it('capacity azure: a per-request service level -> read through the SamplerName filter, and that request breaks first', async () => {
    const { emu, m, evidence } = await search({ service: { slots: 8, serviceMs: 50, samplers: { Home: 1, Search: 3 } } },
      cloudCapacityTest([...SETTINGS, 'serviceLevel: ["p95(response_time_ms) > 1000", "Search: p95(response_time_ms) > 200"]'].join('\n'), { requests: ['Home', 'Search'] }));
    assert.equal(m.firstBreak!.expression, 'Search: p95(response_time_ms) > 200', evidence.summary);
    assert.equal(m.bound, 'latency');
    // 8 slots of 50 ms x mean factor 2: 80 rps.
    assert.equal(m.sustainableRps, 80);
    const filtered = emu.requestsTo('POST', /\/metrics$/).filter((r) => r.body.includes('SamplerName'));
    assert.ok(filtered.length >= 3);
    assert.deepEqual(JSON.parse(filtered[0].body), { filters: [{ name: 'SamplerName', values: ['Search'] }] });
  });

  it('capacity azure: two engines of 20 users, a service of 30 x 50 ms (600 rps) -> levels 4 ... 40, knee found past one engine\'s top', async () => {
    const { emu, m, evidence } = await search({ service: { slots: 30, serviceMs: 50 } },
      cloudCapacityTest([...SETTINGS, 'serviceLevel: ["p95(response_time_ms) > 500"]'].join('\n'), { engines: 2 }));
    assert.deepEqual(m.steps.map((s) => s.virtualUsers!.planned), [4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
    assert.equal(m.outcome, 'found', `${evidence.summary}\n${curve(m.steps)}`);
    assert.ok(Math.abs(m.sustainableRps! - 600) <= 60, curve(m.steps));
    assert.equal(emu.tests.get('shop-search-capacity')!.loadTestConfiguration && (emu.tests.get('shop-search-capacity')!.loadTestConfiguration as { engineInstances: number }).engineInstances, 2);
  });

  it('capacity azure: the engines run fewer users than the step plans -> generator-bound, no capacity stated, advice on engineInstances', async () => {
    const { m, evidence } = await search({ service: { slots: 100, serviceMs: 50, engineUserLimit: 11 } },
      cloudCapacityTest([...SETTINGS, 'serviceLevel: ["p95(response_time_ms) > 500"]'].join('\n')));
    assert.equal(m.outcome, 'generator-bound', `${evidence.summary}\n${curve(m.steps)}`);
    assert.equal(m.sustainableRps, null);
    assert.match(m.firstBreak!.detail, /engines ran 11 of the (1[4-9]|20) virtual users planned for this step/);
    assert.equal(m.provenRps, 200);
    assert.match(m.advice!, /raise engineInstances/);
    assert.equal(evidence.verdict, 'error');
  });

  it('capacity azure: a metrics nextLink pointing at another host -> InfrastructureError, the token never sent there', async () => {
    const error = await search({ service: { slots: 8, serviceMs: 50 }, metricsNextLinkOrigin: 'https://elsewhere.example' },
      cloudCapacityTest([...SETTINGS, 'serviceLevel: ["p95(response_time_ms) > 500"]'].join('\n'))).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof InfrastructureError, String(error));
    assert.match(error.message, /nextLink that points off 127\.0\.0\.1:\d+ \(https:\/\/elsewhere\.example\)/);
  });

  it('capacity azure: every step holds -> not-reached at the top of the profile', async () => {
    const { m, evidence } = await search({ service: { slots: 100, serviceMs: 50 } },
      cloudCapacityTest([...SETTINGS, 'serviceLevel: ["p95(response_time_ms) > 500"]'].join('\n')));
    assert.equal(m.outcome, 'not-reached', evidence.summary);
    assert.equal(m.stoppedBy!.reason, 'max-rate');
    assert.equal(m.provenRps, 400);
  });

  it('capacity azure: time budget passes while the run goes on -> the cloud run is stopped, the steps that ran judged, incomplete', async () => {
    // The budget fits the profile (110 s + 180 s of provisioning); the emulator's engines are slow to end, so
    // EXECUTING goes on past it. Its clock runs 100-fold: the search's budget is counted on the same compressed clock.
    const t0 = Date.now();
    const { emu, m, evidence } = await search({ service: { slots: 100, serviceMs: 50 }, executeMs: 6000, holdAt: 'EXECUTING' },
      cloudCapacityTest(['holdSeconds: 10', 'azure: { steps: 10 }', 'budget: { seconds: 290 }', 'serviceLevel: ["p95(response_time_ms) > 500"]'].join('\n')),
      { now: () => t0 + (Date.now() - t0) * 100 });
    assert.equal(m.outcome, 'incomplete', evidence.summary);
    assert.equal(m.stoppedBy!.reason, 'time-budget');
    assert.deepEqual(emu.stopped, [m.cloud!.testRunId]);
    assert.ok(m.steps.length < 10, curve(m.steps));
    assert.equal(evidence.verdict, 'error');
  });

  it('capacity azure: cancelled while the run goes on -> the cloud run is stopped and what ran is written, cancelled', async () => {
    const controller = new AbortController();
    const { emu, m, evidence } = await search({ service: { slots: 8, serviceMs: 50 }, holdAt: 'EXECUTING' },
      cloudCapacityTest([...SETTINGS, 'serviceLevel: ["p95(response_time_ms) > 500"]'].join('\n')),
      { signal: controller.signal, onRunCreated: () => setTimeout(() => controller.abort(), 150) });
    assert.equal(m.cancelled, true);
    assert.equal(m.stoppedBy!.reason, 'cancelled');
    assert.deepEqual(emu.stopped, [m.cloud!.testRunId]);
    assert.equal(evidence.verdict, 'error');
  });

  // Stop at the knee: the run's clock compressed 20-fold (110 s of profile in 5.5 s), so a step lasts 500 ms and the
  // series is read while the run goes on, every 250 ms (half a step, as by default).
  const LIVE = { executeMs: 5500 };
  const KNEE_LEVEL = [...SETTINGS, 'serviceLevel: ["p95(response_time_ms) > 500", "percentage(error) > 1"]'];

  it('capacity azure stop at the knee: knee at step 4 of 10 -> the run is stopped within a step of the break, same interval as the whole curve, the saving stated', async () => {
    const whole = await search({ service: { slots: 8, serviceMs: 50 }, ...LIVE }, cloudCapacityTest(KNEE_LEVEL.join('\n').replace('azure: { steps: 10 }', 'azure: { steps: 10, stopAtKnee: false }')),
      { kneeCheckMs: 250 });
    // stopAtKnee false: every step runs, as before; the run is never stopped.
    assert.deepEqual(whole.emu.stopped, []);
    assert.equal(whole.m.steps.length, 10, curve(whole.m.steps));
    await whole.emu.stop();

    const progress: string[] = [];
    const { emu, m, evidence } = await search({ service: { slots: 8, serviceMs: 50 }, ...LIVE }, cloudCapacityTest(KNEE_LEVEL.join('\n')),
      { kneeCheckMs: 250, onProgress: (message) => progress.push(message) });
    assert.deepEqual(emu.stopped, [m.cloud!.testRunId], progress.join('\n'));
    assert.equal(m.outcome, 'found', `${evidence.summary}\n${curve(m.steps)}`);
    assert.deepEqual(m.interval, whole.m.interval);
    assert.equal(m.sustainableRps, whole.m.sustainableRps);
    assert.equal(m.bound, 'throughput');
    // The curve ends at the step that broke, or one step later: a break is acted on only once a second read with
    // newer data confirms it, and on the compressed clock that read may land after the next step ended. The step
    // the stop cut short is never judged.
    const levels = m.steps.map((s) => s.virtualUsers!.measured);
    assert.ok([[2, 4, 6, 8, 10], [2, 4, 6, 8, 10, 12]].some((want) => JSON.stringify(want) === JSON.stringify(levels)), curve(m.steps));
    assert.equal(m.stoppedBy!.reason, 'knee');
    const stopped = /stopped at the knee: step 5 of 10 broke \(plateau\), the rest of the profile was not needed; stopped after (\d+) of 10 steps, about (\d+) % of the profile's virtual-user hours not spent/;
    const [, ran, saved] = stopped.exec(m.stoppedBy!.detail) ?? [];
    assert.ok(Number(ran) === levels.length + 1, m.stoppedBy!.detail);
    assert.ok(Number(saved) >= 50, m.stoppedBy!.detail);
    assert.match(evidence.summary, /Sustainable rate 160 rps .* Stopped: stopped at the knee: step 5 of 10 broke .*stopped after [67] of 10 steps/);
    assert.equal(evidence.verdict, 'passed');
    // The progress says why the run was stopped, not that anything failed.
    assert.ok(progress.some((p) => /^Stopping run [0-9a-f-]+: stopped at the knee: step 5 of 10 broke/.test(p)), progress.join('\n'));
    assert.ok(progress.some((p) => /^Step 4 of 10 \(8 virtual users\): held/.test(p)), progress.join('\n'));
    assert.equal(emu.runs.get(m.cloud!.testRunId)!.status, 'CANCELLED');
    // The definitions were read once, the series several times while the run went on.
    assert.equal(emu.requestsTo('GET', /\/metric-definitions$/).length, 1);
  });

  it('capacity azure stop at the knee: the newest bucket is still incomplete (half its requests) -> never judged, a service that holds is not stopped', async () => {
    const { emu, m, evidence } = await search({ service: { slots: 100, serviceMs: 50 }, ...LIVE, metricsLateBuckets: 1 },
      cloudCapacityTest(KNEE_LEVEL.join('\n')), { kneeCheckMs: 100 });
    assert.deepEqual(emu.stopped, [], evidence.summary);
    assert.equal(m.outcome, 'not-reached', `${evidence.summary}\n${curve(m.steps)}`);
    assert.equal(m.steps.length, 10);
    assert.ok(emu.requestsTo('POST', /\/metrics$/).length > 6 * 5, 'the series was read while the run went on');
  });

  it('capacity azure stop at the knee: the two newest buckets are still incomplete -> a service that holds is not stopped at a false knee, not-reached', async () => {
    const { emu, m, evidence } = await search({ service: { slots: 100, serviceMs: 50 }, ...LIVE, metricsLateBuckets: 2 },
      cloudCapacityTest(KNEE_LEVEL.join('\n')), { kneeCheckMs: 250 });
    assert.deepEqual(emu.stopped, [], evidence.summary);
    assert.equal(m.outcome, 'not-reached', `${evidence.summary}\n${curve(m.steps)}`);
    assert.equal(m.steps.length, 10);
    assert.equal(evidence.verdict, 'passed');
  });

  it('capacity azure stop at the knee: a metrics read fails while the run goes on -> a progress line, the search goes on, the result still right', async () => {
    const progress: string[] = [];
    const { m, evidence } = await search({ service: { slots: 8, serviceMs: 50 }, ...LIVE, faults: [{ method: 'POST', path: /\/metrics$/, status: 500, times: 5 }] },
      cloudCapacityTest(KNEE_LEVEL.join('\n')), { kneeCheckMs: 250, onProgress: (message) => progress.push(message) });
    assert.ok(progress.some((p) => /^Could not read the run's metrics while it runs \(.*\); the run goes on, and the read after it ends decides\.$/.test(p)), progress.join('\n'));
    assert.equal(m.outcome, 'found', evidence.summary);
    assert.ok(Math.abs(m.sustainableRps! - 160) <= 16, curve(m.steps));
    assert.equal(m.stoppedBy!.reason, 'knee', evidence.summary);
  });

  it('capacity azure settled steps: a step is judged once the bucket after its end has data, never while it runs', () => {
    // Steps of 10 s at 5-second buckets: 2 users (10 rps each), then 4 users that complete no more (a plateau).
    const series = (buckets: Array<[number, number]>): RunSeries => {
      const at = (f: (users: number, requests: number) => number) => buckets.map(([users, requests], i) => ({ t: i * 5000, v: f(users, requests) }));
      return { intervalSeconds: 5, virtualUsers: at((u) => u), requests: at((_, r) => r), errors: at(() => 0),
        responseTime: { avg: at(() => 50), p95: at(() => 60), p99: at(() => 70) }, samplers: new Map() };
    };
    const settings = { holdSeconds: 10, plateauPercent: 10, serviceLevel: [] };
    const running = settledSteps(series([[2, 100], [2, 100], [4, 100], [4, 100]]), [2, 4, 6], 10, settings)!;
    assert.deepEqual(running.steps.map((s) => s.virtualUsers!.measured), [2], 'the second step has no bucket after its end yet');
    const over = settledSteps(series([[2, 100], [2, 100], [4, 100], [4, 100], [6, 100]]), [2, 4, 6], 10, settings)!;
    assert.deepEqual(over.steps.map((s) => [s.virtualUsers!.measured, s.good]), [[2, true], [4, false]]);
    assert.equal(over.steps[1].signals[0].kind, 'plateau');
    assert.equal(settledSteps(series([]), [2, 4, 6], 10, settings), undefined);
  });

  it('capacity azure: the run is stopped from outside mid-run (stopAtKnee false) -> incomplete, error, the status named, never "every step held"', async () => {
    // Someone stops the run from the portal: a second client calls :stop while the steps climb.
    const outside = async (id: string) => {
      const emu = fixture.emu!;
      const { credential, armEndpoint } = createCredential(emulatedConnection(emu), { caCertificate: emu.ca });
      const other = await LoadTestingClient.forResource(emulatedResource(emu), { credential, armEndpoint, caCertificate: emu.ca });
      await new Promise((r) => setTimeout(r, 2500));
      await other.stopRun(id);
    };
    const { emu, m, evidence } = await search({ service: { slots: 100, serviceMs: 50 }, ...LIVE },
      cloudCapacityTest(KNEE_LEVEL.join('\n').replace('azure: { steps: 10 }', 'azure: { steps: 10, stopAtKnee: false }')),
      { onRunCreated: (id) => void outside(id) });
    assert.equal(emu.stopped.length, 1);
    assert.ok(m.steps.length < 10, curve(m.steps));
    assert.equal(m.outcome, 'incomplete', `${evidence.summary}\n${curve(m.steps)}`);
    assert.equal(m.stoppedBy!.reason, 'run-ended');
    assert.match(m.stoppedBy!.detail, /the cloud run ended CANCELLED after \d of 10 steps, before its profile did/);
    assert.equal(evidence.verdict, 'error');
  });

  it('capacity azure: cancelled before the run exists -> CancelledError, nothing left running', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(search({ service: { slots: 8, serviceMs: 50 } }, cloudCapacityTest([...SETTINGS, 'serviceLevel: ["p95(response_time_ms) > 500"]'].join('\n')),
      { signal: controller.signal }), CancelledError);
    assert.deepEqual(fixture.emu!.runs.size, 0);
  });

  it('capacity azure: criteria the metrics cannot judge, a short hold, an unknown request -> one ConfigError naming file, line and field, before any request', async () => {
    const file = cloudCapacityTest(['holdSeconds: 5', 'serviceLevel:', '  - p75(response_time_ms) > 300', '  - latency: p95(latency) > 100', '  - Cart: p95(response_time_ms) > 100'].join('\n'));
    const error = await search({ service: { slots: 8, serviceMs: 50 } }, file).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ConfigError, String(error));
    const text = error.problems.join('\n');
    assert.match(text, /test\.yaml:9 capacity\.serviceLevel: "p75\(response_time_ms\) > 300": the run metrics give the response time only as avg, p90, p95 or p99/);
    assert.match(text, /test\.yaml:10 capacity\.serviceLevel: .*no latency \(time to first byte\)/);
    assert.match(text, /test\.yaml:11 capacity\.serviceLevel: "Cart: p95\(response_time_ms\) > 100": no request is named "Cart"/);
    assert.match(text, /test\.yaml:7 capacity\.holdSeconds: on Azure Load Testing a step must span at least two 5-second metric intervals/);
    assert.equal(fixture.emu!.requests.length, 0);
  });

  it('capacity azure: a profile longer than the time budget less provisioning -> ConfigError naming budget.seconds, the arithmetic, before any request', async () => {
    const file = cloudCapacityTest(['holdSeconds: 60', 'azure: { steps: 10 }', 'budget: { seconds: 600 }', 'serviceLevel: ["p95(response_time_ms) > 500"]'].join('\n'));
    const error = await search({ service: { slots: 8, serviceMs: 50 } }, file).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.problems.join('\n'), /test\.yaml:9 capacity\.budget\.seconds: the stepped profile runs \(10 steps \+ 1\) x 60 s = 660 s of load, .*180 s to provision, 840 s in all, more than the time budget of 600 s.*at least 840/);
    assert.equal(fixture.emu!.requests.length, 0);
    await fixture.emu!.stop();
    // The default budget (600 s) is named through holdSeconds, the line the user wrote.
    const defaulted = await search({ service: { slots: 8, serviceMs: 50 } }, cloudCapacityTest(['holdSeconds: 60', 'serviceLevel: ["p95(response_time_ms) > 500"]'].join('\n')))
      .then(() => undefined, (e: unknown) => e);
    assert.match(String((defaulted as ConfigError).problems), /test\.yaml:7 capacity\.holdSeconds: .* more than the time budget of 600 s \(the default\)/);
  });

  it('capacity azure: stopAtKnee neither true nor false -> ConfigError naming file, line and key, before any request', async () => {
    const file = cloudCapacityTest(['holdSeconds: 10', 'azure:', '  steps: 10', '  stopAtKnee: "yes"', 'serviceLevel: ["p95(response_time_ms) > 500"]'].join('\n'));
    const error = await search({ service: { slots: 8, serviceMs: 50 } }, file).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.problems.join('\n'), /test\.yaml:10 capacity\.azure\.stopAtKnee: must be true or false, found "yes"/);
    assert.equal(fixture.emu!.requests.length, 0);
  });

  it('capacity azure: a JMX plan or too few users for the steps -> ConfigError naming the field', async () => {
    const jmx = await search({}, cloudCapacityTest([...SETTINGS, 'serviceLevel: ["p95(response_time_ms) > 500"]'].join('\n'), { testType: 'JMX' })).then(() => undefined, (e: unknown) => e);
    assert.match(String((jmx as ConfigError).problems), /test\.yaml:3 testType: the capacity search on Azure Load Testing runs URL tests/);
    await fixture.emu!.stop();
    const few = await search({}, cloudCapacityTest([...SETTINGS, 'serviceLevel: ["p95(response_time_ms) > 500"]'].join('\n'), { users: 4 })).then(() => undefined, (e: unknown) => e);
    assert.match(String((few as ConfigError).problems), /requests\.json: testSetup\[0\]\.virtualUsersPerEngine: must be a whole number of at least capacity\.azure\.steps \(10\), found 4/);
  });
});
