import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InfrastructureError } from '../../src/errors';
import { validateEvidence } from '../../src/evidence/validate';
import { loadPolicy } from '../../src/gate/policy';
import { Collections, subjectKey, type StatusDocument } from '../../src/gate/records';
import { runGate, runGateDetailed, statusDocumentFrom } from '../../src/gate/run';
import { FileDocumentStore } from '../../src/store/fileStore';
import { approval, COMMIT, drill, loadtest, NOW, runApprovals, step } from './fixtures';

const SAMPLE = path.resolve(__dirname, '../../examples/sample-service');

/** Evidence the sample service's pipeline would produce: a passing load test and drill. */
const passingEvidence = () => [loadtest({ service: 'sample-service', p95: 180 }), drill({ service: 'sample-service', rtoSeconds: 120, rpoSeconds: 20 })];

describe('gate: runGate', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'run-gate-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('sample service: passing evidence, no sign-offs -> not ready (block); after both sign-offs -> ready', async () => {
    const store = new FileDocumentStore(path.join(dir, 'store'));
    const policyFile = path.join(SAMPLE, 'readiness.yml');
    const evidence = passingEvidence();

    const before = await runGate({ policyFile, environment: 'production', evidence, store, now: NOW });
    assert.equal(before.metrics.status, 'not-ready');
    assert.equal(before.metrics.level, 'silver');
    assert.deepEqual(before.metrics.checks.map((c) => [c.id, c.state]), [['load', 'passed'], ['drill', 'passed'], ['docs', 'passed'], ['signoffs', 'missing']]);
    const status = await store.getDocument<StatusDocument>(Collections.status, subjectKey('sample-service', 'production'));
    assert.equal(status?.status, 'not-ready');
    assert.equal(status?.evidenceId, before.id);

    const approvals = runApprovals([approval([step({ assigned: 'demo-ops' }), step({ assigned: 'demo-business' })])]);
    const after = await runGate({ policyFile, environment: 'production', evidence, store, now: NOW, approvals });
    assert.equal(after.metrics.status, 'ready', after.summary);
    assert.equal(after.metrics.level, 'gold');
    const updated = await store.getDocument<StatusDocument>(Collections.status, subjectKey('sample-service', 'production'));
    assert.equal(updated?.status, 'ready');
    assert.equal(updated?.__etag, 2);
    assert.equal(updated?.commit, COMMIT, 'the status document shows the commit the verdict was reached for');
  });

  it('docs: the gate runs the policy docs checks on the policy folder and returns their evidence', async () => {
    const copy = path.join(dir, 'svc');
    await fs.cp(SAMPLE, copy, { recursive: true });
    const runbook = path.join(copy, 'RUNBOOK.md');
    await fs.writeFile(runbook, (await fs.readFile(runbook, 'utf8')).replace('## Rollback', '## Notes'));
    const result = await runGateDetailed({ policyFile: path.join(copy, 'readiness.yml'), environment: 'staging', evidence: passingEvidence(), now: NOW });
    const docsCheck = result.gate.metrics.checks.find((c) => c.id === 'docs')!;
    assert.equal(docsCheck.state, 'failed');
    assert.match(docsCheck.reason, /RUNBOOK.md has no "Rollback" heading/);
    assert.equal(result.docs.length, 1);
    assert.equal(docsCheck.evidence[0].id, result.docs[0].id);
    assert.ok(validateEvidence(result.gate).ok, JSON.stringify(validateEvidence(result.gate)));
    // staging requires silver with warn enforcement: docs are bronze, so the level is none and the gate warns.
    assert.equal(result.gate.metrics.level, null);
    assert.equal(result.gate.metrics.status, 'warn');
  });

  it('store: sign-offs cannot be read -> InfrastructureError, no verdict', async () => {
    const notAFolder = path.join(dir, 'store-file');
    await fs.writeFile(notAFolder, 'this is a file, not a store folder');
    await assert.rejects(
      runGate({ policyFile: path.join(SAMPLE, 'readiness.yml'), environment: 'production', evidence: passingEvidence(), store: new FileDocumentStore(notAFolder), now: NOW }),
      (e: unknown) => e instanceof InfrastructureError && /Could not read sign-offs signoffs\/sample-service.production/.test(e.message),
    );
  });

  it('group lookup fails -> InfrastructureError naming the group', async () => {
    const policyFile = path.join(dir, 'readiness.yml');
    await fs.writeFile(policyFile, (await fs.readFile(path.join(SAMPLE, 'readiness.yml'), 'utf8')).replace('roles: [operations, business]', 'roles: [operations, business]\n      everyMember: true'));
    await assert.rejects(
      runGate({ policyFile, environment: 'production', evidence: [], now: NOW, docsBase: SAMPLE, lookupMembers: async () => { throw new Error('401 Unauthorized'); } }),
      (e: unknown) => e instanceof InfrastructureError && /members of group "\[Demo\]\\Operations": 401 Unauthorized/.test(e.message),
    );
  });

  it('invalid evidence files -> reported in the summary, checks missing', async () => {
    const gate = await runGate({ policyFile: path.join(SAMPLE, 'readiness.yml'), environment: 'production', evidence: [], invalidEvidence: [{ file: 'evidence/load.json', errors: ['not valid JSON'] }], now: NOW });
    assert.equal(gate.metrics.checks.find((c) => c.id === 'load')!.state, 'missing');
    assert.match(gate.summary, /1 evidence file\(s\) could not be read and count as missing/);
  });

  it('statusDocumentFrom: carries the fields release gates read', async () => {
    const gate = await runGate({ policyFile: path.join(SAMPLE, 'readiness.yml'), environment: 'production', evidence: passingEvidence(), now: NOW, version: '2.0.1', run: { url: 'https://dev.azure.com/o/p/_build/results?buildId=7' } });
    const doc = statusDocumentFrom(gate);
    assert.deepEqual(
      { id: doc.id, service: doc.service, environment: doc.environment, status: doc.status, level: doc.level, requiredLevel: doc.requiredLevel, evaluatedAt: doc.evaluatedAt, runUrl: doc.runUrl, version: doc.version },
      { id: subjectKey('sample-service', 'production'), service: 'sample-service', environment: 'production', status: 'not-ready', level: 'silver', requiredLevel: 'gold', evaluatedAt: NOW.toISOString(), runUrl: 'https://dev.azure.com/o/p/_build/results?buildId=7', version: '2.0.1' },
    );
    assert.equal(doc.checks.length, 4);
  });
});
