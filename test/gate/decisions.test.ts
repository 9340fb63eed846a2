import assert from 'node:assert/strict';
import { currentDecisions } from '../../src/gate/decisions';
import type { SignOffEvent } from '../../src/gate/records';
import { NOW, revoke, signoff } from './fixtures';

type Expect = Record<string, { state: 'approved' | 'rejected' | 'none'; current?: string[]; voided?: string[]; revoked?: string[] }>;

const byName = (list: Array<{ by: { id: string } }>) => list.map((s) => s.by.id).sort();

const cases: Array<{ name: string; history: () => SignOffEvent[]; version?: string; expect: Expect }> = [
  { name: 'one approval -> approved', history: () => [signoff({ role: 'ops', by: 'a' })], version: '1.4.0', expect: { ops: { state: 'approved', current: ['a'] } } },
  { name: 'approve and reject by two people -> rejected', history: () => [signoff({ role: 'ops', by: 'a' }), signoff({ role: 'ops', by: 'b', decision: 'reject' })], version: '1.4.0', expect: { ops: { state: 'rejected', current: ['a', 'b'] } } },
  { name: 'same person rejects then approves -> approved', history: () => [signoff({ role: 'ops', by: 'a', decision: 'reject', ageDays: 2 }), signoff({ role: 'ops', by: 'a', ageDays: 1 })], version: '1.4.0', expect: { ops: { state: 'approved', current: ['a'] } } },
  { name: 'equal timestamps -> the later append wins', history: () => [signoff({ role: 'ops', by: 'a', at: '2026-11-26T10:00:00Z' }), signoff({ role: 'ops', by: 'a', decision: 'reject', at: '2026-11-26T10:00:00Z' })], version: '1.4.0', expect: { ops: { state: 'rejected' } } },
  { name: 'latest sign-off revoked -> none, the older one does not come back', history: () => { const older = signoff({ role: 'ops', by: 'a', ageDays: 3 }); const newer = signoff({ role: 'ops', by: 'a', ageDays: 2 }); return [older, newer, revoke(newer, { ageDays: 1 })]; }, version: '1.4.0', expect: { ops: { state: 'none', revoked: ['a'] } } },
  { name: 'revoked then signed again -> approved', history: () => { const first = signoff({ role: 'ops', by: 'a', ageDays: 3 }); return [first, revoke(first, { ageDays: 2 }), signoff({ role: 'ops', by: 'a', ageDays: 1 })]; }, version: '1.4.0', expect: { ops: { state: 'approved', current: ['a'] } } },
  { name: 'revocation dated after now -> not yet revoked', history: () => { const s = signoff({ role: 'ops', by: 'a' }); return [s, revoke(s, { ageDays: -1 })]; }, version: '1.4.0', expect: { ops: { state: 'approved' } } },
  { name: 'sign-off for another version -> voided', history: () => [signoff({ role: 'ops', by: 'a', version: '1.3.0' })], version: '1.4.0', expect: { ops: { state: 'none', voided: ['a'] } } },
  { name: 'old version then this version -> approved, nothing voided', history: () => [signoff({ role: 'ops', by: 'a', version: '1.3.0', ageDays: 5 }), signoff({ role: 'ops', by: 'a', version: '1.4.0' })], version: '1.4.0', expect: { ops: { state: 'approved', voided: [] } } },
  { name: 'this version then a newer one -> this version still counts when evaluating it', history: () => [signoff({ role: 'ops', by: 'a', version: '1.4.0', ageDays: 5 }), signoff({ role: 'ops', by: 'a', version: '1.5.0' })], version: '1.4.0', expect: { ops: { state: 'approved' } } },
  { name: 'no version asked -> any version counts', history: () => [signoff({ role: 'ops', by: 'a', version: '0.1.0' })], expect: { ops: { state: 'approved' } } },
  { name: 'unparseable date -> ignored', history: () => [signoff({ role: 'ops', by: 'a', at: 'yesterday' })], version: '1.4.0', expect: {} },
];

describe('gate: currentDecisions', () => {
  for (const c of cases) {
    it(`decisions: ${c.name}`, () => {
      const decisions = currentDecisions(c.history(), NOW, c.version);
      assert.deepEqual(Object.keys(decisions).sort(), Object.keys(c.expect).sort());
      for (const [role, e] of Object.entries(c.expect)) {
        assert.equal(decisions[role].state, e.state, role);
        if (e.current) assert.deepEqual(byName(decisions[role].current), e.current);
        if (e.voided) assert.deepEqual(byName(decisions[role].voided), e.voided);
        if (e.revoked) assert.deepEqual(byName(decisions[role].revoked), e.revoked);
      }
    });
  }
});
