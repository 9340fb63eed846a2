import assert from 'node:assert/strict';
import { describeFailures, evaluateCriteria, explainCriterion, parseFailureCriteria } from '../../src/criteria';
import type { RequestStats } from '../../src/evidence/types';

function stats(name: string, overrides: Partial<RequestStats> = {}): RequestStats {
  return {
    name,
    requests: 1000,
    errors: 20,
    httpErrors: 15,
    networkErrors: 5,
    errorPercentage: 2,
    rps: 50.5,
    latencyMs: { min: 1, avg: 40.4, p50: 30, p75: 45, p90: 80, p95: 120, p99: 300, p999: 800, max: 950, p97: 150 },
    ...overrides,
  };
}
const run = {
  totals: stats('Total'),
  requests: [stats('GetUser', { latencyMs: { min: 2, avg: 60, p50: 50, p75: 70, p90: 100, p95: 412, p99: 500, p999: 600, max: 700 } }), stats('Idle', { requests: 0, rps: 0, errorPercentage: 0 })],
};

function judge(expression: string | Record<string, string>) {
  const [criterion] = parseFailureCriteria([expression], { file: 'f' });
  return evaluateCriteria([criterion], run)[0];
}

describe('criteria evaluation', () => {
  // [criterion, actual, failed]
  const cases: Array<[string | Record<string, string>, number | null, boolean]> = [
    ['avg(response_time_ms) > 40', 40.4, true],
    ['avg(response_time_ms) > 40.4', 40.4, false],
    ['avg(response_time_ms) >= 40.4', 40.4, true],
    ['min(response_time_ms) < 1', 1, false],
    ['min(response_time_ms) <= 1', 1, true],
    ['max(response_time_ms) > 900', 950, true],
    ['p50(response_time_ms) > 30', 30, false],
    ['p75(response_time_ms) > 44', 45, true],
    ['p90(response_time_ms) > 80', 80, false],
    ['p95(response_time_ms) > 100', 120, true],
    ['p97(response_time_ms) > 100', 150, true],
    ['p99(response_time_ms) > 300', 300, false],
    ['p99.9(response_time_ms) > 700', 800, true],
    ['p999(response_time_ms) > 700', 800, true],
    ['p96(response_time_ms) > 100', null, true],
    ['p9999(response_time_ms) > 100', null, true],
    ['p95(latency) > 130', 120, false],
    ['percentage(error) > 1.5', 2, true],
    ['percentage(error) > 2', 2, false],
    ['avg(requests_per_sec) < 50', 50.5, false],
    ['avg(requests_per_sec) < 60', 50.5, true],
    ['count(requests) < 1000', 1000, false],
    ['count(requests) <= 1000', 1000, true],
    [{ GetUser: 'p95(response_time_ms) > 300' }, 412, true],
    ['GetUser: p95(response_time_ms) > 500', 412, false],
    [{ Missing: 'p95(response_time_ms) > 300' }, null, true],
    [{ Idle: 'p95(response_time_ms) > 300' }, null, true],
    [{ Idle: 'percentage(error) > 3' }, null, true],
    [{ Idle: 'count(requests) < 1' }, 0, true],
    [{ Idle: 'avg(requests_per_sec) > 1' }, 0, false],
  ];
  for (const [expression, actual, failed] of cases) {
    const text = typeof expression === 'string' ? expression : JSON.stringify(expression);
    it(`evaluate: ${text} -> actual ${actual}, ${failed ? 'failed' : 'passed'}`, () => {
      const result = judge(expression);
      assert.equal(result.actual, actual);
      assert.equal(result.failed, failed);
      assert.match(result.explanation, failed ? /: failed\./ : /: passed\./);
    });
  }

  it('evaluate: result carries the expression, threshold and request for the evidence', () => {
    const result = judge({ GetUser: 'p95(response_time_ms) > 300' });
    assert.deepEqual(
      { expression: result.expression, threshold: result.threshold, request: result.request },
      { expression: 'GetUser: p95(response_time_ms) > 300', threshold: 300, request: 'GetUser' },
    );
    assert.equal(result.explanation, 'The p95 response time of "GetUser" was 412 ms, above 300 ms: failed.');
  });

  it('evaluate: unknown request name -> not measured, failed, names the requests that ran', () => {
    const result = judge({ Missing: 'p95(response_time_ms) > 300' });
    assert.match(result.explanation, /No request named "Missing" ran/);
    assert.match(result.explanation, /"GetUser", "Idle"/);
  });

  it('evaluate: percentile the engine did not record -> explanation says which', () => {
    assert.match(judge('p96(response_time_ms) > 100').explanation, /did not record p96/);
  });

  it('evaluate: latency without time-to-first-byte -> uses response time and says so', () => {
    assert.match(judge('p95(latency) > 130').explanation, /full response time; time to first byte was not recorded/);
  });

  it('evaluate: latency with time-to-first-byte -> uses it', () => {
    const withTtfb = { ...run, totals: stats('Total', { timeToFirstByteMs: { min: 1, avg: 5, p50: 4, p75: 6, p90: 8, p95: 9, p99: 12, p999: 20, max: 30 } }) };
    const [result] = evaluateCriteria(parseFailureCriteria(['p95(latency) > 8'], { file: 'f' }), withTtfb);
    assert.equal(result.actual, 9);
    assert.equal(result.failed, true);
  });

  it('evaluate: an actual just over the threshold -> shown with enough decimals to tell them apart', () => {
    const close = { ...run, totals: stats('Total', { latencyMs: { ...run.totals.latencyMs, p95: 300.0004 } }) };
    const [result] = evaluateCriteria(parseFailureCriteria(['p95(response_time_ms) > 300'], { file: 'f' }), close);
    assert.equal(result.failed, true);
    assert.equal(result.explanation, 'The p95 response time over all requests was 300.0004 ms, above 300 ms: failed.');
  });

  it('evaluate: an engine figure that is not a number -> not measured, failed', () => {
    const broken = { ...run, totals: stats('Total', { rps: Number.NaN }) };
    const [result] = evaluateCriteria(parseFailureCriteria(['avg(requests_per_sec) < 5'], { file: 'f' }), broken);
    assert.deepEqual([result.actual, result.failed], [null, true]);
    assert.match(result.explanation, /could not be measured \(the engine reported NaN\)/);
  });

  it('explain: stop criterion -> says the run stops', () => {
    const [c] = parseFailureCriteria(['percentage(error) >= 5, stop'], { file: 'f' });
    assert.equal(explainCriterion(c), 'Fails when the error percentage over all requests is at or above 5%, and the run stops as soon as it does.');
  });

  it('describeFailures: lists only failed criteria with actual against threshold', () => {
    const results = evaluateCriteria(parseFailureCriteria(['p95(response_time_ms) > 100', 'count(requests) < 10', { Missing: 'avg(latency) > 1' }], { file: 'f' }), run);
    assert.equal(describeFailures(results), 'p95(response_time_ms) > 100: actual 120, threshold 100\nMissing: avg(latency) > 1: actual not measured, threshold 1');
  });
});
