import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { toHubError } from '../../hub/client/errors';
import type { HubUser, PolicyDocument } from '../../hub/client/ReadinessClient';
import { checkEvidence, structuralCheck } from '../../hub/model/evidence';
import { buildSubjects } from '../../hub/model/overview';
import { downsample, largestValue } from '../../hub/model/chart';
import { appendEvent, countedEvents, endOfLocalDay, historyCsv, holdsRole, isExpired, listedByUniqueNameOnly, mayRevoke, mayWaive, pendingRoles, revokeEvent, roleDecisions, signOffEvent, waiverState } from '../../hub/model/signoffs';
import { loadPolicy } from '../../src/gate/policy';
import type { SignOff, SignOffDocument } from '../../src/gate/records';
import { policyRolesDocuments } from '../../src/serve/policyDocument';
import { drillEvidence, examplePolicyDocument, loadTestEvidence, statusDocument } from './fixtures';

const alice: HubUser = { id: 'alice', name: 'Alice Approver', groups: [] };
const rita: HubUser = { id: 'f00d', name: 'Rita Release', uniqueName: 'rita@contoso.com', groups: ['release managers'] };
const carol: HubUser = { id: 'carol', name: 'Carol Curious', groups: ['Developers'] };

describe('hub model: sign-off rules', () => {
  let policy: PolicyDocument;
  before(async () => {
    policy = (await examplePolicyDocument()) as unknown as PolicyDocument;
  });

  const holders: Array<{ name: string; user: HubUser; role: string; holds: boolean }> = [
    { name: 'listed by id', user: alice, role: 'release-manager', holds: true },
    { name: 'member of a listed group (case differs)', user: rita, role: 'release-manager', holds: true },
    { name: 'neither listed nor in a listed group', user: carol, role: 'release-manager', holds: false },
    { name: 'listed for another role only', user: alice, role: 'security', holds: false },
  ];
  for (const c of holders) {
    it(`holding a role: ${c.name} -> ${c.holds ? 'may sign' : 'may not sign'}`, () => {
      assert.equal(holdsRole(policy.roles.find((r) => r.role === c.role), c.user), c.holds);
    });
  }

  it('decisions: approve, then revoke -> the role is pending again and the history keeps both', () => {
    let doc: SignOffDocument | undefined;
    const approve = signOffEvent(alice, { service: 'checkout', environment: 'prod', role: 'release-manager', decision: 'approve', comment: 'ok' });
    doc = appendEvent('checkout', 'prod', approve)(doc);
    assert.equal(roleDecisions(doc, policy)['release-manager'].state, 'approved');
    assert.deepEqual(pendingRoles(policy, doc), ['security']);
    doc = appendEvent('checkout', 'prod', revokeEvent(alice, approve as SignOff, 'wrong build'))(doc);
    assert.equal(roleDecisions(doc, policy)['release-manager']?.state ?? 'none', 'none');
    assert.deepEqual(pendingRoles(policy, doc), ['release-manager', 'security']);
    assert.equal(doc.history.length, 2);
  });

  it('decisions: a sign-off for another version -> does not count for this one', () => {
    const doc = appendEvent('checkout', 'prod', signOffEvent(alice, { service: 'checkout', environment: 'prod', role: 'release-manager', decision: 'approve', comment: 'ok', version: '1.0' }))(undefined);
    assert.equal(roleDecisions(doc, policy, '1.0')['release-manager'].state, 'approved');
    assert.equal(roleDecisions(doc, policy, '1.1')['release-manager'].state, 'none');
  });

  it('revoke and waive: the signer or a role holder may revoke; only the check owner role may waive', () => {
    const bobs = signOffEvent({ id: 'bob', name: 'Bob', groups: [] }, { service: 's', environment: 'e', role: 'release-manager', decision: 'approve', comment: 'c' }) as SignOff;
    assert.equal(mayRevoke(policy, rita, bobs), true);
    assert.equal(mayRevoke(policy, carol, bobs), false);
    assert.equal(mayWaive(policy, alice, 'load'), true);
    assert.equal(mayWaive(policy, carol, 'load'), false);
    // A check no role owns cannot be waived, whatever roles the user holds (the gate ignores such waivers).
    assert.equal(mayWaive(policy, alice, 'no-such-check'), false);
  });

  it('holding a role: the policy lists the e-mail but the user id is a GUID -> may not sign, and the hub can say why', () => {
    const guid: HubUser = { id: '6f1c2a4e-0000-4000-8000-000000000001', name: 'Alice', uniqueName: 'alice@contoso.com', groups: [] };
    const role = { role: 'release-manager', users: ['Alice@contoso.com'], groups: [] };
    assert.equal(holdsRole(role, guid), false);
    assert.equal(listedByUniqueNameOnly(role, guid), true);
    assert.equal(listedByUniqueNameOnly({ ...role, users: [guid.id] }, guid), false);
  });

  it('decisions: an approval by someone not listed by id (e-mail only, or a group member) -> not counted, as the gate ignores it', () => {
    const byEmail = signOffEvent({ id: '6f1c2a4e-0000-4000-8000-000000000001', name: 'Alice', uniqueName: 'alice@contoso.com', groups: [] },
      { service: 'checkout', environment: 'prod', role: 'release-manager', decision: 'approve', comment: 'ok' });
    const emailPolicy: PolicyDocument = { ...policy, roles: [{ role: 'release-manager', users: ['alice@contoso.com'], groups: [], required: true }] };
    assert.equal(roleDecisions(appendEvent('checkout', 'prod', byEmail)(undefined), emailPolicy)['release-manager']?.state ?? 'none', 'none');
    const byGroup = signOffEvent(rita, { service: 'checkout', environment: 'prod', role: 'release-manager', decision: 'approve', comment: 'ok' });
    const doc = appendEvent('checkout', 'prod', byGroup)(undefined);
    assert.equal(roleDecisions(doc, policy)['release-manager']?.state ?? 'none', 'none');
    assert.deepEqual(pendingRoles(policy, doc), ['release-manager', 'security']);
  });

  it('decisions: a rejection written by someone who does not hold the role -> ignored, the listed approval stands', () => {
    const approve = signOffEvent(alice, { service: 's', environment: 'e', role: 'release-manager', decision: 'approve', comment: 'ok' });
    const forged = signOffEvent(carol, { service: 's', environment: 'e', role: 'release-manager', decision: 'reject', comment: 'no' });
    const revokeByStranger = revokeEvent(carol, approve as SignOff, 'mine now');
    let doc = appendEvent('s', 'e', approve)(undefined);
    doc = appendEvent('s', 'e', forged)(doc);
    doc = appendEvent('s', 'e', revokeByStranger)(doc);
    assert.equal(roleDecisions(doc, policy)['release-manager'].state, 'approved');
  });

  it('appending: the same event sent twice (a Retry after a lost answer) -> recorded once', () => {
    const event = signOffEvent(alice, { service: 's', environment: 'e', role: 'release-manager', decision: 'approve', comment: 'ok' });
    const once = appendEvent('s', 'e', event)(undefined);
    const twice = appendEvent('s', 'e', event)(once);
    assert.equal(twice.history.length, 1);
  });

  it('waivers: until not a date -> expired; given in the future -> not yet active; at <= now < until -> active', () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    const waiver = { id: 'w', check: 'docs', reason: 'r', by: { id: 'a', name: 'A' }, at: '2026-11-01T00:00:00Z', until: '2026-12-01T00:00:00Z' };
    assert.equal(isExpired({ ...waiver, until: 'next Tuesday' }, now), true);
    assert.equal(waiverState({ ...waiver, at: '2026-11-27T00:00:00Z' }, now), 'not-yet-active');
    assert.equal(waiverState(waiver, now), 'active');
    assert.equal(waiverState({ ...waiver, until: '2026-11-26T12:00:00Z' }, now), 'expired');
  });

  it('waiver expiry: a picked date -> the end of that day in local time; not a calendar date -> nothing', () => {
    const iso = endOfLocalDay('2026-11-30')!;
    const end = new Date(iso);
    assert.deepEqual([end.getFullYear(), end.getMonth(), end.getDate(), end.getHours(), end.getMinutes(), end.getSeconds(), end.getMilliseconds()], [2026, 10, 30, 23, 59, 59, 999]);
    assert.equal(endOfLocalDay('2026-02-30'), undefined);
    assert.equal(endOfLocalDay(''), undefined);
  });

  it('waivers: until in the past -> expired; in the future -> active', () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    const waiver = { id: 'w', check: 'docs', reason: 'r', by: { id: 'a', name: 'A' }, at: '2026-11-01T00:00:00Z' };
    assert.equal(isExpired({ ...waiver, until: '2026-11-25T00:00:00Z' }, now), true);
    assert.equal(isExpired({ ...waiver, until: '2026-11-27T00:00:00Z' }, now), false);
  });

  it('audit trail CSV: commas, quotes, newlines and formula starts -> quoted so a spreadsheet reads them as text', () => {
    const doc = appendEvent('s', 'e', { ...signOffEvent(alice, { service: 's', environment: 'e', role: 'security', decision: 'reject', comment: 'Broken, "badly"\nsee =HYPERLINK()' }), at: '2026-11-26T10:00:00.000Z' })(undefined);
    const doc2 = appendEvent('s', 'e', { ...signOffEvent(alice, { service: 's', environment: 'e', role: 'security', decision: 'approve', comment: '=1+1' }), at: '2026-11-26T11:00:00.000Z' })(doc);
    const lines = historyCsv(doc2).split('\r\n');
    assert.equal(lines[0], 'at,event,role,decision,by_id,by_name,comment,version,revokes');
    assert.match(lines[1], /^2026-11-26T10:00:00\.000Z,signoff,security,reject,alice,Alice Approver,"Broken, ""badly""\nsee =HYPERLINK\(\)",,$/);
    assert.match(historyCsv(doc2), /,'=1\+1,/);
  });
});

