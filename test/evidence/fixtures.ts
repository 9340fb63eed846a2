/**
 * Evidence documents of every kind, with passing, failing, cancelled and error variants. Names carry markup and
 * table-breaking characters on purpose, to prove every reporter escapes them.
 */
import { evaluateCriteria, parseFailureCriteria } from '../../src/criteria';
import type { DocsEvidence, DrillEvidence, Evidence, GateEvidence, LoadTestEvidence, RequestStats, TimelinePoint } from '../../src/evidence/types';

export const HOSTILE_NAME = '<script>alert("x")</script> | GET /a&b';

const run = {
  project: 'Contoso Shop',
  pipeline: 'checkout-ci',
  runId: '4711',
  stage: 'Staging',
  job: 'LoadTest',
  attempt: 1,
  url: 'https://dev.azure.com/contoso/Contoso%20Shop/_build/results?buildId=4711',
};

function base<K extends Evidence['kind']>(kind: K, id: string) {
  return {
    schemaVersion: 1 as const,
    id,
    kind,
    service: 'checkout-api',
    environment: 'staging',
    run,
    startedAt: '2026-11-26T10:00:00.000Z',
    finishedAt: '2026-11-26T10:00:30.000Z',
    links: [{ name: 'Dashboard', url: 'https://grafana.example.com/d/abc?var-x=(1)' }],
  };
}

function stats(name: string, requests: number, errors: number, p95: number): RequestStats {
  return {
    name,
    requests,
    errors,
    httpErrors: Math.ceil(errors / 2),
    networkErrors: Math.floor(errors / 2),
    errorPercentage: requests ? (errors / requests) * 100 : 0,
    rps: requests / 30,
    latencyMs: { min: 1, avg: p95 / 3, p50: p95 / 4, p75: p95 / 2, p90: p95 * 0.8, p95, p99: p95 * 1.5, p999: p95 * 2, max: p95 * 3 },
  };
}

function timeline(seconds: number): TimelinePoint[] {
  return Array.from({ length: seconds }, (_, second) => ({
    second,
    requests: 100 + (second % 5) * 10,
    errors: second % 7 === 0 ? 3 : 0,
    activeUsers: Math.min(50, (second + 1) * 10),
    latencyMs: { p50: 20 + second, p90: 40 + second, p95: 55 + second, p99: 90 + 2 * second, max: 200 },
  }));
}

function loadTest(id: string, criteria: unknown[], overrides: Partial<LoadTestEvidence['metrics']> = {}, verdictIfError?: 'error'): LoadTestEvidence {
  const requests = [stats('GetUser', 2000, 10, 120), stats(HOSTILE_NAME, 1000, 40, 450)];
  const totals = stats('Total', 3000, 50, 300);
  const metrics: LoadTestEvidence['metrics'] = {
    engine: 'local',
    model: 'closed',
    testId: 'checkout-smoke',
    virtualUsers: 50,
    durationSeconds: 30,
    cancelled: false,
    totals,
    requests,
    timeline: timeline(30),
    ...overrides,
  };
  const results = evaluateCriteria(parseFailureCriteria(criteria, { file: 'loadtest.yaml' }), { totals: metrics.totals, requests: metrics.requests });
  const failed = results.filter((r) => r.failed);
  const verdict = verdictIfError ?? (failed.length ? 'failed' : 'passed');
  const summary =
    verdict === 'error'
      ? metrics.cancelled
        ? 'Cancelled after 12 s; partial results.'
        : 'The target 127.0.0.1:9 refused every connection.'
      : failed.length
        ? `${failed.length} of ${results.length} criteria failed: ${failed.map((f) => f.expression).join('; ')}`
        : `All ${results.length} criteria passed.`;
  return { ...base('loadtest', id), verdict, summary, criteria: results, metrics };
}

export const loadTestPassed = (): LoadTestEvidence =>
  loadTest('11111111-1111-4111-8111-111111111111', ['p95(response_time_ms) > 500', 'percentage(error) > 5', { GetUser: 'avg(latency) > 200' }]);

