import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { evaluatePolicy } from '../../src/gate/evaluate';
import { loadPolicy, parsePolicy, type Policy } from '../../src/gate/policy';
import type { ConfigError } from '../../src/errors';
import type { SignOffEvent } from '../../src/gate/records';
import { approval, docs, drill, loadtest, NOW, runApprovals, signoff, step } from './fixtures';
import type { RunApprovals } from '../../src/gate/approvals';

const ROOT = path.resolve(__dirname, '../..');

/** The example policies are the ones docs/policy.md shows; these tests evaluate them. */
describe('gate: example policies', () => {
  let small: Policy;
  let regulated: Policy;
  before(async () => {
    small = await loadPolicy(path.join(ROOT, 'examples/policy/small-service.yml'), 'small-service.yml');
    regulated = await loadPolicy(path.join(ROOT, 'examples/policy/regulated-service.yml'), 'regulated-service.yml');
  });

  it('docs: docs/policy.md shows both example policies verbatim', async () => {
    const page = await fs.readFile(path.join(ROOT, 'docs/policy.md'), 'utf8');
    for (const file of ['small-service.yml', 'regulated-service.yml']) {
      const text = (await fs.readFile(path.join(ROOT, 'examples/policy', file), 'utf8')).trim();
      assert.ok(page.includes(text), `docs/policy.md must contain examples/policy/${file} verbatim`);
    }
  });

  it('docs: the first policy in docs/policy.md -> loads and needs both checks for production', async () => {
    const page = await fs.readFile(path.join(ROOT, 'docs/policy.md'), 'utf8');
    const first = /## A first policy\s+```yaml\n([\s\S]*?)```/.exec(page)![1];
    const policy = parsePolicy(first, 'readiness.yml');
    const gate = evaluatePolicy({ policy, environment: 'production', evidence: [loadtest({ p95: 299 })], signoffs: [], waivers: [], now: NOW });
    assert.equal(gate.metrics.level, 'tested');
    assert.equal(gate.metrics.status, 'not-ready');
  });

  it('docs: every error shown in docs/policy.md is what the gate reports for test/gate/data/broken-policy.yml', async () => {
    const page = await fs.readFile(path.join(ROOT, 'docs/policy.md'), 'utf8');
    const shown = /## Errors[\s\S]*?```text\n([\s\S]*?)```/.exec(page)![1].trim().split('\n');
    const text = await fs.readFile(path.join(__dirname, 'data/broken-policy.yml'), 'utf8');
    const problems = (() => {
      try {
        parsePolicy(text, 'readiness.yml');
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    })();
    for (const line of shown) assert.ok(problems.includes(line), `not reported: ${line}\nreported:\n${problems.join('\n')}`);
  });

  describe('small service (warn enforcement)', () => {
    const evaluate = (evidence: unknown[]) =>
      evaluatePolicy({ policy: small, environment: 'production', evidence, signoffs: [], waivers: [], now: NOW });

    it('small service: docs and a fast load test -> ready at tested', () => {
      const gate = evaluate([docs({ service: 'inventory-api' }), loadtest({ service: 'inventory-api', p95: 420, errorPercentage: 0.5 })]);
      assert.equal(gate.metrics.status, 'ready', gate.summary);
      assert.equal(gate.metrics.level, 'tested');
    });

    it('small service: load test 15 days old -> warn, not block', () => {
      const gate = evaluate([docs({ service: 'inventory-api' }), loadtest({ service: 'inventory-api', ageDays: 15 })]);
      assert.equal(gate.metrics.status, 'warn');
      assert.equal(gate.metrics.level, 'basic');
      assert.equal(gate.metrics.checks.find((c) => c.id === 'load')!.state, 'stale');
    });
  });

  describe('regulated service (block enforcement, version-bound sign-offs, on-call attestations)', () => {
    const members = { '[Payments]\\On-call': ['ana', 'ben'] };
    const goodLoad = () => loadtest({ service: 'payments', environment: 'staging', p95: 240, p99: 700, errorPercentage: 0.1, requests: [{ name: 'Authorize', p95: 200 }] });
    const evidence = () => [goodLoad(), drill({ service: 'payments' }), docs({ service: 'payments' })];
    const release = (o: { runId?: number; security?: string } = {}): RunApprovals =>
      runApprovals([
        approval(
          [
            step({ assigned: '[Payments]\\Operations', by: 'ops-1' }),
            step({ assigned: '[Payments]\\Security Reviewers', by: o.security ?? 'sec-1' }),
            step({ assigned: '2f6c1a9e-0000-4000-8000-000000000001' }),
          ],
          { runId: o.runId },
        ),
      ]);
    const trainedOnCall = (people = ['ana', 'ben'], ageDays = 30) => people.map((by) => signoff({ role: 'oncall', by, service: 'payments', ageDays, version: '' }));
    const evaluate = (o: { evidence?: unknown[]; signoffs?: SignOffEvent[]; approvals?: RunApprovals } = {}) =>
      evaluatePolicy({
        policy: regulated,
        environment: 'production',
        evidence: o.evidence ?? evidence(),
        signoffs: o.signoffs ?? trainedOnCall(),
        approvals: o.approvals ?? release(),
        waivers: [],
        now: NOW,
        members: { ...members, '[Payments]\\Operations': ['ops-1', 'pat'], '[Payments]\\Security Reviewers': ['sec-1', 'pat'] },
      });

    it('regulated: all evidence, the run approved by three people, on-call trained -> ready at gold', () => {
      const gate = evaluate();
      assert.equal(gate.metrics.status, 'ready', JSON.stringify(gate.metrics.checks.map((c) => [c.id, c.state, c.reason])));
      assert.equal(gate.metrics.level, 'gold');
    });

    it('regulated: the approval of an earlier run -> every release sign-off is void, not ready', () => {
      const gate = evaluate({ approvals: { ...release({ runId: 41 }), runId: 42 } });
      assert.equal(gate.metrics.status, 'not-ready');
      const check = gate.metrics.checks.find((c) => c.id === 'release-signoff')!;
      assert.equal(check.state, 'missing');
      assert.match(check.reason, /an approval counts only for the run it was given in \(42\)/);
    });

    it('regulated: one person approving for operations and security -> failed (distinctPeople)', () => {
      const gate = evaluatePolicy({
        policy: regulated, environment: 'production', evidence: evidence(), signoffs: trainedOnCall(), waivers: [], now: NOW,
        members: { ...members, '[Payments]\\Operations': ['pat'], '[Payments]\\Security Reviewers': ['pat'] },
        approvals: runApprovals([approval([step({ assigned: '[Payments]\\Operations', by: 'pat' }), step({ assigned: '[Payments]\\Security Reviewers', by: 'pat' }), step({ assigned: '2f6c1a9e-0000-4000-8000-000000000001' })])]),
      });
      assert.equal(gate.metrics.status, 'not-ready');
      assert.equal(gate.metrics.checks.find((c) => c.id === 'release-signoff')!.state, 'failed');
    });

    it('regulated: one on-call member never trained -> warned, naming them, but warn-only', () => {
      const gate = evaluate({ signoffs: trainedOnCall(['ana']) });
      assert.equal(gate.metrics.status, 'ready');
      assert.match(gate.metrics.checks.find((c) => c.id === 'oncall-training')!.reason, /have not attested: ben/);
      assert.match(gate.summary, /Attestations not passed \(warn-only\): oncall-training \(missing, warn-only\)/);
    });

    it('regulated: load test run against production instead of staging -> missing', () => {
      const gate = evaluate({ evidence: [loadtest({ service: 'payments', environment: 'production' }), drill({ service: 'payments' }), docs({ service: 'payments' })] });
      assert.equal(gate.metrics.checks.find((c) => c.id === 'load')!.state, 'missing');
    });

    it('regulated: Authorize p95 over its own bound -> failed naming the request', () => {
      const slow = loadtest({ service: 'payments', environment: 'staging', p95: 240, p99: 700, errorPercentage: 0.1, requests: [{ name: 'Authorize', p95: 260 }] });
      const gate = evaluate({ evidence: [slow, drill({ service: 'payments' }), docs({ service: 'payments' })] });
      const load = gate.metrics.checks.find((c) => c.id === 'load')!;
      assert.equal(load.state, 'failed');
      assert.match(load.reason, /Authorize: p95 = 260, which breaks "Authorize: p95 <= 250"/);
    });
  });
});
