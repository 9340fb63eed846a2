import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CheckState, Evidence, GateStatus } from '../../src/evidence/types';
import type { RunApprovals } from '../../src/gate/approvals';
import { runGate } from '../../src/gate/run';
import { WAIVERS_FILE } from '../../src/gate/waivers';
import { FileDocumentStore } from '../../src/store/fileStore';
import { approval, DAY, drill, loadtest, NOW, runApprovals, step } from './fixtures';

/**
 * The acceptance scenarios, through runGate with a real file store and a copy of the sample service: the
 * sign-offs are the run's approvals, the waivers a `readiness.waivers.yml` committed beside the policy.
 */
const SAMPLE = path.resolve(__dirname, '../../examples/sample-service');
const hourAgo = new Date(NOW.getTime() - 3600_000).toISOString();
const both = () => runApprovals([approval([step({ assigned: 'demo-ops', at: hourAgo }), step({ assigned: 'demo-business', at: hourAgo })])]);
const day = (d: number) => new Date(NOW.getTime() + d * DAY).toISOString();
const waiverFile = (from: string, until: string) =>
  `waivers:\n  - check: drill\n    role: operations\n    reason: Backup host replaced; drill booked for Monday.\n    from: ${from}\n    until: ${until}\n`;

const scenarios: Array<{ name: string; evidence: () => Evidence[]; approvals?: () => RunApprovals; waivers?: string; status: GateStatus; check?: [string, CheckState] }> = [
  { name: 'everything passes -> ready', evidence: () => [loadtest({ service: 'sample-service' }), drill({ service: 'sample-service' })], approvals: both, status: 'ready' },
  { name: 'a stale drill -> not ready, drill stale', evidence: () => [loadtest({ service: 'sample-service' }), drill({ service: 'sample-service', ageDays: 45 })], approvals: both, status: 'not-ready', check: ['drill', 'stale'] },
  {
    name: 'a missing sign-off -> not ready, sign-offs missing',
    evidence: () => [loadtest({ service: 'sample-service' }), drill({ service: 'sample-service' })],
    approvals: () => runApprovals([approval([step({ assigned: 'demo-ops' }), step({ assigned: 'demo-business', status: 'pending' })])]),
    status: 'not-ready',
    check: ['signoffs', 'missing'],
  },
  { name: 'a waived check -> ready, drill waived', evidence: () => [loadtest({ service: 'sample-service' })], approvals: both, waivers: waiverFile(day(-1), day(2)), status: 'ready', check: ['drill', 'waived'] },
  { name: 'an expired waiver -> not ready, drill missing', evidence: () => [loadtest({ service: 'sample-service' })], approvals: both, waivers: waiverFile(day(-3), day(-0.001)), status: 'not-ready', check: ['drill', 'missing'] },
  {
    name: 'a rejected sign-off -> not ready, sign-offs failed',
    evidence: () => [loadtest({ service: 'sample-service' }), drill({ service: 'sample-service' })],
    approvals: () => runApprovals([approval([step({ assigned: 'demo-ops' }), step({ assigned: 'demo-business', status: 'rejected', comment: 'Launch moved to January.' })])]),
    status: 'not-ready',
    check: ['signoffs', 'failed'],
  },
];

describe('gate: acceptance scenarios through the store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gate-scenario-'));
    await fs.cp(SAMPLE, path.join(dir, 'svc'), { recursive: true });
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  for (const s of scenarios) {
    it(`scenario: ${s.name}`, async () => {
      const store = new FileDocumentStore(path.join(dir, 'store'));
      if (s.waivers) await fs.writeFile(path.join(dir, 'svc', WAIVERS_FILE), s.waivers);
      const policyFile = path.join(dir, 'svc', 'readiness.yml');
      const gate = await runGate({ policyFile, environment: 'production', evidence: s.evidence(), store, approvals: s.approvals?.(), now: NOW });
      assert.equal(gate.metrics.status, s.status, gate.summary);
      if (s.check) assert.equal(gate.metrics.checks.find((c) => c.id === s.check![0])!.state, s.check[1]);
    });
  }

  it('waivers file: a bad entry -> bad input naming the file, line and field', async () => {
    await fs.writeFile(path.join(dir, 'svc', WAIVERS_FILE), 'waivers:\n  - check: drill\n    role: operations\n    reason: x\n    from: soon\n    until: 2026-12-01\n');
    await assert.rejects(
      runGate({ policyFile: path.join(dir, 'svc', 'readiness.yml'), environment: 'production', evidence: [], now: NOW }),
      (e: Error & { exitCode?: number }) => e.exitCode === 2 && /readiness\.waivers\.yml:5 waivers\[0\]\.from: expected a date/.test(e.message),
    );
  });
});
