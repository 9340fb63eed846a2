import assert from 'node:assert/strict';
import { evaluateExpression, expandMacros, unexpandedMacros } from '../support/serverExpression';

/**
 * The evaluator the gate tests rely on must itself be right, or a gate test could pass for the wrong reason.
 * Rows come from the documented examples (servertaskauthoring.md, ado-extensions.md §2.7) and the semantics of
 * Azure Pipelines expressions (case-insensitive string equality, right operand converted to the left's type).
 */
const body = {
  status: 'ready',
  version: '1.4.2',
  level: 'gold',
  count: 3,
  checks: [{ id: 'a', state: 'passed' }, { id: 'b', state: 'failed' }],
  nested: { inner: { value: 'x' } },
  ActiveReleaseNames: ['r1', 'r2', 'r3'],
};

const cases: Array<{ name: string; expression: string; expected: unknown; taskInputs?: Record<string, string> }> = [
  { name: 'eq on a matching status -> true', expression: "eq(root['status'], 'ready')", expected: true },
  { name: 'eq ignores case for strings -> true', expression: "eq(root['status'], 'READY')", expected: true },
  { name: 'eq on a missing property -> false', expression: "eq(root['missing'], 'ready')", expected: false },
  { name: 'ne on a different value -> true', expression: "ne(root['status'], 'not-ready')", expected: true },
  { name: 'and of two true terms -> true', expression: "and(eq(root['status'], 'ready'), eq(root['version'], '1.4.2'))", expected: true },
  { name: 'and with a stale version -> false', expression: "and(eq(root['status'], 'ready'), eq(root['version'], '1.4.1'))", expected: false },
  { name: 'or with one true term -> true', expression: "or(eq(root['status'], 'x'), eq(root['level'], 'gold'))", expected: true },
  { name: 'not of false -> true', expression: "not(eq(root['status'], 'not-ready'))", expected: true },
  { name: 'in with the value among the options -> true', expression: "in(root['status'], 'ready', 'warn')", expected: true },
  { name: 'in without it -> false', expression: "in(root['level'], 'bronze', 'silver')", expected: false },
  { name: 'count of an array -> its length', expression: "count(root['checks'])", expected: 2 },
  { name: 'documented ge(count(...), 3) example -> true', expression: "ge(count(root['ActiveReleaseNames']), 3)", expected: true },
  { name: 'count of a missing value -> 0', expression: "count(root['none'])", expected: 0 },
  { name: 'number compared with a numeric string -> converted, true', expression: "eq(root['count'], '3')", expected: true },
  { name: 'nested indexing and array index -> the value', expression: "root['checks'][1]['state']", expected: 'failed' },
  { name: 'dotted access -> the value', expression: 'root.nested.inner.value', expected: 'x' },
  { name: "doubled quote inside a literal -> one quote", expression: "eq('it''s', 'IT''S')", expected: true },
  { name: 'isNullOrEmpty on an empty task input -> true', expression: "isNullOrEmpty(taskInputs['version'])", expected: true, taskInputs: { version: '' } },
  { name: 'task input compared with the body -> true', expression: "eq(root['version'], taskInputs['Version'])", expected: true, taskInputs: { version: '1.4.2' } },
  { name: 'xor of true and false -> true', expression: "xor(eq(1, 1), eq(1, 2))", expected: true },
  { name: 'le and lt on numbers -> true', expression: 'and(le(2, 2), lt(1, 2))', expected: true },
];

describe('server expression evaluator (test support)', () => {
  for (const c of cases) {
    it(`expression: ${c.name}`, () => {
      assert.deepEqual(evaluateExpression(c.expression, { root: body, taskInputs: c.taskInputs }), c.expected);
    });
  }

  const malformed = ["eq(root['status'], 'ready'", "eq(root['status'] 'ready')", "'unterminated", "eq(root['status'], 'ready')) extra", "jsonpath('$.x')"];
  for (const expression of malformed) {
    it(`expression: malformed or unsupported "${expression}" -> throws, never true`, () => {
      assert.throws(() => evaluateExpression(expression, { root: body }));
    });
  }

  it('macros: names are case-insensitive and unknown ones stay as written', () => {
    const text = 'Bearer $(system.accesstoken) for $(Service) and $(unknown)';
    const expanded = expandMacros(text, { 'System.AccessToken': 't0k', service: 'orders-api' });
    assert.equal(expanded, 'Bearer t0k for orders-api and $(unknown)');
    assert.deepEqual(unexpandedMacros(expanded), ['unknown']);
  });
});
