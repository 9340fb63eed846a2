import assert from 'node:assert/strict';
import { runHeadersCheck } from '../../src/environment/checks/headers';
import { gradeFor, scoreHeaders } from '../../src/environment/observatoryScoring';
import { environmentCertificates, startSite } from '../support/environmentTls';

const ctx = () => ({ signal: new AbortController().signal, progress: () => undefined });
const STRONG = {
  'content-security-policy': "default-src 'none'; script-src 'self'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

describe('environment headers check (MDN HTTP Observatory scoring)', function () {
  this.timeout(20_000);

  // Scores worked by hand from the published score table (developer.mozilla.org/en-US/observatory/docs/tests_and_scoring).
  const cases: Array<{ name: string; headers: Record<string, string | string[]>; score: number; grade: string }> = [
    { name: 'no security headers at all: 100 -25 csp -20 hsts -5 nosniff -20 xfo = 30', headers: {}, score: 30, grade: 'D' },
    { name: 'everything strong: 100 + bonuses csp 10, xfo-via-csp 5, referrer 5, corp 10 = 130', headers: STRONG, score: 130, grade: 'A+' },
    { name: "unsafe-inline scripts: 100 -20 = 80, no bonuses under 90", headers: { ...STRONG, 'content-security-policy': "default-src 'self' 'unsafe-inline'; frame-ancestors 'none'" }, score: 80, grade: 'B+' },
    { name: 'short HSTS: -10 keeps 90, bonuses count', headers: { ...STRONG, 'strict-transport-security': 'max-age=86400' }, score: 120, grade: 'A+' },
    { name: 'session cookie without HttpOnly: -30', headers: { ...STRONG, 'set-cookie': ['sessionid=1; Secure; SameSite=Lax'] }, score: 70, grade: 'B' },
    { name: 'universal CORS with credentials: -50', headers: { ...STRONG, 'access-control-allow-origin': 'https://http-observatory.security.mozilla.org', 'access-control-allow-credentials': 'true' }, score: 50, grade: 'C' },
  ];
  for (const c of cases) {
    it(`scoring: ${c.name} -> ${c.grade}`, () => {
      const headers = Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k, v]));
      assert.deepEqual(gradeFor(scoreHeaders(headers)), { score: c.score, grade: c.grade });
    });
  }

  async function graded(headers: Record<string, string>, minGrade: string) {
    const certs = environmentCertificates();
    const site = await startSite({ ...certs.valid, headers });
    try {
      return await runHeadersCheck({ name: 'headers', type: 'headers', url: `https://localhost:${site.port}/`, minGrade, ca: certs.ca }, ctx());
    } finally {
      await site.close();
    }
  }

  it('headers: loopback site sending strong headers, minimum B -> passed with grade A+', async () => {
    const r = await graded(STRONG, 'B');
    assert.equal(r.status, 'passed', r.detail);
    assert.equal(r.headers!.grade, 'A+');
  });

  it('headers: loopback site sending none, minimum B -> failed, each failing header named with its fix', async () => {
    const r = await graded({}, 'B');
    assert.equal(r.status, 'failed');
    assert.equal(r.headers!.grade, 'D');
    for (const [name, fix] of [
      ['content-security-policy', 'send Content-Security-Policy'],
      ['strict-transport-security', 'send Strict-Transport-Security'],
      ['x-frame-options', 'send X-Frame-Options: DENY'],
      ['x-content-type-options', 'send X-Content-Type-Options: nosniff'],
    ]) {
      assert.ok(r.detail.includes(name) && r.detail.includes(fix), `${name} / ${fix} missing from: ${r.detail}`);
    }
  });

  it('headers: a 500 answer -> unknown (the Observatory does not grade it)', async () => {
    const certs = environmentCertificates();
    const site = await startSite({ ...certs.valid, route: (_req, res) => res.writeHead(500).end() });
    try {
      const r = await runHeadersCheck({ name: 'h', type: 'headers', url: `https://localhost:${site.port}/`, minGrade: 'F', ca: certs.ca }, ctx());
      assert.equal(r.status, 'unknown');
      assert.match(r.detail, /HTTP 500/);
    } finally {
      await site.close();
    }
  });
});
