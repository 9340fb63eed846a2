import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../src/errors';
import { parsePolicy } from '../../src/gate/policy';
import { Collections, subjectKey, type SignOffDocument, type WaiverDocument } from '../../src/gate/records';
import { addWaiver, currentDecisions, readSignOffHistory, recordSignOff, revokeSignOff, SignOffRefusedError, type Actor } from '../../src/gate/signoffs';
import { FileDocumentStore } from '../../src/store/fileStore';
import { NOW } from './fixtures';

const policy = parsePolicy(
  `
service: checkout
roles:
  operations: { groups: ["[Shop]\\\\Operations"], users: [ops-lead] }
  business: { users: [biz-lead] }
checks:
  - { id: drill, title: Drill, owner: operations, type: drill, rule: { passedWithinDays: 30 } }
  - { id: load, title: Load, owner: platform, type: loadtest, rule: { passedWithinDays: 7 } }
  - { id: approve, title: Approve, owner: business, type: signoff, rule: { roles: [operations, business] } }
levels:
  - { name: gold, checks: [drill, load, approve] }
environments:
  production: { requiredLevel: gold, enforcement: block }
`,
  'readiness.yml',
);

const opsMember: Actor = { id: 'u-17', name: 'Olga Ops', groups: ['[shop]\\operations'] };
const bizLead: Actor = { id: 'BIZ-LEAD', name: 'Bea Business', groups: [] }; // ids compare without case
const outsider: Actor = { id: 'u-99', name: 'Oscar Outsider', groups: ['[Shop]\\Contributors'] };

