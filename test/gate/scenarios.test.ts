import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CheckState, Evidence, GateStatus } from '../../src/evidence/types';
import { loadPolicy, type Policy } from '../../src/gate/policy';
import { runGate } from '../../src/gate/run';
import { addWaiver, recordSignOff, type Actor } from '../../src/gate/signoffs';
import { FileDocumentStore } from '../../src/store/fileStore';
import { DAY, drill, loadtest, NOW } from './fixtures';

/**
 * The acceptance scenarios, through runGate with a real file store: sign-offs and waivers are recorded with
 * the same functions the hub uses, then the gate reads them back.
 */
const POLICY = path.resolve(__dirname, '../../examples/sample-service/readiness.yml');
const ops: Actor = { id: 'demo-ops', name: 'Demo Operations', groups: [] };
const business: Actor = { id: 'demo-business', name: 'Demo Business', groups: [] };
const hourAgo = new Date(NOW.getTime() - 3600_000);
const version = '1.0.0';

type Setup = (store: FileDocumentStore, policy: Policy) => Promise<void>;
const approveBoth: Setup = async (store, policy) => {
  await recordSignOff(store, policy, ops, { role: 'operations', decision: 'approve', comment: 'Evidence reviewed.', environment: 'production', version, at: hourAgo });
  await recordSignOff(store, policy, business, { role: 'business', decision: 'approve', comment: 'Go.', environment: 'production', version, at: hourAgo });
};

const scenarios: Array<{ name: string; evidence: () => Evidence[]; setup: Setup; status: GateStatus; check?: [string, CheckState] }> = [
  { name: 'everything passes -> ready', evidence: () => [loadtest({ service: 'sample-service' }), drill({ service: 'sample-service' })], setup: approveBoth, status: 'ready' },
  { name: 'a stale drill -> not ready, drill stale', evidence: () => [loadtest({ service: 'sample-service' }), drill({ service: 'sample-service', ageDays: 45 })], setup: approveBoth, status: 'not-ready', check: ['drill', 'stale'] },
  {
    name: 'a missing sign-off -> not ready, sign-offs missing',
    evidence: () => [loadtest({ service: 'sample-service' }), drill({ service: 'sample-service' })],
    setup: async (store, policy) => {
      await recordSignOff(store, policy, ops, { role: 'operations', decision: 'approve', comment: 'ok', environment: 'production', version, at: hourAgo });
    },
    status: 'not-ready',
    check: ['signoffs', 'missing'],
  },
  {
    name: 'a waived check -> ready, drill waived',
    evidence: () => [loadtest({ service: 'sample-service' })],
    setup: async (store, policy) => {
      await approveBoth(store, policy);
      await addWaiver(store, policy, ops, { environment: 'production', check: 'drill', reason: 'Backup host replaced; drill booked for Monday.', until: new Date(NOW.getTime() + 2 * DAY), now: hourAgo });
    },
    status: 'ready',
    check: ['drill', 'waived'],
  },
  {
    name: 'an expired waiver -> not ready, drill missing',
    evidence: () => [loadtest({ service: 'sample-service' })],
    setup: async (store, policy) => {
      await approveBoth(store, policy);
      await addWaiver(store, policy, ops, { environment: 'production', check: 'drill', reason: 'Backup host replaced.', until: new Date(NOW.getTime() - 1000), now: new Date(NOW.getTime() - 3 * DAY) });
    },
    status: 'not-ready',
    check: ['drill', 'missing'],
  },
  {
    name: 'a rejected sign-off -> not ready, sign-offs failed',
    evidence: () => [loadtest({ service: 'sample-service' }), drill({ service: 'sample-service' })],
    setup: async (store, policy) => {
      await recordSignOff(store, policy, ops, { role: 'operations', decision: 'approve', comment: 'ok', environment: 'production', version, at: hourAgo });
      await recordSignOff(store, policy, business, { role: 'business', decision: 'reject', comment: 'Launch moved to January.', environment: 'production', version, at: hourAgo });
    },
    status: 'not-ready',
    check: ['signoffs', 'failed'],
  },
];

describe('gate: acceptance scenarios through the store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gate-scenario-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  for (const s of scenarios) {
    it(`scenario: ${s.name}`, async () => {
      const store = new FileDocumentStore(dir);
      await s.setup(store, await loadPolicy(POLICY));
      const gate = await runGate({ policyFile: POLICY, environment: 'production', evidence: s.evidence(), store, version, now: NOW });
      assert.equal(gate.metrics.status, s.status, gate.summary);
      if (s.check) assert.equal(gate.metrics.checks.find((c) => c.id === s.check![0])!.state, s.check[1]);
    });
  }
});
