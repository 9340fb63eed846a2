import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli';
import { APPROVAL_MARKER, BRANCH_CONTROL_NAME, CHECK_TYPES } from '../../src/azdo/checkSetup';
import type { CliIO } from '../../src/cli/io';
import { startAzdoEmulator, type AzdoEmulator } from '../support/azdoEmulator';

/**
 * `readiness setup` against the loopback Azure DevOps emulator (environments, check configurations, identities):
 * the only place the Check Configurations calls have been verified. What only a live organisation can confirm is
 * listed in docs/gates-and-checks.md.
 */
const PAT = 'pat-for-setup-tests-0123456789';

const POLICY = `service: checkout
roles:
  operations:
    groups: ["[Orders]\\\\Operations"]
  business:
    groups: ["[Orders]\\\\Product Owners"]
    users: [bob]
checks:
  - id: load
    title: Load test
    owner: operations
    type: loadtest
    rule: { passedWithinDays: 7, metrics: ["p95 < 300"] }
  - id: signoffs
    title: Operations and business signed off
    owner: business
    type: signoff
    rule: { roles: [operations, business] }
levels:
  - name: silver
    checks: [load]
  - name: gold
    checks: [signoffs]
environments:
  production: { requiredLevel: gold, enforcement: block }
`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('setup: readiness setup creates the environment checks (Check Configurations API)', function () {
  this.timeout(30_000);
  let azdo: AzdoEmulator;
  let dir: string;
  let environmentId: number;
  let operationsId: string;
  let businessId: string;

  const args = (extra: string[] = []) => [
    'setup', '--org', azdo.collectionUri, '--project', azdo.project, '--environment', 'production',
    '--template-repo', 'pipeline-templates', '--template', 'readiness/stage.yml', '--release-branch', 'main', '--release-branch', 'release/*', ...extra,
  ];
  async function setup(argv: string[], env: NodeJS.ProcessEnv = { AZURE_DEVOPS_EXT_PAT: PAT }): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir, env, signal: new AbortController().signal };
    const code = await main(argv, io);
    return { code, stdout, stderr };
  }
  const checks = () => [...azdo.checkConfigurations.values()];
  const ofType = (id: string) => checks().filter((c) => c.type.id.toLowerCase() === id.toLowerCase());
  const writes = () => azdo.requests.filter((r) => r.method === 'POST' || r.method === 'PATCH');

  beforeEach(async () => {
    azdo = await startAzdoEmulator({ accessToken: PAT });
    environmentId = azdo.addEnvironment('production');
    azdo.addEnvironment('staging');
    const alice = azdo.addIdentity({ name: 'Alice' });
    operationsId = azdo.addIdentity({ name: '[Orders]\\Operations', members: [alice] });
    businessId = azdo.addIdentity({ name: '[Orders]\\Product Owners', members: [] });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'readiness-setup-'));
    await fs.writeFile(path.join(dir, 'readiness.yml'), POLICY);
  });
  afterEach(async () => {
    await azdo.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('setup: empty environment -> Approvals, Required template and Branch control checks created, each printed', async () => {
    const r = await setup(args());
    assert.equal(r.code, 0, r.stderr);
    const [approval] = ofType(CHECK_TYPES.approval.id);
    assert.ok(approval, 'an approval check');
    assert.deepEqual(approval.resource, { type: 'environment', id: String(environmentId), name: 'production' });
    const approvers = (approval.settings.approvers as Array<{ id: string }>).map((a) => a.id).sort();
    assert.deepEqual(approvers, [operationsId, businessId].sort());
    assert.equal(approval.settings.minRequiredApprovers, 2);
    assert.equal(approval.settings.requesterCannotBeApprover, true);
    assert.ok(String(approval.settings.instructions).startsWith(`${APPROVAL_MARKER} for checkout in production:`));
    const [template] = ofType(CHECK_TYPES.requiredTemplate.id);
    assert.deepEqual(template.settings.extendsChecks, [
      { repositoryType: 'git', repositoryName: 'pipeline-templates', repositoryRef: 'refs/heads/main', templatePath: 'readiness/stage.yml' },
    ]);
    const [branch] = ofType(CHECK_TYPES.taskCheck.id);
    assert.equal(branch.settings.displayName, BRANCH_CONTROL_NAME);
    assert.deepEqual(branch.settings.definitionRef, { id: '86b05a0c-73e6-4f7d-b3cf-e38f3b39a75b', name: 'evaluatebranchProtection', version: '0.0.1' });
    assert.deepEqual(branch.settings.inputs, { allowedBranches: 'refs/heads/main,refs/heads/release/*', ensureProtectionOfBranch: 'true', allowUnknownStatusBranch: 'false' });

    assert.match(r.stdout, /created\s+Approvals check \d+: operations \(\[Orders\]\\Operations\), business \(\[Orders\]\\Product Owners\); 2 of 2 groups must approve/);
    assert.match(r.stdout, /created\s+Required template check \d+: extends readiness\/stage\.yml/);
    assert.match(r.stdout, /created\s+Branch control check \d+: only refs\/heads\/main, refs\/heads\/release\/\*/);
    assert.match(r.stdout, /note\s+business also lists users \(bob\)/);
    assert.match(r.stdout, /Changed 3 of 3 checks\./);
    // The PAT went as Basic auth, and never into the output.
    const sent = azdo.requests.find((q) => q.method === 'POST')!;
    assert.equal(sent.authorization, `Basic ${Buffer.from(`:${PAT}`).toString('base64')}`);
    assert.ok(!r.stdout.includes(PAT) && !r.stderr.includes(PAT));
  });

  it('setup: run twice -> the second run changes nothing and says so', async () => {
    assert.equal((await setup(args())).code, 0);
    const before = JSON.stringify(checks());
    const writesBefore = writes().length;
    const r = await setup(args());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(writes().length, writesBefore, 'no POST or PATCH on the second run');
    assert.equal(JSON.stringify(checks()), before);
    assert.equal((r.stdout.match(/unchanged/g) ?? []).length, 3);
    assert.match(r.stdout, /Nothing to change: the environment already has the readiness checks/);
  });

  it('setup: checks drifted (one approver, requester may approve, any branch, disabled) -> updated back, differences printed', async () => {
    await setup(args());
    const approval = ofType(CHECK_TYPES.approval.id)[0];
    approval.settings = { ...approval.settings, approvers: [{ id: operationsId }], minRequiredApprovers: 1, requesterCannotBeApprover: false };
    const branch = ofType(CHECK_TYPES.taskCheck.id)[0];
    branch.settings = { ...branch.settings, inputs: { allowedBranches: 'refs/heads/*', ensureProtectionOfBranch: 'false' } };
    branch.isDisabled = true;
    const r = await setup(args());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`updated\\s+Approvals check ${approval.id}:`));
    assert.match(r.stdout, /minRequiredApprovers: 1 -> 2/);
    assert.match(r.stdout, /requesterCannotBeApprover: false -> true/);
    assert.match(r.stdout, new RegExp(`updated\\s+Branch control check ${branch.id}:`));
    assert.match(r.stdout, /allowedBranches: \["refs\/heads\/\*"\] -> \["refs\/heads\/main","refs\/heads\/release\/\*"\]/);
    assert.match(r.stdout, /the check is disabled; enabling it/);
    assert.match(r.stdout, /unchanged\s+Required template check/);
    assert.match(r.stdout, /Changed 2 of 3 checks\./);
    const fixed = azdo.checkConfigurations.get(approval.id)!;
    assert.equal(fixed.settings.minRequiredApprovers, 2);
    assert.equal(fixed.settings.requesterCannotBeApprover, true);
    assert.equal(fixed.version, 2);
    assert.equal(azdo.checkConfigurations.get(branch.id)!.isDisabled, false);
    assert.equal(checks().length, 3, 'updated in place, not duplicated');
  });

  it("setup: a team's own approval check on the environment -> left alone, noted, and ours added beside it", async () => {
    azdo.checkConfigurations.set(90, {
      id: 90, version: 1, type: { id: CHECK_TYPES.approval.id }, resource: { type: 'environment', id: String(environmentId) },
      settings: { approvers: [{ id: operationsId }], minRequiredApprovers: 1, instructions: 'Team lead approves' },
    });
    const r = await setup(args());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(azdo.checkConfigurations.get(90)!.version, 1);
    assert.equal(ofType(CHECK_TYPES.approval.id).length, 2);
    assert.match(r.stdout, /note\s+Approvals check 90 was not made by readiness setup/);
  });

  it('setup: --dry-run -> prints what would be created, writes nothing', async () => {
    const r = await setup(args(['--dry-run']));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(writes().length, 0);
    assert.equal((r.stdout.match(/would create/g) ?? []).length, 3);
    assert.match(r.stdout, /Would change 3 of 3 checks\./);
  });

  const refusals = [
    { name: '401 (expired PAT) -> exit 3 naming a new PAT, where to pass it, and the scopes', status: 401 as const, expect: /personal access token was refused \(401\).*AZURE_DEVOPS_EXT_PAT or --token-file.*Environment \(Read & manage\)/s },
    { name: '403 on adding a check -> exit 3 naming the environment Administrator role', status: 403 as const, method: 'POST', expect: /Could not add a check to environment "production" \(403.*Administrator of the environment/s },
  ];
  for (const c of refusals) {
    it(`setup: ${c.name}`, async () => {
      azdo.fail({ status: c.status, method: c.method, times: 5 });
      const r = await setup(args());
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.match(r.stderr, c.expect);
      assert.ok(!r.stderr.includes(PAT));
    });
  }

  const badInput = [
    { name: 'a token on the command line -> refused without echoing it', argv: ['--token', 'secret-on-argv'], expect: /--token is not accepted/, hidden: 'secret-on-argv' },
    { name: 'no PAT anywhere -> names the variable and --token-file', env: {}, expect: /set AZURE_DEVOPS_EXT_PAT .* or pass --token-file/ },
    { name: 'environment not in the project -> names it and how to create it', argv: ['--pipeline-environment', 'prod-eu'], expect: /Environment "prod-eu" was not found in project Orders/ },
    { name: 'a role group Azure DevOps does not have -> names the group', policy: POLICY.replace('[Orders]\\\\Operations', '[Orders]\\\\Ops'), expect: /Group "\[Orders\]\\Ops" was not found/ },
    { name: 'a role with two groups -> one group per role', policy: POLICY.replace('groups: ["[Orders]\\\\Operations"]', 'groups: ["[Orders]\\\\Operations", "[Orders]\\\\SRE"]'), expect: /roles\.operations\.groups: names 2 groups/ },
    { name: 'no template -> names the missing flags', argv: [], noTemplate: true, expect: /--template-repo is required/ },
  ];
  for (const c of badInput) {
    it(`setup: ${c.name} (exit 2)`, async () => {
      if (c.policy) await fs.writeFile(path.join(dir, 'readiness.yml'), c.policy);
      const argv = c.noTemplate ? ['setup', '--org', azdo.collectionUri, '--project', azdo.project] : args(c.argv ?? []);
      const r = await setup(argv, c.env ?? { AZURE_DEVOPS_EXT_PAT: PAT });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, c.expect);
      if (c.hidden) assert.ok(!r.stderr.includes(c.hidden));
      assert.equal(writes().length, 0);
    });
  }

  it('setup: no release branch named -> Branch control allows refs/heads/main only, as the gate publishes from', async () => {
    const r = await setup(args().filter((a, i, all) => a !== '--release-branch' && all[i - 1] !== '--release-branch'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal((ofType(CHECK_TYPES.taskCheck.id)[0].settings.inputs as { allowedBranches: string }).allowedBranches, 'refs/heads/main');
  });

  it("setup: the policy's releaseBranches, no --release-branch -> Branch control allows exactly those", async () => {
    await fs.writeFile(path.join(dir, 'readiness.yml'), `releaseBranches: [refs/heads/main, hotfix/*]\n${POLICY}`);
    const r = await setup(args().filter((a, i, all) => a !== '--release-branch' && all[i - 1] !== '--release-branch'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal((ofType(CHECK_TYPES.taskCheck.id)[0].settings.inputs as { allowedBranches: string }).allowedBranches, 'refs/heads/main,refs/heads/hotfix/*');
  });

  it('setup: --token-file -> the PAT is read from the file', async () => {
    await fs.writeFile(path.join(dir, 'pat.txt'), `${PAT}\n`);
    const r = await setup(args(['--token-file', 'pat.txt']), {});
    assert.equal(r.code, 0, r.stderr);
    assert.equal(checks().length, 3);
  });
});
