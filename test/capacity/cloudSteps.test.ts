import assert from 'node:assert/strict';
import { cloudCurve, cloudSteps, type RunSeries } from '../../src/capacity/cloudSteps';

/**
 * Slicing and judging a cloud run's series (src/capacity/cloudSteps.ts) on hand-made series: 5-second buckets,
 * steps of 10 s. Each bucket is [users, requests] (and optionally errors), every user completing 10 requests a second.
 */
function series(buckets: Array<[number, number, number?]>, latency: (i: number) => number = () => 50): RunSeries {
  const at = (f: (b: [number, number, number?], i: number) => number) => buckets.map((b, i) => ({ t: 1_000_000 + i * 5000, v: f(b, i) }));
  return { intervalSeconds: 5, virtualUsers: at(([u]) => u), requests: at(([, r]) => r), errors: at(([, , e]) => e ?? 0),
    responseTime: { avg: at((_, i) => latency(i)), p95: at((_, i) => latency(i)), p99: at((_, i) => latency(i)) }, samplers: new Map() };
}
const SETTINGS = { plateauPercent: 10, serviceLevel: [] };
const full = (users: number) => users * 10 * 5;

describe('capacity on Azure Load Testing: slicing the series into steps', () => {
  it('cloud steps: the run ended inside its last bucket (1 s of 5 ran) -> that bucket is left out, no false plateau at the top', () => {
    // Three steps of 2, 4, 6 users, the top held one more step; the load ended 1 s into the last bucket.
    const s = series([[2, full(2)], [2, full(2)], [4, full(4)], [4, full(4)], [6, full(6)], [6, full(6)], [6, full(6)], [6, full(6) / 5]]);
    const steps = cloudSteps(s, [2, 4, 6], 10, SETTINGS, undefined, { ended: true });
    assert.deepEqual(steps.map((x) => x.achievedRps), [20, 40, 60]);
    assert.ok(steps.every((x) => x.good), JSON.stringify(steps.map((x) => x.signals)));
  });

  it('cloud steps: a step whose users never settle (jitter) -> the curve stops before it, named; no knee bracketed across it', () => {
    // 2 users hold; the second step's users jitter between 4 and 5 (no two buckets at one level); at 6 users the
    // service plateaus. Without the rule, 2 users (good) and 6 users (broken) would bracket a knee across step 2.
    const s = series([[2, full(2)], [2, full(2)], [4, full(4)], [5, full(5)], [6, full(2)], [6, full(2)], [6, full(2)], [6, full(2)]]);
    const curve = cloudCurve(s, [2, 4, 6], 10, SETTINGS);
    assert.deepEqual(curve.steps.map((x) => x.virtualUsers!.measured), [2]);
    assert.equal(curve.unsettled!.step, 2);
    assert.match(curve.unsettled!.detail, /^step 2 of 3 \(4 virtual users planned\): its VirtualUsers never held one level for two buckets, so it could not be judged/);
    // Every step settled: no gap, the whole curve.
    const settled = cloudCurve(series([[2, full(2)], [2, full(2)], [4, full(4)], [4, full(4)], [6, full(6)], [6, full(6)]]), [2, 4, 6], 10, SETTINGS);
    assert.equal(settled.unsettled, undefined);
    assert.equal(settled.steps.length, 3);
  });

  it('cloud steps: engines that stop climbing hold one level over several steps -> those steps count as covered, no gap', () => {
    const s = series([[2, full(2)], [2, full(2)], [3, full(3)], [3, full(3)], [3, full(3)], [3, full(3)]]);
    const curve = cloudCurve(s, [2, 4, 6], 10, SETTINGS);
    assert.equal(curve.unsettled, undefined);
    assert.equal(curve.steps.at(-1)!.signals[0].kind, 'generator');
  });

  it('cloud steps: a bucket of mostly failed requests -> the step\'s response time weighted by successful requests, not by all', () => {
    // One step of two buckets: 100 requests all served in 50 ms, then 100 requests of which 90 failed and 10 served in 500 ms.
    const s = series([[2, 100, 0], [2, 100, 90]], (i) => (i === 0 ? 50 : 500));
    const [step] = cloudSteps(s, [2], 10, SETTINGS);
    // (100 x 50 + 10 x 500) / 110 = 90.9 ms; weighting by all requests would say 275 ms.
    assert.equal(step.latencyMs.p95, 90.909);
    assert.equal(step.errors, 90);
  });

  it('cloud steps: the service rounds a step one user per engine per setup below the plan -> not generator-bound; further short -> generator', () => {
    // Two engines of one setup: planned 4 then 8 users; the service rounds each engine's share down once more.
    const rounded = series([[4, full(4)], [4, full(4)], [6, full(6)], [6, full(6)]]);
    const ok = cloudSteps(rounded, [4, 8], 10, SETTINGS, undefined, { roundingUsers: 2 });
    assert.ok(ok.every((x) => x.good), JSON.stringify(ok.map((x) => x.signals)));
    const short = cloudSteps(series([[4, full(4)], [4, full(4)], [5, full(5)], [5, full(5)]]), [4, 8], 10, SETTINGS, undefined, { roundingUsers: 2 });
    assert.match(short[1].signals[0].detail, /engines ran 5 of the 8 virtual users planned/);
  });
});
