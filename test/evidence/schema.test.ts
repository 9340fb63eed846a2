import assert from 'node:assert/strict';
import { compiledEvidenceSchema } from '../../src/evidence/compiledValidators';
import { validateEvidence } from '../../src/evidence/validate';
import { allFixtures, drillFailed, gateNotReady, loadTestFailed } from './fixtures';

describe('evidence schema', () => {
  for (const [name, evidence] of allFixtures()) {
    it(`schema: ${name} fixture, after a JSON round trip -> accepted`, () => {
      const result = validateEvidence(JSON.parse(JSON.stringify(evidence)));
      assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
      assert.equal(compiledEvidenceSchema()(evidence), true);
    });
  }

  type Mutation = (doc: any) => unknown;
  // [name, document builder, mutation (may return a replacement), expected messages]
  const broken: Array<[string, () => unknown, Mutation, string[]]> = [
    ['not an object', loadTestFailed, () => null, ['(document): must be a JSON object (found null)']],
    ['a list', loadTestFailed, () => [], ['(document): must be a JSON object (found a list)']],
    ['no kind', loadTestFailed, (d) => void delete d.kind, ['kind: must be one of loadtest, drill, docs, gate, environment, capacity (missing)']],
    ['unknown kind', loadTestFailed, (d) => void (d.kind = 'chaos'), ['kind: must be one of loadtest, drill, docs, gate, environment, capacity (found "chaos")']],
    ['a newer schema version', loadTestFailed, (d) => void (d.schemaVersion = 2), ['schemaVersion: must be 1 (found 2)']],
    ['an id that is not a uuid', loadTestFailed, (d) => void (d.id = 'run-1'), ['id: must be a uuid (found "run-1")']],
    ['a date that is not ISO 8601', loadTestFailed, (d) => void (d.startedAt = 'yesterday'), ['startedAt: must be a date-time (found "yesterday")']],
    ['an unknown verdict', loadTestFailed, (d) => void (d.verdict = 'ok'), ['verdict: must be one of passed, failed, error (found "ok")']],
    ['a latency given as text', loadTestFailed, (d) => void (d.metrics.totals.latencyMs.p95 = 'fast'), ['metrics.totals.latencyMs.p95: must be number (found "fast")']],
    ['a missing total', loadTestFailed, (d) => void delete d.metrics.totals.rps, ['metrics.totals: missing required property "rps"']],
    ['an unknown metrics field', loadTestFailed, (d) => void (d.metrics.extra = 1), ['metrics: unknown property "extra"']],
    ['an error percentage above 100', loadTestFailed, (d) => void (d.metrics.requests[1].errorPercentage = 150), ['metrics.requests[1].errorPercentage: must be <= 100 (found 150)']],
    ['a criterion actual as text', loadTestFailed, (d) => void (d.criteria[0].actual = '12'), ['criteria[0].actual: must be number or null (found "12")']],
    ['a timeline second that is fractional', loadTestFailed, (d) => void (d.metrics.timeline[3].second = 1.5), ['metrics.timeline[3].second: must be integer (found 1.5)']],
    ['a negative RTO', drillFailed, (d) => void (d.metrics.rtoSeconds = -1), ['metrics.rtoSeconds: must be >= 0 (found -1)']],
    ['an unknown probe status', drillFailed, (d) => void (d.metrics.probes[0].status = 'flaky'), ['metrics.probes[0].status: must be one of passed, failed, unknown (found "flaky")']],
    ['an unknown check state', gateNotReady, (d) => void (d.metrics.checks[2].state = 'ignored'), ['metrics.checks[2].state: must be one of passed, failed, waived, missing, stale (found "ignored")']],
    ['a link without an address', gateNotReady, (d) => void delete d.links[0].url, ['links[0]: missing required property "url"']],
    [
      'several problems at once',
      loadTestFailed,
      (d) => {
        d.service = '';
        d.metrics.cancelled = 'no';
        delete d.summary;
      },
      ['(document): missing required property "summary"', 'service: must NOT have fewer than 1 characters (found "")', 'metrics.cancelled: must be boolean (found "no")'],
    ],
  ];
  for (const [name, make, mutate, expected] of broken) {
    it(`schema: ${name} -> rejected with a readable message`, () => {
      const doc = JSON.parse(JSON.stringify(make()));
      const replaced = mutate(doc);
      const result = validateEvidence(replaced === undefined ? doc : replaced);
      assert.ok(!result.ok, 'expected the document to be rejected');
      assert.deepEqual([...result.errors].sort(), [...expected].sort());
      if (replaced === undefined && name !== 'no kind' && name !== 'unknown kind') assert.equal(compiledEvidenceSchema()(doc), false);
    });
  }

  it('schema: a document broken everywhere -> at most 20 messages and a count of the rest', () => {
    const doc = JSON.parse(JSON.stringify(loadTestFailed()));
    doc.metrics.timeline.forEach((p: any) => (p.requests = -1));
    const result = validateEvidence(doc);
    assert.ok(!result.ok);
    assert.equal(result.errors.length, 21);
    assert.equal(result.errors[20], '... and 10 more problems');
  });
});
