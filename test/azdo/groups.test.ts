import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAzureDevOpsClient, type AzureDevOpsClient } from '../../src/azdo/client';
import { identityBaseUrl } from '../../src/azdo/groups';
import { ConfigError, InfrastructureError } from '../../src/errors';
import type { GateEvidence } from '../../src/evidence/types';
import type { Actor } from '../../src/gate/signoffs';
import { explain, runBundledTask, type TaskRun } from '../support/agentRunner';
import { startAzdoEmulator, type AzdoEmulator } from '../support/azdoEmulator';

/**
 * Group members over the Identities REST API, against the loopback emulator (the only place this lookup has been
 * verified), and ReadinessGate@1 (bundled) counting a sign-off by a member of a group-only role.
 * The bundled scenario needs `npm run build:fast` first, like test/tasks/gateTask.test.ts.
 */
const TOKEN = 'job-token-for-group-tests';

describe('Azure DevOps group members (Identities API)', function () {
  this.timeout(60_000);
  let azdo: AzdoEmulator;
  let client: AzureDevOpsClient;

  before(async () => {
    azdo = await startAzdoEmulator({ accessToken: TOKEN });
    client = createAzureDevOpsClient({
      collectionUri: azdo.collectionUri, project: azdo.project, accessToken: TOKEN, publisher: azdo.publisher, extensionId: azdo.extensionId,
      maxRetries: 0, retryDelayMs: 10,
    });
  });
  after(() => azdo?.close());

  it('identity host: dev.azure.com, visualstudio.com and a server collection -> vssps hosts and the collection itself', () => {
    assert.equal(identityBaseUrl('https://dev.azure.com/contoso/'), 'https://vssps.dev.azure.com/contoso/');
    assert.equal(identityBaseUrl('https://contoso.visualstudio.com'), 'https://contoso.vssps.visualstudio.com/');
    assert.equal(identityBaseUrl('https://tfs.example.com/tfs/DefaultCollection'), 'https://tfs.example.com/tfs/DefaultCollection/');
  });

  it('members: direct users and a nested group with a cycle back -> every user id once', async () => {
    const alice = azdo.addIdentity({ name: 'Alice' });
    const bob = azdo.addIdentity({ name: 'Bob' });
    const carol = azdo.addIdentity({ name: 'Carol' });
    const outerId = '0b6d5a53-5a0e-4c4e-9b8b-000000000001';
    const nested = azdo.addIdentity({ name: '[Orders]\\On-call', members: [bob, carol, outerId] });
    azdo.addIdentity({ id: outerId, name: '[Orders]\\Operations', members: [alice, nested, bob] });
    const members = await client.listGroupMembers('[orders]\\operations');
    assert.deepEqual([...members].sort(), [alice, bob, carol].sort());
    const calls = azdo.requests.filter((r) => r.path.endsWith('/_apis/identities'));
    assert.ok(calls.every((r) => r.query.get('api-version') === '7.1'));
  });

  it('members: a group the organization does not have -> ConfigError naming it and the [Project]\\Group form', async () => {
    await assert.rejects(client.listGroupMembers('Operations'), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /Group "Operations" was not found/);
      assert.match(error.message, /\[Project\]\\Group/);
      return true;
    });
  });

  for (const status of [401, 403] as const) {
    it(`members: the service refuses the token (${status}) -> InfrastructureError naming the identities permission, no token`, async () => {
      azdo.fail({ status, path: /_apis\/identities/ });
      await assert.rejects(client.listGroupMembers('[Orders]\\Operations'), (error: unknown) => {
        assert.ok(error instanceof InfrastructureError);
        assert.match(error.message, new RegExp(`\\(${status}\\)|${status} at`));
        assert.match(error.message, /read identities \("View instance-level information"/);
        assert.ok(!error.message.includes(TOKEN), 'the token never reaches the message');
        return true;
      });
    });
  }
});

