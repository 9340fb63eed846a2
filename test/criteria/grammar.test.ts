import assert from 'node:assert/strict';
import { parseExpression } from '../../src/criteria/grammar';

describe('criteria grammar', () => {
  const accepted: Array<[string, string, Record<string, unknown>]> = [
    ['Azure sample: avg response time', 'avg(response_time_ms) > 300', { aggregate: 'avg', metric: 'response_time_ms', operator: '>', threshold: 300, action: 'continue' }],
    ['no blanks around the operator', 'avg(latency)>200', { metric: 'latency', operator: '>', threshold: 200 }],
    ['blanks everywhere', '  p95 ( response_time_ms )  <  12 ,  stop ', { aggregate: 'p95', operator: '<', threshold: 12, action: 'stop' }],
    ['decimals are kept', 'percentage(error) > 0.5', { aggregate: 'percentage', metric: 'error', threshold: 0.5 }],
    ['decimal requests per second', 'avg(requests_per_sec) < 1.25', { metric: 'requests_per_sec', operator: '<', threshold: 1.25 }],
    ['>= is accepted', 'max(response_time_ms) >= 1000', { aggregate: 'max', operator: '>=' }],
    ['<= is accepted', 'count(requests) <= 10', { aggregate: 'count', metric: 'requests', operator: '<=', threshold: 10 }],
    ['explicit continue', 'min(latency) > 5, continue', { action: 'continue' }],
    ['p99.9 spelt with a dot becomes p999', 'p99.9(response_time_ms) > 900', { aggregate: 'p999' }],
    ['p99.99 spelt with a dot becomes p9999', 'p99.99(latency) > 900', { aggregate: 'p9999' }],
    ['p999 without a dot', 'p999(response_time_ms) > 900', { aggregate: 'p999' }],
    ['p9999 without a dot', 'p9999(response_time_ms) > 900', { aggregate: 'p9999' }],
    ['ms unit on a time metric', 'p90(response_time_ms) > 250ms', { aggregate: 'p90', threshold: 250 }],
    ['% unit on error', 'percentage(error) > 5%', { threshold: 5 }],
    ['request prefix in the string form', 'GetUser: p95(response_time_ms) > 300', { request: 'GetUser', aggregate: 'p95' }],
    ['request names may hold colons and spaces', 'GET /api:v1 users: avg(latency) > 3', { request: 'GET /api:v1 users' }],
    ['zero threshold (Azure sample)', 'count(requests) < 0', { threshold: 0 }],
    ['error at 100 percent', 'percentage(error) >= 100', { threshold: 100 }],
    ['baseline: relative p95', 'p95(response_time_ms) > baseline + 10%', { aggregate: 'p95', threshold: 10, baseline: { relative: true } }],
    ['baseline: absolute ms', 'GetUser: p95(response_time_ms) > baseline + 20 ms', { request: 'GetUser', threshold: 20, baseline: { relative: false } }],
    ['baseline: throughput falls', 'avg(requests_per_sec) < baseline - 10%', { metric: 'requests_per_sec', operator: '<', baseline: { relative: true } }],
    ['baseline: error points', 'percentage(error) >= baseline + 0.5', { threshold: 0.5, baseline: { relative: false } }],
    ['baseline: blanks optional', 'avg(response_time_ms)>baseline+5%', { aggregate: 'avg', threshold: 5 }],
    ['no baseline field on an Azure criterion', 'p95(response_time_ms) > 300', { baseline: undefined }],
  ];
  for (const aggregate of ['avg', 'min', 'max', 'p50', 'p75', 'p90', 'p95', 'p96', 'p97', 'p98', 'p99', 'p999', 'p9999']) {
    for (const metric of ['response_time_ms', 'latency']) {
      accepted.push([`${aggregate} of ${metric}`, `${aggregate}(${metric}) > 1`, { aggregate, metric }]);
    }
  }
  for (const [name, text, expected] of accepted) {
    it(`grammar: ${name} -> parsed`, () => {
      const outcome = parseExpression(text);
      assert.ok(outcome.ok, outcome.ok ? '' : outcome.problem.message);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual((outcome.value as unknown as Record<string, unknown>)[key], value, key);
    });
  }

  it('grammar: map-form request is taken from the key -> request set, text unchanged', () => {
    const outcome = parseExpression('avg(latency) > 200', 'GetCustomerDetails');
    assert.ok(outcome.ok);
    assert.equal(outcome.value.request, 'GetCustomerDetails');
  });

  // [name, text, message fragment, 0-based start of the caret]
  const rejected: Array<[string, string, string, number]> = [
    ['misspelt metric', 'p95(response_time) > 300', 'did you mean "response_time_ms"', 4],
    ['upper-case aggregate', 'P95(latency) > 1', 'did you mean "p95"', 0],
    ['unknown percentile', 'p93(latency) > 1', 'unknown aggregate "p93"', 0],
    ['k6 percentile spelling', 'p(95) < 200', 'write p95(response_time_ms)', 0],
    ['aggregate that does not fit the metric', 'avg(error) > 3', 'use percentage(error)', 0],
    ['count of latency', 'count(latency) > 3', 'does not apply to latency', 0],
    ['== operator', 'avg(latency) == 3', 'operator "==" is not supported', 13],
    ['= operator', 'avg(latency) = 3', 'operator "=" is not supported', 13],
    ['missing operator', 'avg(latency) 3', 'expected an operator', 13],
    ['missing number', 'avg(latency) >', 'expected a number', 14],
    ['negative threshold', 'avg(latency) > -3', 'cannot be negative', 15],
    ['seconds unit would be misread', 'avg(latency) > 3s', 'unit "s" is not allowed', 16],
    ['unit on a count', 'count(requests) > 3ms', 'takes a plain number', 19],
    ['error above 100 percent', 'percentage(error) > 101', 'between 0 and 100', 20],
    ['unknown action', 'avg(latency) > 3, abort', 'unknown action "abort"', 18],
    ['missing action after comma', 'avg(latency) > 3,', 'unknown action', 17],
    ['trailing junk', 'avg(latency) > 3 4', 'unexpected "4"', 17],
    ['missing parenthesis', 'avg latency > 3', 'expected "("', 4],
    ['unclosed parenthesis', 'avg(latency > 3', 'expected ")"', 12],
    ['empty request name', ': avg(latency) > 3', 'request name before ":" is empty', 0],
    ['empty text', '', 'expected an aggregate', 0],
    ['baseline: latency has no distribution kept', 'p95(latency) > baseline + 10%', 'latency cannot be compared with a baseline', 15],
    ['baseline: max is a single sample', 'max(response_time_ms) > baseline + 10%', 'single sample', 0],
    ['baseline: throughput regresses downwards', 'avg(requests_per_sec) > baseline + 10%', 'write avg(requests_per_sec) < baseline - 10%', 22],
    ['baseline: latency regresses upwards', 'p95(response_time_ms) > baseline - 10%', 'expected "+" after baseline', 33],
    ['baseline: number missing', 'p95(response_time_ms) > baseline + ms', 'expected a number after "baseline +"', 35],
    ['baseline: zero threshold', 'p95(response_time_ms) > baseline + 0%', 'a threshold of 0', 35],
    ['baseline: seconds unit', 'p95(response_time_ms) > baseline + 2s', 'unit "s" is not allowed here', 36],
    ['baseline: cannot stop the run', 'p95(response_time_ms) > baseline + 10%, stop', 'cannot stop the run', 40],
  ];
  for (const [name, text, fragment, start] of rejected) {
    it(`grammar: ${name} -> rejected at column ${start + 1}`, () => {
      const outcome = parseExpression(text);
      assert.ok(!outcome.ok, 'expected a problem');
      assert.match(outcome.problem.message, new RegExp(fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      assert.equal(outcome.problem.start, start);
    });
  }
});