export const loadTestFailed = (): LoadTestEvidence =>
  loadTest('22222222-2222-4222-8222-222222222222', ['p95(response_time_ms) > 250', { [HOSTILE_NAME]: 'p95(response_time_ms) > 300' }, 'percentage(error) > 5', { Missing: 'avg(latency) > 1' }]);

export const loadTestCancelled = (): LoadTestEvidence =>
  loadTest('33333333-3333-4333-8333-333333333333', ['p95(response_time_ms) > 500'], { cancelled: true, timeline: timeline(12), durationSeconds: 12 }, 'error');

export const loadTestError = (): LoadTestEvidence =>
  loadTest(
    '44444444-4444-4444-8444-444444444444',
    [],
    { totals: stats('Total', 0, 0, 0), requests: [], timeline: [], durationSeconds: 0 },
    'error',
  );

export const loadTestOpenStoppedEarly = (): LoadTestEvidence =>
  loadTest('55555555-5555-4555-8555-555555555555', ['percentage(error) > 1, stop'], {
    model: 'open',
    targetRps: 200,
    stoppedEarly: { reason: 'percentage(error) > 1, stop failed at 4 s', atSecond: 4 },
    timeline: timeline(1),
  });

function drill(id: string, rto: number | null, probeOk: boolean, cancelled = false): DrillEvidence {
  const verdict = cancelled ? 'error' : rto !== null && rto <= 60 && probeOk ? 'passed' : 'failed';
  const steps: DrillEvidence['metrics']['steps'] = [
    { name: 'preflight', startedAt: '2026-11-26T10:00:00.000Z', durationMs: 800, status: 'passed', detail: 'database reachable' },
    { name: 'backup', startedAt: '2026-11-26T10:00:01.000Z', durationMs: 4000, status: 'passed', detail: 'pg_dump 1.2 MB' },
    { name: 'restore', startedAt: '2026-11-26T10:00:05.000Z', durationMs: cancelled ? 2000 : 9000, status: cancelled ? 'cancelled' : 'passed', detail: 'restored into drill_42' },
    { name: 'probes', startedAt: '2026-11-26T10:00:14.000Z', durationMs: 1500, status: cancelled ? 'skipped' : probeOk ? 'passed' : 'failed', detail: `rows <check> & "orders"` },
  ];
  return {
    ...base('drill', id),
    verdict,
    summary: verdict === 'passed' ? 'Recovered in 14 s with 2 s of data lost; all probes passed.' : cancelled ? 'Cancelled during restore.' : 'RTO target missed and a probe failed.',
    criteria: [],
    metrics: {
      provider: 'postgres',
      disruption: 'drop database',
      targets: { rtoSeconds: 60, rpoSeconds: 300 },
      rtoSeconds: rto,
      rpoSeconds: cancelled ? null : 2,
      rpoMethod: cancelled ? 'none' : 'heartbeat',
      backup: { location: '/tmp/drill/backup.sql', takenAt: '2026-11-26T10:00:05.000Z', sizeBytes: 1200000 },
      steps,
      probes: cancelled
        ? []
        : [
            { name: 'orders count', type: 'query', status: probeOk ? 'passed' : 'failed', detail: probeOk ? 'expected >= 100 rows, found 120' : 'expected >= 100 rows, found 0', durationMs: 40 },
            { name: HOSTILE_NAME, type: 'http', status: 'passed', detail: 'GET /health -> 200', durationMs: 12 },
          ],
      cleanup: { status: cancelled ? 'failed' : 'done', leftBehind: cancelled ? ['database drill_42'] : [], detail: cancelled ? 'could not drop drill_42' : 'dropped drill_42' },
      cancelled,
    },
  };
}

export const drillPassed = () => drill('66666666-6666-4666-8666-666666666666', 14, true);
export const drillFailed = () => drill('77777777-7777-4777-8777-777777777777', 95.5, false);
export const drillCancelled = () => drill('88888888-8888-4888-8888-888888888888', null, false, true);

