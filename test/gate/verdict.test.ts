import assert from 'node:assert/strict';
import { expiredBy } from '../../src/gate/verdict';
import { daysBefore, drill, loadtest } from './fixtures';

describe('gate: a verdict expires with newer evidence', () => {
  const status = { service: 'checkout', evaluatedAt: daysBefore(1) };
  const cases = [
    { name: 'only evidence older than the verdict -> current', evidence: [loadtest({ ageDays: 2 }), drill({ ageDays: 3 })], expired: false },
    { name: 'a load test finished after the verdict -> expired by it', evidence: [loadtest({ ageDays: 2 }), loadtest({ ageDays: 0.5 })], expired: true },
    { name: 'newer evidence of another service -> current', evidence: [loadtest({ ageDays: 0.5, service: 'billing' })], expired: false },
    { name: 'evidence finished exactly at the verdict -> current', evidence: [loadtest({ finishedAt: status.evaluatedAt })], expired: false },
  ];
  for (const c of cases) {
    it(`verdict: ${c.name}`, () => {
      const by = expiredBy(status, c.evidence);
      assert.equal(Boolean(by), c.expired);
      if (c.expired) assert.equal(Date.parse(by!.finishedAt) > Date.parse(status.evaluatedAt), true);
    });
  }
  it('verdict: a gate document newer than the verdict -> a verdict is not evidence, current', () => {
    const later = { ...loadtest({ ageDays: 0.5 }), kind: 'gate' } as unknown as ReturnType<typeof loadtest>;
    assert.equal(expiredBy(status, [later]), undefined);
  });
});