describe('hub model: evidence and overview', () => {
  it('evidence: a valid document -> accepted; the store\'s __etag is not a schema violation', () => {
    assert.equal(checkEvidence({ ...loadTestEvidence('a', 'b'), __etag: 4 }).valid, true);
  });

  const broken: Array<{ name: string; doc: unknown; reason: RegExp }> = [
    { name: 'not an object', doc: 'hello', reason: /not a JSON object/ },
    { name: 'unknown kind', doc: { ...loadTestEvidence('a', 'b'), kind: 'perf' }, reason: /kind: must be one of/ },
    { name: 'metrics missing their totals', doc: { ...loadTestEvidence('a', 'b'), metrics: { engine: 'local' } }, reason: /missing required property "totals"/ },
  ];
  for (const c of broken) {
    it(`evidence: ${c.name} -> invalid with the reason`, () => {
      const checked = checkEvidence(c.doc);
      assert.equal(checked.valid, false);
      assert.match((checked as { reason: string }).reason, c.reason);
    });
  }

  it('first-paint check: a drill without cleanup, or with a null step -> invalid with the field named, so the view never sees it', () => {
    const drill = drillEvidence('a', 'b');
    const noCleanup = { ...drill, metrics: { ...drill.metrics, cleanup: undefined } };
    const nullStep = { ...drill, metrics: { ...drill.metrics, steps: [null, ...drill.metrics.steps] } };
    assert.match((structuralCheck(noCleanup) as { reason: string }).reason, /"metrics\.cleanup" must be an object/);
    assert.match((structuralCheck(nullStep) as { reason: string }).reason, /"metrics\.steps\[0\]" must be an object/);
    assert.equal(structuralCheck(drill).valid, true);
    assert.equal(structuralCheck(loadTestEvidence('a', 'b')).valid, true);
  });

  it('charts: a 32,000-second timeline with one spike -> largest value found without overflowing, spike kept, about 600 points drawn', () => {
    const values = Array.from({ length: 32_000 }, (_, i) => (i === 20_001 ? 9_000 : 100 + (i % 7)));
    assert.equal(largestValue([{ values }, { values: [Number.NaN, 5] }]), 9_000);
    const points = downsample(values);
    assert.ok(points.length <= 602, `${points.length} points`);
    assert.ok(points.some(([i, v]) => i === 20_001 && v === 9_000));
    assert.deepEqual(points[points.length - 1], [31_999, values[31_999]]);
  });

  it('overview: status, evidence and policy documents -> one subject per service and environment', () => {
    const subjects = buildSubjects({
      statuses: [statusDocument('checkout', 'prod', 'ready', 'gold')],
      evidence: [loadTestEvidence('checkout', 'prod'), loadTestEvidence('search', 'staging'), { ...loadTestEvidence('search', 'staging'), kind: 'nope' }],
      signoffs: [],
      waivers: [],
      policies: [],
    });
    assert.deepEqual(subjects.map((s) => [s.key, s.status, s.evidence.length, s.invalidEvidence.length]), [
      ['checkout.prod', 'ready', 1, 0],
      ['search.staging', 'unknown', 1, 1],
    ]);
  });
});

