import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors';
import { parseFailureCriteria, parseFailureCriteriaAll, parseServerMetricCriteria, reduceDuplicates, type Criterion } from '../../src/criteria';
import { parseYamlSource } from '../../src/config/yamlSource';

/** Parses a YAML configuration the way the load test does: lines come from the real file. */
function fromYaml(text: string) {
  const source = parseYamlSource('loadtest.yaml', text);
  assert.deepEqual(source.syntaxProblems, []);
  const data = source.data as Record<string, unknown>;
  return { raw: data.failureCriteria, where: { file: 'loadtest.yaml', lineOf: (p: (string | number)[]) => source.lineOf(['failureCriteria', ...p]) } };
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('failure criteria parsing', () => {
  it('flat list: strings and request maps -> criteria with requests and file lines', () => {
    const { raw, where } = fromYaml(['testId: t', 'failureCriteria:', '  - avg(response_time_ms) > 300', '  - GetCustomerDetails: avg(latency) >200', '  - percentage(error) > 0.5'].join('\n'));
    const criteria = parseFailureCriteria(raw, where);
    assert.deepEqual(criteria, [
      { expression: 'avg(response_time_ms) > 300', aggregate: 'avg', metric: 'response_time_ms', operator: '>', threshold: 300, action: 'continue', line: 3 },
      { expression: 'GetCustomerDetails: avg(latency) >200', request: 'GetCustomerDetails', aggregate: 'avg', metric: 'latency', operator: '>', threshold: 200, action: 'continue', line: 4 },
      { expression: 'percentage(error) > 0.5', aggregate: 'percentage', metric: 'error', operator: '>', threshold: 0.5, action: 'continue', line: 5 },
    ]);
  });

  it('clientMetrics/serverMetrics form: server criteria come back apart from client criteria', () => {
    const { raw, where } = fromYaml(
      [
        'failureCriteria:',
        '  clientMetrics:',
        '    - avg(requests_per_sec) < 1.25',
        '    - count(requests) < 0',
        '  serverMetrics:',
        '    - resourceId: /subscriptions/abcdef01-2345-6789-0abc-def012345678/resourceGroups/rg/providers/Microsoft.Web/serverfarms/plan',
        '      metricNamespace: microsoft.web/serverfarms',
        '      metricName: CpuPercentage',
        '      aggregation: Average',
        '      condition: GreaterThan',
        '      value: 80',
      ].join('\n'),
    );
    const all = parseFailureCriteriaAll(raw, where);
    assert.deepEqual(all.client.map((c) => [c.metric, c.threshold, c.line]), [['requests_per_sec', 1.25, 3], ['requests', 0, 4]]);
    assert.deepEqual(all.server, [
      {
        resourceId: '/subscriptions/abcdef01-2345-6789-0abc-def012345678/resourceGroups/rg/providers/Microsoft.Web/serverfarms/plan',
        metricNamespace: 'microsoft.web/serverfarms',
        metricName: 'CpuPercentage',
        aggregation: 'Average',
        condition: 'GreaterThan',
        value: 80,
        line: 6,
      },
    ]);
    assert.equal(parseServerMetricCriteria(raw, where).length, 1);
    assert.equal(parseFailureCriteria(raw, where).length, 2);
  });

  it('absent failureCriteria -> no criteria', () => {
    assert.deepEqual(parseFailureCriteria(undefined, { file: 'f.yaml' }), []);
    assert.deepEqual(parseFailureCriteria(null, { file: 'f.yaml' }), []);
    assert.deepEqual(parseFailureCriteria({ clientMetrics: null }, { file: 'f.yaml' }), []);
  });

  it('several bad criteria -> one ConfigError naming file:line, key, quoting each and pointing with a caret', () => {
    const { raw, where } = fromYaml(['failureCriteria:', '  - p95(response_time) > 300', '  - avg(latency) > 200', '  - Login: avg(eror) > 1'].join('\n'));
    const problems = problemsOf(() => parseFailureCriteria(raw, where));
    assert.equal(problems.length, 2);
    assert.equal(
      problems[0],
      'loadtest.yaml:2 failureCriteria[0]: "p95(response_time) > 300": unknown metric "response_time"; did you mean "response_time_ms"? (column 5)\n' +
        '      p95(response_time) > 300\n' +
        '          ^^^^^^^^^^^^^',
    );
    assert.match(problems[1], /^loadtest\.yaml:4 failureCriteria\[2\]\.Login: "avg\(eror\) > 1": unknown metric "eror"; did you mean "error"\?/);
  });

  const shapeCases: Array<[string, unknown, RegExp]> = [
    ['a number instead of a list', 5, /failureCriteria: must be a list of criteria, or a map/],
    ['a misspelt clientMetrics key', { clientMetric: ['avg(latency) > 1'] }, /failureCriteria\.clientMetric: unknown key "clientMetric"; did you mean "clientMetrics"\?/],
    ['clientMetrics that is not a list', { clientMetrics: 'avg(latency) > 1' }, /clientMetrics: must be a list/],
    ['serverMetrics that is not a list', { serverMetrics: {} }, /serverMetrics: must be a list/],
    ['a number as a criterion', [42], /failureCriteria\[0\]: each criterion is text .* \(found 42\)/],
    ['a request map with two entries', [{ A: 'avg(latency) > 1', B: 'avg(latency) > 2' }], /exactly one criterion .* found 2 entries/],
    ['a request map whose value is not text', [{ A: 5 }], /failureCriteria\[0\]\.A: the criterion for request "A" must be text/],
    ['a request name with spaces', [{ 'Get user': 'avg(latency) > x' }], /failureCriteria\[0\]\["Get user"\]: "avg\(latency\) > x": expected a number/],
  ];
  for (const [name, raw, pattern] of shapeCases) {
    it(`shape: ${name} -> ConfigError`, () => {
      const problems = problemsOf(() => parseFailureCriteria(raw, { file: 'lt.yaml' }));
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], pattern);
    });
  }

  const goodServer = {
    resourceId: '/subscriptions/abcdef01-2345-6789-0abc-def012345678/resourceGroups/rg/providers/Microsoft.Web/sites/app',
    metricName: 'CpuTime',
    aggregation: 'Maximum',
    condition: 'LessThan',
    value: '12.5',
  };
  it('server metric: numeric text value -> number', () => {
    assert.equal(parseServerMetricCriteria({ serverMetrics: [goodServer] }, { file: 'f' })[0].value, 12.5);
  });
  const serverCases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['missing metricName', { metricName: undefined }, /serverMetrics\[0\]\.metricName: "metricName" is required/],
    ['a resource id without a GUID subscription', { resourceId: '/subscriptions/<sub>/resourceGroups/rg/providers/x/y' }, /is not an Azure resource id/],
    ['an abbreviated aggregation', { aggregation: 'Avg' }, /unknown aggregation "Avg"; did you mean "Average"\?/],
    ['a symbol condition', { condition: '>' }, /unknown condition ">"; use GreaterThan or LessThan/],
    ['a value that is not a number', { value: 'high' }, /"value" must be a number \(found "high"\)/],
    ['an unknown key', { metricNamspace: 'x' }, /unknown key "metricNamspace"; did you mean "metricNamespace"\?/],
  ];
  for (const [name, change, pattern] of serverCases) {
    it(`server metric: ${name} -> ConfigError`, () => {
      const problems = problemsOf(() => parseFailureCriteria({ serverMetrics: [{ ...goodServer, ...change }] }, { file: 'lt.yaml' }));
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], pattern);
    });
  }
});

