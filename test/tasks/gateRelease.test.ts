import * as assert from 'node:assert/strict';
import type { Evidence } from '../../src/evidence/types';
import { drill, loadtest } from '../gate/fixtures';
import { explain } from '../support/agentRunner';
import { BUSINESS_GROUP, GateHarness, OPS_GROUP, requireGate } from '../support/gateHarness';

/**
 * ReadinessGate@1 in a classic release's deployment job: the sign-offs are the release's pre-deployment approvals
 * (Release REST 7.1 Approvals - List on the vsrm host; the emulator serves it under the collection URI, as Azure
 * DevOps Server does), and the evidence is what our tasks attached to the artifact's run (Build.BuildId).
 */
const hourAgo = () => new Date(Date.now() - 3600_000).toISOString();
const evidence = (): Evidence[] => [loadtest({ service: 'sample-service', finishedAt: hourAgo() }), drill({ service: 'sample-service', finishedAt: hourAgo() })];

describe('ReadinessGate@1 (bundled) in a classic release', function () {
  this.timeout(120_000);
  let h: GateHarness;
  let nextRelease = 70;
  before(async () => {
    h = await GateHarness.start();
  });
  after(() => h?.close());

  function release(decisions: Array<{ group: string; by?: string; status: string }>): number {
    const releaseId = nextRelease++;
    decisions.forEach((d, i) =>
      h.azdo.addReleaseApproval(releaseId, {
        id: releaseId * 10 + i,
        status: d.status,
        approver: { id: `group-${i}`, displayName: d.group, isContainer: true },
        ...(d.by ? { approvedBy: { id: d.by, displayName: d.by } } : {}),
        comments: 'Reviewed the scorecard.',
        modifiedOn: new Date().toISOString(),
        releaseEnvironment: { id: 3, name: 'production' },
      }),
    );
    return releaseId;
  }

  it('release: both role groups approved the pre-deployment approvals -> Succeeded, ready, the release as the run', async () => {
    const releaseId = release([{ group: OPS_GROUP, by: h.olga, status: 'approved' }, { group: BUSINESS_GROUP, by: h.bea, status: 'approved' }]);
    const run = await h.run(h.newRun(evidence(), []), { env: { RELEASE_RELEASEID: String(releaseId) } });
    assert.equal(run.result, 'Succeeded', explain(run));
    const gate = requireGate(run);
    assert.equal(gate.metrics.runId, releaseId);
    assert.deepEqual(gate.metrics.approvals?.map((a) => a.role), ['operations', 'business']);
  });

  it('release: business rejected -> Failed, not ready', async () => {
    const releaseId = release([{ group: OPS_GROUP, by: h.olga, status: 'approved' }, { group: BUSINESS_GROUP, by: h.bea, status: 'rejected' }]);
    const run = await h.run(h.newRun(evidence(), []), { env: { RELEASE_RELEASEID: String(releaseId) } });
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(requireGate(run).metrics.checks.find((c) => c.id === 'signoffs')?.state, 'failed');
  });

  it('release: the business approval given by an operations member -> not counted, not ready', async () => {
    const releaseId = release([{ group: OPS_GROUP, by: h.olga, status: 'approved' }, { group: BUSINESS_GROUP, by: h.olga, status: 'approved' }]);
    const run = await h.run(h.newRun(evidence(), []), { env: { RELEASE_RELEASEID: String(releaseId) } });
    assert.equal(run.result, 'Failed', explain(run));
  });
});
