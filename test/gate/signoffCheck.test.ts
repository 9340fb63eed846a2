import assert from 'node:assert/strict';
import { evaluateSignOff, type SignOffContext } from '../../src/gate/signoffCheck';
import type { SignOffEvent } from '../../src/gate/records';

/** Who may sign is re-checked when the gate evaluates, because extension data accepts writes from any user. */
const now = new Date('2026-11-26T12:00:00Z');
const approval = (id: string): SignOffEvent => ({
  type: 'signoff', id: `s-${id}`, role: 'operations', decision: 'approve', by: { id, name: id.toUpperCase() },
  at: '2026-11-26T11:00:00Z', comment: 'reviewed', for: { service: 'orders', environment: 'prod' },
});
const context = (history: SignOffEvent[], members?: Record<string, string[]>): SignOffContext => ({
  roles: { operations: { users: ['olga'], groups: ['[Orders]\\Operations'] } },
  history,
  now,
  members,
});
const rule = { roles: ['operations'], everyMember: false };

const cases = [
  { name: 'listed user signs -> passed, nothing unchecked', history: [approval('olga')], members: undefined, state: 'passed', says: undefined, notSays: /without checking/ },
  { name: 'group member signs, members known -> passed, checked', history: [approval('gus')], members: { '[Orders]\\Operations': ['gus'] }, state: 'passed', says: undefined, notSays: /without checking/ },
  { name: 'stranger signs, members known -> missing, the stranger named as ignored', history: [approval('eve')], members: { '[Orders]\\Operations': ['gus'] }, state: 'missing', says: /Ignored EVE \(eve\): not allowed/, notSays: undefined },
  { name: 'group signer, members unknown -> not counted (fail closed), the sentence says why', history: [approval('gus')], members: undefined, state: 'missing', says: /Not counted: GUS \(gus\), who may belong to \[Orders\]\\Operations but the gate was not given that group's members/, notSays: undefined },
  { name: 'listed user and unchecked group signer -> passed on the listed user alone', history: [approval('gus'), approval('olga')], members: undefined, state: 'passed', says: undefined, notSays: /Not counted/ },
];

describe('sign-off check: who signed', () => {
  for (const c of cases) {
    it(`signers: ${c.name}`, () => {
      const outcome = evaluateSignOff(rule, context(c.history, c.members));
      assert.equal(outcome.state, c.state, outcome.reason);
      if (c.says) assert.match(outcome.reason, c.says);
      if (c.notSays) assert.doesNotMatch(outcome.reason, c.notSays);
    });
  }
});