describe('duplicate criteria', () => {
  const parse = (list: unknown[]): Criterion[] => parseFailureCriteria(list, { file: 'f' });
  const cases: Array<[string, unknown[], string[]]> = [
    ['two > on the same metric keep the lowest', ['avg(response_time_ms) > 300', 'avg(response_time_ms) > 200', 'avg(response_time_ms) > 250'], ['avg(response_time_ms) > 200']],
    ['two < on the same metric keep the highest', ['avg(requests_per_sec) < 5', 'avg(requests_per_sec) < 7.5'], ['avg(requests_per_sec) < 7.5']],
    ['>= keeps the lowest', ['p95(latency) >= 9', 'p95(latency) >= 3'], ['p95(latency) >= 3']],
    ['<= keeps the highest', ['count(requests) <= 9', 'count(requests) <= 30'], ['count(requests) <= 30']],
    ['different operators are kept apart', ['p95(latency) > 9', 'p95(latency) >= 3'], ['p95(latency) > 9', 'p95(latency) >= 3']],
    ['different actions are kept apart', ['p95(latency) > 9', 'p95(latency) > 3, stop'], ['p95(latency) > 9', 'p95(latency) > 3, stop']],
    ['different requests are kept apart', ['p95(latency) > 9', { A: 'p95(latency) > 3' }, { B: 'p95(latency) > 1' }], ['p95(latency) > 9', 'A: p95(latency) > 3', 'B: p95(latency) > 1']],
    ['the same request reduces', [{ A: 'p95(latency) > 3' }, 'A: p95(latency) > 2'], ['A: p95(latency) > 2']],
    ['p99.9 and p999 are the same aggregate', ['p99.9(latency) > 10', 'p999(latency) > 8'], ['p999(latency) > 8']],
    ['an explicit continue equals the default', ['p95(latency) > 9, continue', 'p95(latency) > 4'], ['p95(latency) > 4']],
    ['equal thresholds keep the first', ['p95(latency) > 4', 'p95(latency)>4'], ['p95(latency) > 4']],
  ];
  for (const [name, list, expected] of cases) {
    it(`duplicates: ${name}`, () => assert.deepEqual(parse(list).map((c) => c.expression), expected));
  }
  it('duplicates: the survivor keeps the place of the first occurrence', () => {
    const reduced = reduceDuplicates(parse(['p95(latency) > 9', 'count(requests) < 1', 'p95(latency) > 3']));
    assert.deepEqual(reduced.map((c) => c.expression), ['p95(latency) > 3', 'count(requests) < 1']);
  });
});