describe('gate: sign-offs and waivers in the store', () => {
  let dir: string;
  let store: FileDocumentStore;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'signoffs-'));
    store = new FileDocumentStore(dir);
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('sign-off: member of a listed group (any case) -> recorded in the append-only history', async () => {
    const s = await recordSignOff(store, policy, opsMember, { role: 'operations', decision: 'approve', comment: 'Load and drill evidence reviewed.', environment: 'production', version: '1.4.0', at: NOW });
    const doc = await store.getDocument<SignOffDocument>(Collections.signoffs, subjectKey('checkout', 'production'));
    assert.equal(doc?.history.length, 1);
    assert.deepEqual(doc?.history[0], { type: 'signoff', ...s });
    assert.deepEqual(s.for, { service: 'checkout', environment: 'production', version: '1.4.0' });
    assert.equal(s.by.name, 'Olga Ops');
  });

  it('sign-off: user without the role -> refused, naming the role and who may sign', async () => {
    await assert.rejects(
      recordSignOff(store, policy, outsider, { role: 'operations', decision: 'approve', comment: 'ok', environment: 'production' }),
      (e: unknown) => e instanceof SignOffRefusedError && e.exitCode === 2 && e.message === 'Oscar Outsider (u-99) may not sign for role "operations". Who may: groups "[Shop]\\Operations"; users ops-lead (set under roles.operations in readiness.yml).',
    );
    assert.equal(await store.getDocument(Collections.signoffs, subjectKey('checkout', 'production')), undefined);
  });

  it('sign-off: blank comment -> ConfigError, nothing stored', async () => {
    await assert.rejects(recordSignOff(store, policy, bizLead, { role: 'business', decision: 'approve', comment: '  ', environment: 'production' }), ConfigError);
    assert.deepEqual(await readSignOffHistory(store, 'checkout', 'production'), []);
  });

  it('sign-off: unknown role or environment -> ConfigError naming the known ones', async () => {
    await assert.rejects(recordSignOff(store, policy, bizLead, { role: 'security', decision: 'approve', comment: 'x', environment: 'production' }), /Role "security" is not defined in readiness.yml; defined roles: operations, business/);
    await assert.rejects(recordSignOff(store, policy, bizLead, { role: 'business', decision: 'approve', comment: 'x', environment: 'prod' }), /Environment "prod" is not in readiness.yml; known: production/);
  });

  it('revoke: by the signer -> appended; the sign-off stays in the history and no longer counts', async () => {
    const s = await recordSignOff(store, policy, bizLead, { role: 'business', decision: 'approve', comment: 'Looks good.', environment: 'production', at: new Date(NOW.getTime() - 60_000) });
    await revokeSignOff(store, policy, bizLead, { environment: 'production', signOffId: s.id, comment: 'Approved the wrong build.', at: NOW });
    const history = await readSignOffHistory(store, 'checkout', 'production');
    assert.deepEqual(history.map((e) => e.type), ['signoff', 'revoke']);
    const decisions = currentDecisions(history, NOW);
    assert.equal(decisions.business.state, 'none');
    assert.equal(decisions.business.revoked[0].id, s.id);
  });

  it('revoke: by someone without the role -> refused', async () => {
    const s = await recordSignOff(store, policy, bizLead, { role: 'business', decision: 'approve', comment: 'ok', environment: 'production' });
    await assert.rejects(revokeSignOff(store, policy, outsider, { environment: 'production', signOffId: s.id, comment: 'no' }), SignOffRefusedError);
  });

  it('waiver: owner role, reason and future expiry -> stored', async () => {
    const w = await addWaiver(store, policy, opsMember, { environment: 'production', check: 'drill', reason: 'Drill host rebuilt; ticket 42.', until: new Date(NOW.getTime() + 86_400_000), now: NOW });
    const doc = await store.getDocument<WaiverDocument>(Collections.waivers, subjectKey('checkout', 'production'));
    assert.deepEqual(doc?.waivers, [w]);
    assert.equal(w.until, '2026-11-27T12:00:00.000Z');
  });

  const refusals: Array<[string, Parameters<typeof addWaiver>[3], Actor, RegExp]> = [
    ['expiry equal to now', { environment: 'production', check: 'drill', reason: 'r', until: NOW, now: NOW }, opsMember, /expiry in the future/],
    ['expiry in the past', { environment: 'production', check: 'drill', reason: 'r', until: new Date(NOW.getTime() - 1), now: NOW }, opsMember, /expiry in the future/],
    ['no reason', { environment: 'production', check: 'drill', reason: ' ', until: new Date(NOW.getTime() + 1000), now: NOW }, opsMember, /needs a reason/],
    ['unknown check', { environment: 'production', check: 'dril', reason: 'r', until: new Date(NOW.getTime() + 1000), now: NOW }, opsMember, /No check "dril"/],
    ['user outside the owner role', { environment: 'production', check: 'drill', reason: 'r', until: new Date(NOW.getTime() + 1000), now: NOW }, bizLead, /may not waive check "drill" for role "operations"/],
    ['owner role not defined', { environment: 'production', check: 'load', reason: 'r', until: new Date(NOW.getTime() + 1000), now: NOW }, opsMember, /Role "platform" is not defined/],
  ];
  for (const [name, input, user, message] of refusals) {
    it(`waiver: ${name} -> refused`, async () => {
      await assert.rejects(addWaiver(store, policy, user, input), message);
      assert.equal(await store.getDocument(Collections.waivers, subjectKey('checkout', 'production')), undefined);
    });
  }

  it('concurrency: 20 sign-offs at once through 2 store instances on one folder -> all 20 land', async () => {
    const stores = [new FileDocumentStore(dir), new FileDocumentStore(dir)];
    const writers = Array.from({ length: 20 }, (_, i) =>
      recordSignOff(stores[i % 2], policy, i % 2 ? bizLead : opsMember, {
        role: i % 2 ? 'business' : 'operations',
        decision: 'approve',
        comment: `writer ${i}`,
        environment: 'production',
      }),
    );
    const written = await Promise.all(writers);
    const history = await readSignOffHistory(store, 'checkout', 'production');
    assert.equal(history.length, 20);
    assert.deepEqual(new Set(history.map((e) => e.id)), new Set(written.map((s) => s.id)));
    const doc = await store.getDocument<SignOffDocument>(Collections.signoffs, subjectKey('checkout', 'production'));
    assert.equal(doc?.__etag, 20);
  });

  it('store: unreadable sign-offs -> InfrastructureError naming the document', async () => {
    await fs.mkdir(path.join(dir, Collections.signoffs), { recursive: true });
    await fs.writeFile(path.join(dir, Collections.signoffs, `${encodeURIComponent(subjectKey('checkout', 'production'))}.json`), '{ not json');
    await assert.rejects(readSignOffHistory(store, 'checkout', 'production'), (e: unknown) => (e as Error).name === 'InfrastructureError' && /Could not read sign-offs signoffs\/checkout\.production/.test((e as Error).message));
  });
});