describe('hub client: errors', () => {
  const cases: Array<{ name: string; error: unknown; resource: 'extension-data' | 'build'; message: RegExp }> = [
    { name: '401 on extension data', error: { status: 401 }, resource: 'extension-data', message: /HTTP 401.*"vso\.extension\.data_write"/ },
    { name: '403 on build attachments', error: { status: 403 }, resource: 'build', message: /HTTP 403.*"vso\.build"/ },
    { name: 'fetch failed', error: Object.assign(new Error('TF400893'), { name: 'NetworkException' }), resource: 'build', message: /Could not reach Azure DevOps.*retry/ },
    { name: 'fetch rejected with TypeError "Failed to fetch"', error: new TypeError('Failed to fetch'), resource: 'build', message: /Could not reach Azure DevOps/ },
    { name: 'a TypeError from a bug, not the network', error: new TypeError("Cannot read properties of undefined (reading 'history')"), resource: 'extension-data', message: /^Failed to read things: Cannot read properties of undefined/ },
  ];
  for (const c of cases) {
    it(`${c.name} -> ${c.message}`, () => {
      assert.match(toHubError(c.error, c.resource, 'read things').message, c.message);
    });
  }
});

describe('policy roles document', () => {
  it('regulated example policy -> production requires the release roles, staging requires none; owners kept for waivers', async () => {
    const policy = await loadPolicy(path.join(__dirname, '..', '..', 'examples', 'policy', 'regulated-service.yml'));
    const docs = policyRolesDocuments(policy);
    const production = docs.find((d) => d.environment === 'production')!;
    const staging = docs.find((d) => d.environment === 'staging')!;
    assert.equal(production.id, 'payments.production');
    assert.deepEqual(production.roles.filter((r) => r.required).map((r) => r.role).sort(), ['business', 'oncall', 'operations', 'security']);
    assert.deepEqual(staging.roles.filter((r) => r.required), []);
    assert.deepEqual(production.roles.find((r) => r.role === 'security')?.groups, ['[Payments]\\Security Reviewers']);
    assert.equal(production.checkOwners.drill, 'operations');
  });
});