/** A recreation drill (provider terraform) whose destroy left a state entry and whose config does not converge. */
export const recreationFailed = (): DrillEvidence => {
  const phase = (name: string, second: number, ms: number, status: DrillEvidence['metrics']['steps'][number]['status'], detail: string) => ({ name, startedAt: new Date(Date.parse('2026-11-26T10:00:00.000Z') + second * 1000).toISOString(), durationMs: ms, status, detail });
  return {
    ...base('drill', '88888888-8888-4888-8888-888888888881'),
    verdict: 'failed',
    summary: 'Drill failed: the configuration does not converge.',
    criteria: [
      { expression: 'environmentRtoSeconds > 900', actual: 412.5, threshold: 900, failed: false, explanation: 'Environment RTO was 6m52s against a target of 15m: within target.' },
      { expression: 'leaks > 0', actual: 1, threshold: 0, failed: true, explanation: 'Left behind after destroy: state: terraform_data.keep.' },
      { expression: 'drift > 0', actual: 1, threshold: 0, failed: true, explanation: 'A second plan would change: terraform_data.clock (replace).' },
    ],
    metrics: {
      provider: 'terraform',
      targets: { rtoSeconds: 900, rpoSeconds: 300 },
      rtoSeconds: 412.5,
      rpoSeconds: null,
      rpoMethod: 'none',
      mode: 'recreation',
      environmentRtoSeconds: 412.5,
      leaks: [`state: ${HOSTILE_NAME}`],
      drift: ['terraform_data.clock (replace)'],
      cost: { currency: 'EUR', total: 0.28, hours: 0.14, lines: [{ type: 'azurerm_linux_web_app', count: 2, pricePerHour: 1, amount: 0.28 }], unpriced: ['azurerm_resource_group'] },
      backup: { location: 'terraform 1.11.4, configuration infra/, suffix dr1a2b3c' },
      steps: [
        phase('preflight', 0, 300, 'passed', 'terraform 1.11.4'),
        phase('init', 1, 9000, 'passed', 'terraform init exited 0'),
        phase('plan', 10, 20000, 'passed', 'plan: 14 to create'),
        phase('apply', 30, 380000, 'passed', 'apply finished'),
        phase('probes', 410, 32500, 'passed', '2 of 2 probes passed'),
        phase('converge', 443, 15000, 'failed', 'does not converge: terraform_data.clock (replace)'),
        phase('destroy', 458, 240000, 'failed', 'terraform destroy failed'),
      ],
      probes: [{ name: 'http health', type: 'http', status: 'passed', detail: 'answered 200', durationMs: 32000 }],
      cleanup: { status: 'failed', leftBehind: ['state: terraform_data.keep'], detail: 'terraform destroy failed' },
      cancelled: false,
    },
  };
};

/** A rollback drill that rolled back and recovered within its targets. */
export const rollbackPassed = (): DrillEvidence => ({
  ...base('drill', '88888888-8888-4888-8888-888888888882'),
  verdict: 'passed',
  summary: 'Rollback drill passed: time to rollback 1m35s (target 5m), time to recover 1m20s (target 5m).',
  criteria: [
    { expression: 'timeToRollbackSeconds > 300', actual: 95, threshold: 300, failed: false, explanation: 'within target' },
    { expression: 'timeToRecoverSeconds > 300', actual: 80, threshold: 300, failed: false, explanation: 'within target' },
  ],
  metrics: {
    provider: 'rollback',
    targets: { rtoSeconds: 900, rpoSeconds: 300, timeToRollbackSeconds: 300, timeToRecoverSeconds: 300 },
    rtoSeconds: null,
    rpoSeconds: null,
    rpoMethod: 'none',
    mode: 'rollback',
    timeToRollbackSeconds: 95,
    timeToRecoverSeconds: 80,
    versions: { previous: '1.4.2', current: '1.5.0' },
    backup: { location: 'version 1.4.2' },
    steps: [
      { name: 'baseline', startedAt: '2026-11-26T10:00:00.000Z', durationMs: 200, status: 'passed', detail: '1 probes passed against current version 1.5.0' },
      { name: 'rollback', startedAt: '2026-11-26T10:00:01.000Z', durationMs: 95000, status: 'passed', detail: 'deployed 1.4.2' },
      { name: 'recover', startedAt: '2026-11-26T10:01:36.000Z', durationMs: 80000, status: 'passed', detail: 'deployed 1.5.0' },
    ],
    probes: [{ name: 'previous 1.4.2: health', type: 'http', status: 'passed', detail: 'answered 200', durationMs: 3000 }],
    cleanup: { status: 'done', leftBehind: [], detail: 'deployed 1.5.0' },
    cancelled: false,
  },
});

