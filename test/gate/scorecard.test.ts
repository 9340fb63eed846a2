import assert from 'node:assert/strict';
import { evaluatePolicy } from '../../src/gate/evaluate';
import { parsePolicy } from '../../src/gate/policy';
import { scorecardMarkdown, scorecardText } from '../../src/gate/scorecard';
import { loadtest, NOW, waiver } from './fixtures';

const policy = parsePolicy(
  `service: checkout
roles: { ops: { users: [ops-lead] } }
checks:
  - { id: load, title: "Load | p95", owner: ops, type: loadtest, rule: { passedWithinDays: 7, metrics: ["p95 <= 300"] } }
  - { id: drill, title: Drill, owner: ops, type: drill, rule: { passedWithinDays: 30 } }
  - { id: approve, title: Approve, owner: ops, type: signoff, rule: { roles: [ops] } }
levels: [{ name: gold, checks: [load, drill, approve] }]
environments: { production: { requiredLevel: gold, enforcement: block } }
`,
  'readiness.yml',
);

describe('gate: scorecard reporters', () => {
  const gate = evaluatePolicy({ policy, environment: 'production', evidence: [loadtest({ p95: 350 })], signoffs: [], waivers: [waiver({ check: 'drill', until: '2026-12-01T00:00:00Z', role: 'ops' })], now: NOW });

  it('scorecard text: one line per check with its state, then the reason', () => {
    const text = scorecardText(gate);
    assert.match(text, /^checkout -> production: NOT READY\n/);
    assert.match(text, /\n {2}FAILED {3}load {5}Load \| p95\n {11}\s+The newest load test measured p95 = 350/);
    assert.match(text, /\n {2}WAIVED {3}drill/);
    assert.match(text, /\n {2}MISSING {2}approve/);
  });

  it('scorecard markdown: a table row per check with pipes escaped', () => {
    const md = scorecardMarkdown(gate);
    assert.match(md, /^### Readiness: checkout → production: \*\*NOT READY\*\*/);
    assert.match(md, /\| ❌ failed \| Load \\\| p95 \(`load`\) \| ops \| The newest load test measured p95 = 350/);
    assert.equal(md.split('\n').filter((l) => l.startsWith('| ')).length, 4); // header + 3 checks
  });
});