describe('hub model: links in evidence (docs/security.md S14)', () => {
  const base = () => loadTestEvidence('checkout', 'prod');
  for (const url of ['javascript:alert(document.domain)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>']) {
    it(`links: ${url.slice(0, 16)}... -> invalid in both the first-paint check and the full schema check`, () => {
      const doc = { ...base(), links: [{ name: 'report', url }] };
      assert.equal(structuralCheck(doc).valid, false);
      assert.equal(checkEvidence(doc).valid, false);
    });
  }
  it('links: an https link -> valid', () => {
    assert.equal(structuralCheck({ ...base(), links: [{ name: 'report', url: 'https://example.com/r' }] }).valid, true);
  });
});

describe('hub model: a revoke counts by the revoked sign-off\'s role (docs/security.md S7)', () => {
  const policy = {
    id: 'svc.prod', service: 'svc', environment: 'prod',
    roles: [{ role: 'operations', users: ['olga'], groups: [] }, { role: 'business', users: ['bea'], groups: [] }],
  } as unknown as PolicyDocument;
  const at = '2026-11-26T10:00:00.000Z';
  const rejection = { type: 'signoff' as const, id: 's1', role: 'operations', decision: 'reject' as const, by: { id: 'olga', name: 'Olga' }, at, comment: 'no', for: { service: 'svc', environment: 'prod' } };
  const doc = (revokeRole: string) => ({
    id: 'svc.prod', service: 'svc', environment: 'prod',
    history: [rejection, { type: 'revoke' as const, id: 'r1', revokes: 's1', role: revokeRole, by: { id: 'bea', name: 'Bea' }, at: '2026-11-26T11:00:00.000Z', comment: 'undo' }],
  }) as unknown as SignOffDocument;
  for (const claimed of ['business', 'operations']) {
    it(`revoke: the business holder revokes the operations rejection, claiming ${claimed} -> not counted, still rejected`, () => {
      const { counted, notCounted } = countedEvents(doc(claimed), policy);
      assert.deepEqual(counted.map((e) => e.id), ['s1']);
      assert.deepEqual(notCounted.map((e) => e.id), ['r1']);
      assert.equal(roleDecisions(doc(claimed), policy, undefined, new Date('2026-11-27T00:00:00Z')).operations?.state, 'rejected');
    });
  }
});
