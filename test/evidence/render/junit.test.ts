import assert from 'node:assert/strict';
import { renderJUnit } from '../../../src/evidence/render';
import type { Evidence } from '../../../src/evidence/types';
import * as fixtures from '../fixtures';
import { findAll, parseXml } from './xml';

describe('JUnit reporter', () => {
  // [fixture, test cases, failures, errors, skipped]
  const cases: Array<[string, () => Evidence, number, number, number, number]> = [
    ['load test passed: one case per criterion', fixtures.loadTestPassed, 3, 0, 0, 0],
    ['load test failed: failed criteria are failures', fixtures.loadTestFailed, 4, 3, 0, 0],
    ['load test cancelled: an error case besides the criteria', fixtures.loadTestCancelled, 2, 0, 1, 0],
    ['load test error without criteria: one error case', fixtures.loadTestError, 1, 0, 1, 0],
    ['load test stopped early: the stop criterion fails', fixtures.loadTestOpenStoppedEarly, 1, 1, 0, 0],
    ['drill passed: RTO, RPO and each probe', fixtures.drillPassed, 4, 0, 0, 0],
    ['drill failed: RTO over target and failed probe', fixtures.drillFailed, 4, 2, 0, 0],
    ['drill cancelled: unmeasured targets fail, the run errors', fixtures.drillCancelled, 3, 2, 1, 0],
    ['recreation failed: environment RTO, leaks, drift, each probe and criterion', fixtures.recreationFailed, 7, 4, 0, 0],
    ['rollback passed: time to rollback and to recover', fixtures.rollbackPassed, 5, 0, 0, 0],
    ['docs failed: one case per file, missing files included', fixtures.docsFailed, 3, 2, 0, 0],
    ['docs passed', fixtures.docsPassed, 1, 0, 0, 0],
    ['gate not ready: one case per check, waived is skipped', fixtures.gateNotReady, 5, 3, 0, 1],
    ['gate ready', fixtures.gateReady, 1, 0, 0, 0],
  ];
  for (const [name, make, tests, failures, errors, skipped] of cases) {
    it(`junit: ${name} -> ${tests} cases, ${failures} failures, ${errors} errors, ${skipped} skipped`, () => {
      const xml = renderJUnit(make());
      const root = parseXml(xml);
      assert.equal(root.name, 'testsuites');
      const [suite] = findAll(root, 'testsuite');
      const testcases = findAll(suite, 'testcase');
      const counted = {
        tests: testcases.length,
        failures: testcases.filter((t) => t.children.some((c) => c.name === 'failure')).length,
        errors: testcases.filter((t) => t.children.some((c) => c.name === 'error')).length,
        skipped: testcases.filter((t) => t.children.some((c) => c.name === 'skipped')).length,
      };
      assert.deepEqual(counted, { tests, failures, errors, skipped });
      for (const element of [root, suite]) {
        assert.deepEqual(
          { tests: element.attributes.tests, failures: element.attributes.failures, errors: element.attributes.errors, skipped: element.attributes.skipped },
          { tests: String(tests), failures: String(failures), errors: String(errors), skipped: String(skipped) },
        );
      }
    });
  }

  it('junit: failed criterion -> failure carries actual, threshold and the explanation', () => {
    const evidence = fixtures.loadTestFailed();
    const testcases = findAll(parseXml(renderJUnit(evidence)), 'testcase');
    const first = testcases[0];
    assert.equal(first.attributes.name, 'p95(response_time_ms) > 250');
    const failure = first.children.find((c) => c.name === 'failure')!;
    assert.equal(failure.attributes.message, 'p95(response_time_ms) > 250: actual 300, threshold 250');
    assert.equal(failure.text, evidence.criteria[0].explanation);
  });

  it('junit: markup in request names -> escaped and read back unchanged', () => {
    const xml = renderJUnit(fixtures.loadTestFailed());
    assert.ok(!xml.includes('<script>'));
    const names = findAll(parseXml(xml), 'testcase').map((t) => t.attributes.name);
    assert.ok(names.includes(`${fixtures.HOSTILE_NAME}: p95(response_time_ms) > 300`));
  });

  it('junit: control characters in text -> replaced, file stays well-formed', () => {
    const evidence = fixtures.loadTestPassed();
    evidence.summary = 'bell\u0007 and nul\u0000 and tab\t';
    const root = parseXml(renderJUnit(evidence));
    const summary = findAll(root, 'property').find((p) => p.attributes.name === 'summary')!;
    assert.equal(summary.attributes.value, 'bell\uFFFD and nul\uFFFD and tab\t');
  });

  it('junit: suite names the kind, service and environment and carries the run timestamp', () => {
    const [suite] = findAll(parseXml(renderJUnit(fixtures.drillFailed())), 'testsuite');
    assert.equal(suite.attributes.name, 'DR drill: checkout-api (staging)');
    assert.equal(suite.attributes.timestamp, '2026-11-26T10:00:00');
    assert.equal(suite.attributes.time, '30.000');
  });
});