describe('ReadinessGate@1 (bundled): a sign-off by a member of a group-only role', function () {
  this.timeout(120_000);
  const GROUP = '[Orders]\\Release Managers';
  let azdo: AzdoEmulator;
  let client: AzureDevOpsClient;
  let policyFile: string;
  let nextBuild = 500;
  let groupId = '';
  const rita: Actor = { id: '7c1e4a52-31f4-4f0e-8f7e-5c0f6e2b9a11', name: 'Rita Release', groups: [GROUP] };

  before(async () => {
    azdo = await startAzdoEmulator({ accessToken: TOKEN });
    client = createAzureDevOpsClient({
      collectionUri: azdo.collectionUri, project: azdo.project, accessToken: TOKEN, publisher: azdo.publisher, extensionId: azdo.extensionId,
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'readiness-groups-'));
    policyFile = path.join(dir, 'readiness.yml');
    writeFileSync(policyFile, [
      'service: orders-api',
      'roles:',
      '  release:',
      `    groups: ["${GROUP.replace(/\\/g, '\\\\')}"]`,
      'checks:',
      '  - id: signoff',
      '    title: A release manager signed off',
      '    owner: release',
      '    type: signoff',
      '    rule: { roles: [release] }',
      'levels: [{ name: approved, checks: [signoff] }]',
      'environments: { production: { requiredLevel: approved, enforcement: block } }',
      '',
    ].join('\n'));
  });
  after(() => azdo?.close());

  /** A run whose approval has one step, assigned to the role's group and approved by Rita (the server records her). */
  function gateRun(): Promise<TaskRun> {
    const buildId = nextBuild++;
    azdo.addBuild({ id: buildId, definitionId: 9, status: 'inProgress' });
    azdo.addApproval(buildId, {
      status: 'approved',
      steps: [{ assignedApprover: { id: groupId || 'unknown', displayName: GROUP, isContainer: true }, actualApprover: { id: rita.id, displayName: rita.name }, status: 'approved', comment: 'Evidence reviewed', lastModifiedOn: new Date().toISOString() }],
    });
    return runBundledTask('ReadinessGateV1', {
      inputs: { policyFile, environment: 'production', version: '2.0.0', earlierRuns: '0', publisher: azdo.publisher, extensionId: azdo.extensionId },
      env: {
        SYSTEM_COLLECTIONURI: azdo.collectionUri, SYSTEM_TEAMPROJECT: azdo.project, BUILD_BUILDID: String(buildId), SYSTEM_ACCESSTOKEN: TOKEN,
        SYSTEM_STAGENAME: 'deploy', BUILD_SOURCEBRANCH: 'refs/heads/main', BUILD_REASON: 'Manual',
      },
    });
  }
  const gateOf = (run: TaskRun): GateEvidence | undefined =>
    run.attachments.filter((a) => a.type === 'readiness.evidence').map((a) => JSON.parse(readFileSync(a.path, 'utf8'))).find((e) => e.kind === 'gate');

  it('gate: the group exists but Rita is not among its members -> Failed, her sign-off not counted', async () => {
    groupId = azdo.addIdentity({ name: GROUP, members: [azdo.addIdentity({ name: 'Someone Else' })] });
    const run = await gateRun();
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(gateOf(run)?.metrics.status, 'not-ready', explain(run));
    // Membership was checked (the lookup answered) and Rita is not a member: refused, not merely unverified.
    assert.match(run.resultMessage ?? '', /Rita Release \(7c1e4a52-31f4-4f0e-8f7e-5c0f6e2b9a11\) approved, but is not a member of "\[Orders\]\\Release Managers"/, explain(run));
  });

  it('gate: the emulator knows Rita is in a group nested in the role\'s group -> Succeeded, ready', async () => {
    const team = azdo.addIdentity({ name: '[Orders]\\Release Team', members: [azdo.addIdentity({ id: rita.id, name: rita.name })] });
    azdo.addIdentity({ id: groupId, name: GROUP, members: [team] });
    const run = await gateRun();
    assert.equal(run.result, 'Succeeded', explain(run));
    assert.equal(gateOf(run)?.metrics.status, 'ready');
    const leaks = run.stdout.split('\n').filter((line) => line.includes(TOKEN) && !line.startsWith('##vso[task.setsecret]'));
    assert.deepEqual(leaks, []);
  });
});
