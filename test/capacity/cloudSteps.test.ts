import assert from 'node:assert/strict';
import { cloudSteps, type RunSeries } from '../../src/capacity/cloudSteps';

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
});