export const docsFailed = (): DocsEvidence => ({
  ...base('docs', '99999999-9999-4999-8999-999999999999'),
  verdict: 'failed',
  summary: '2 errors in 3 runbooks.',
  criteria: [],
  metrics: {
    root: 'docs/runbooks',
    filesChecked: ['docs/runbooks/restore.md', 'docs/runbooks/failover.md'],
    findings: [
      { file: 'docs/runbooks/restore.md', line: 12, rule: 'broken-link', severity: 'error', message: 'link to <oncall.md> does not resolve' },
      { file: 'docs/runbooks/restore.md', rule: 'stale', severity: 'warning', message: 'last reviewed 200 days ago' },
      { file: 'docs/runbooks/escalation.md', rule: 'missing-file', severity: 'error', message: 'required runbook is missing' },
    ],
    reviewed: [{ file: 'docs/runbooks/restore.md', lastReviewed: '2026-05-10', ageDays: 200 }, { file: 'docs/runbooks/failover.md' }],
  },
});

export const docsPassed = (): DocsEvidence => ({
  ...docsFailed(),
  id: '99999999-9999-4999-8999-999999999990',
  verdict: 'passed',
  summary: 'All runbooks present and fresh.',
  metrics: { root: 'docs/runbooks', filesChecked: ['docs/runbooks/restore.md'], findings: [], reviewed: [] },
});

export const gateNotReady = (): GateEvidence => ({
  ...base('gate', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'),
  verdict: 'failed',
  summary: 'Not ready: 3 of 5 checks do not pass.',
  criteria: [],
  metrics: {
    policyFile: 'readiness.yaml',
    tier: 'tier-1',
    level: 'bronze',
    requiredLevel: 'gold',
    enforcement: 'block',
    status: 'not-ready',
    evaluatedAt: '2026-11-26T10:00:30.000Z',
    version: '3',
    checks: [
      { id: 'load', title: 'Load test', owner: 'perf-team', type: 'loadtest', state: 'passed', reason: 'p95 within limits', evidence: [{ id: '11111111-1111-4111-8111-111111111111', kind: 'loadtest', finishedAt: '2026-11-26T10:00:30.000Z', runUrl: run.url }] },
      { id: 'drill', title: 'DR drill', type: 'drill', state: 'failed', reason: 'RTO 95.5 s over the 60 s target', evidence: [{ id: '77777777-7777-4777-8777-777777777777', kind: 'drill', finishedAt: '2026-11-26T10:00:30.000Z' }] },
      { id: 'docs', title: HOSTILE_NAME, type: 'docs', state: 'waived', reason: 'waived by <alice> until 2026-12-01', evidence: [] },
      { id: 'signoff', title: 'Security sign-off', type: 'signoff', state: 'missing', reason: 'nobody has signed off', evidence: [] },
      { id: 'old', title: 'Chaos test', type: 'loadtest', state: 'stale', reason: 'last evidence is 40 days old (limit 30)', evidence: [] },
    ],
  },
});

export const gateReady = (): GateEvidence => {
  const g = gateNotReady();
  return {
    ...g,
    id: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
    verdict: 'passed',
    summary: 'Ready: every check passes.',
    metrics: { ...g.metrics, status: 'ready', level: 'gold', checks: [g.metrics.checks[0]] },
  };
};

export const allFixtures = (): Array<[string, Evidence]> => [
  ['load test passed', loadTestPassed()],
  ['load test failed', loadTestFailed()],
  ['load test cancelled', loadTestCancelled()],
  ['load test error', loadTestError()],
  ['load test open model stopped early', loadTestOpenStoppedEarly()],
  ['drill passed', drillPassed()],
  ['drill failed', drillFailed()],
  ['drill cancelled', drillCancelled()],
  ['recreation drill failed', recreationFailed()],
  ['rollback drill passed', rollbackPassed()],
  ['docs failed', docsFailed()],
  ['docs passed', docsPassed()],
  ['gate not ready', gateNotReady()],
  ['gate ready', gateReady()],
];
