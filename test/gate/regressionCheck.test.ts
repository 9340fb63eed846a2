import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors';
import type { LoadTestEvidence } from '../../src/evidence/types';
import { evaluatePolicy } from '../../src/gate/evaluate';
import { parsePolicy } from '../../src/gate/policy';
import { at, seeded, simulatedRun, type SimulatedRun } from '../regression/fixtures';

const policyWith = (noRegression: string) =>
  parsePolicy(
    `
service: shop
roles: { operations: { users: [ops] } }
checks:
  - { id: load, title: Load test, owner: operations, type: loadtest, rule: { passedWithinDays: 7, noRegression: ${noRegression} } }
levels: [{ name: silver, checks: [load] }]
environments: { production: { requiredLevel: silver, enforcement: block } }
`,
    'readiness.yml',
  );

/** Three passing runs at 20 ms, then the newest run (passed on its own criteria: it ran without --baseline). */
function history(newest: Partial<SimulatedRun>, baselineChange: Partial<SimulatedRun> = {}): LoadTestEvidence[] {
  const random = seeded(11);
  const baseline = [0, 1, 2].map((i) => simulatedRun({ medianMs: 20, requests: 2000, finishedAt: at(i * 10), random, ...baselineChange }));
  return [...baseline, simulatedRun({ medianMs: 20, requests: 2000, finishedAt: at(40), random, ...newest })];
}

function gate(noRegression: string, evidence: LoadTestEvidence[]) {
  const result = evaluatePolicy({ policy: policyWith(noRegression), environment: 'production', evidence, signoffs: [], waivers: [], now: new Date(at(60)) });
  return result.metrics.checks.find((c) => c.id === 'load')!;
}

describe('gate/noRegression', () => {
  const cases: Array<{ name: string; rule?: string; evidence: () => LoadTestEvidence[]; state: string; reason: RegExp }> = [
    { name: '24 ms after three runs at 20 ms -> failed, naming the request and the figure', evidence: () => history({ medianMs: 24 }), state: 'failed', reason: /The newest load test regressed against its baseline: Regressed against 3 baseline runs: .*GetItem p95 \+/ },
    { name: '20.2 ms -> passed, saying it is unchanged', evidence: () => history({ medianMs: 20.2 }), state: 'passed', reason: /A load test passed .*\. Unchanged against 3 baseline runs/ },
    { name: 'no earlier run -> passed, saying there is no baseline yet', evidence: () => history({}).slice(3), state: 'passed', reason: /No baseline: no earlier passing run/ },
    { name: 'no earlier run with inconclusive: block -> failed', rule: '{ inconclusive: block }', evidence: () => history({}).slice(3), state: 'failed', reason: /could not be shown free of regression .*No baseline/ },
    { name: 'earlier runs of another plan -> not a baseline, with the reason', rule: '{ inconclusive: block }', evidence: () => history({ medianMs: 24 }, { planHash: 'b'.repeat(64) }), state: 'failed', reason: /3 earlier run\(s\) left out: it ran a different plan or load shape/ },
    { name: 'earlier runs on another pool -> not a baseline', evidence: () => history({ medianMs: 24 }, { pool: 'windows-large' }), state: 'passed', reason: /left out: it ran on pool windows-large, this run on unrecorded/ },
    { name: 'a failed earlier run never joins the baseline', rule: '{ inconclusive: block }', evidence: () => history({ medianMs: 24 }, { verdict: 'failed' }), state: 'failed', reason: /left out: it did not pass/ },
    {
      name: 'pinned to the first run -> a window of one cannot tell, blocked', rule: '{ pin: "build-101", inconclusive: block }',
      evidence: () => {
        const runs = history({ medianMs: 24 });
        runs[0].run.runId = 'build-101';
        return runs;
      },
      state: 'failed', reason: /Inconclusive against 1 baseline run: /,
    },
    {
      name: 'pinned to the second run -> the window ends there, two runs', rule: '{ pin: "build-102" }',
      evidence: () => {
        const runs = history({ medianMs: 24 });
        runs[1].run.runId = 'build-102';
        return runs;
      },
      state: 'failed', reason: /Regressed against 2 baseline runs/,
    },
    { name: 'a pin that names no run -> blocked, saying so', rule: '{ pin: "nope" }', evidence: () => history({}), state: 'failed', reason: /The pinned baseline run nope was not found/ },
    {
      name: 'a document claiming "unchanged" for a 24 ms run -> recomputed, still failed',
      evidence: () => {
        const runs = history({ medianMs: 24 });
        runs[3].metrics.regression = { verdict: 'unchanged', summary: 'Unchanged (forged).', baselineRuns: [], refused: [], rows: [] };
        return runs;
      },
      state: 'failed', reason: /regressed against its baseline/,
    },
  ];
  for (const c of cases) {
    it(`noRegression: ${c.name}`, () => {
      const outcome = gate(c.rule ?? 'true', c.evidence());
      assert.equal(outcome.state, c.state, outcome.reason);
      assert.match(outcome.reason, c.reason);
    });
  }

  it('noRegression: a window of 1 -> policy error naming the key', () => {
    assert.throws(() => policyWith('{ window: 1 }'), (e: unknown) => e instanceof ConfigError && /noRegression/.test(e.message));
  });
});
