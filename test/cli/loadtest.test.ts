import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { main } from '../../src/cli';
import type { CliIO } from '../../src/cli/io';
import { startTarget, type Target } from '../support/httpTarget';
import { get, requestsJson, URL_YAML, writeTest } from '../load/helpers';

async function cli(args: string[], signal = new AbortController().signal): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: process.cwd(), env: {}, signal };
  const code = await main(['loadtest', ...args], io);
  return { code, stdout, stderr };
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

const ONE_GET = (url: string, setup: Record<string, unknown> = {}) =>
  requestsJson([get('Home', url)], { virtualUsersPerEngine: 1, durationInSeconds: 1, ...setup });

describe('cli/loadtest', () => {
  let target: Target;
  before(async () => (target = await startTarget()));
  after(async () => target.close());

  const badInput: Array<{ name: string; files: () => Parameters<typeof writeTest>[0]; args?: string[]; message: RegExp }> = [
    { name: 'YAML syntax error -> exit 2 with line and column', files: () => ({ yaml: 'testId: x\ntestPlan: [a\n' }), message: /test\.yaml:\d+:\d+ YAML syntax/ },
    { name: 'unknown key -> exit 2 naming the nearest valid key', files: () => ({ yaml: `${URL_YAML}failureCriterias: []\n`, requests: ONE_GET(target.url) }), message: /test\.yaml:5 failureCriterias: unknown key "failureCriterias"; did you mean "failureCriteria"\?/ },
    { name: 'missing testPlan file -> exit 2 naming the file', files: () => ({ yaml: URL_YAML }), message: /test\.yaml:4 testPlan: file "requests\.json" not found/ },
    { name: 'invalid URL -> exit 2 naming the request\'s line', files: () => ({ yaml: URL_YAML, requests: ONE_GET('http//nope') }), message: /requests\.json:\d+ scenarios\.main\.requests\[0\]\.endpoint: "http\/\/nope" is not a valid URL/ },
    { name: 'zero users -> exit 2', files: () => ({ yaml: URL_YAML, requests: ONE_GET(target.url, { virtualUsersPerEngine: 0 }) }), message: /testSetup\[0\]\.virtualUsersPerEngine: must be a whole number of at least 1, found 0/ },
    { name: 'negative duration -> exit 2', files: () => ({ yaml: URL_YAML, requests: ONE_GET(target.url, { durationInSeconds: -5 }) }), message: /testSetup\[0\]\.durationInSeconds: must be a number of at least 1, found -5/ },
    { name: '--vus 0 -> exit 2', files: () => ({ yaml: URL_YAML, requests: ONE_GET(target.url) }), args: ['--vus', '0'], message: /--vus: must be a whole number above 0, found "0"/ },
    { name: 'JMX plan -> exit 2 saying engine: azure runs it', files: () => ({ yaml: 'testId: jmx\ntestPlan: plan.jmx\n', extra: { 'plan.jmx': '<x/>' } }), message: /testType: a JMeter \(JMX\) plan runs only on Azure Load Testing.*engine: azure/ },
    { name: 'Locust plan -> exit 2 saying engine: azure runs it', files: () => ({ yaml: 'testId: loc\ntestType: Locust\ntestPlan: plan.py\n', extra: { 'plan.py': '' } }), message: /a Locust plan runs only on Azure Load Testing/ },
    { name: 'unknown variable -> exit 2 naming it', files: () => ({ yaml: URL_YAML, requests: ONE_GET(`${target.url}/\${nope}`) }), message: /unknown variable "\$\{nope\}"/ },
    { name: 'bad criterion metric -> exit 2 quoting the criterion', files: () => ({ yaml: `${URL_YAML}failureCriteria:\n  - p95(response_time) > 300\n`, requests: ONE_GET(target.url) }), message: /test\.yaml:6 .*response_time/ },
    { name: 'criterion on an unknown request -> exit 2 with the nearest name', files: () => ({ yaml: `${URL_YAML}failureCriteria:\n  - home: p95(response_time_ms) > 300\n`, requests: ONE_GET(target.url) }), message: /no request is named "home"; did you mean "Home"\?/ },
    { name: 'too many users for one agent -> exit 2 pointing at engine: azure', files: () => ({ yaml: URL_YAML, requests: ONE_GET(target.url, { virtualUsersPerEngine: 5000 }) }), message: /at most 1000 .*engine: azure/ },
    { name: 'no --config -> exit 2', files: () => ({ yaml: URL_YAML }), args: ['--no-config'], message: /Unknown option '--no-config'|--config: required/ },
  ];
  for (const c of badInput) {
    it(`loadtest: ${c.name}`, async () => {
      const file = writeTest(c.files());
      const args = c.args?.[0] === '--no-config' ? c.args : ['--config', file, ...(c.args ?? [])];
      const { code, stderr } = await cli(args);
      assert.equal(code, 2, stderr);
      assert.match(stderr, c.message);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
      assert.equal(target.total(), 0, 'no traffic before validation passed');
    });
  }

  it('loadtest: several problems in both files -> all reported in one run', async () => {
    const file = writeTest({ yaml: `${URL_YAML}engineInstance: 1\n`, requests: ONE_GET('nope', { durationInSeconds: 0 }) });
    const { code, stderr } = await cli(['--config', file]);
    assert.equal(code, 2);
    assert.match(stderr, /engineInstance: unknown key/);
    assert.doesNotMatch(stderr, /durationInSeconds/, 'the YAML is fixed first; its plan is read once the YAML is valid');
  });

  it('loadtest: unreachable target -> exit 3 with the address and the cause, after a bounded wait', async () => {
    const port = await closedPort();
    const file = writeTest({ yaml: `${URL_YAML}localEngine:\n  connectTimeoutSeconds: 1\n`, requests: ONE_GET(`http://127.0.0.1:${port}/`) });
    const started = Date.now();
    const { code, stderr } = await cli(['--config', file]);
    assert.equal(code, 3, stderr);
    assert.match(stderr, new RegExp(`Cannot reach the target within 1 s: http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED`));
    assert.ok(Date.now() - started < 5000);
  });

  it('loadtest: passing run -> exit 0, evidence JSON, JUnit, markdown and HTML written', async () => {
    const out = path.join(path.dirname(writeTest({ yaml: URL_YAML })), 'out');
    const file = writeTest({ yaml: `${URL_YAML}failureCriteria:\n  - percentage(error) > 5\n`, requests: ONE_GET(target.url) });
    const { code, stdout, stderr } = await cli(['--config', file, '--out', out, '--duration', '1']);
    assert.equal(code, 0, stderr);
    const evidenceFile = stdout.trim();
    const evidence = JSON.parse(fs.readFileSync(evidenceFile, 'utf8'));
    assert.equal(evidence.kind, 'loadtest');
    assert.equal(evidence.metrics.totals.requests, target.counts.get('GET /'));
    const base = evidenceFile.replace(/\.json$/, '');
    assert.match(fs.readFileSync(`${base}.junit.xml`, 'utf8'), /<testcase[^>]*percentage\(error\) &gt; 5/);
    assert.ok(fs.readFileSync(`${base}.md`, 'utf8').length > 0);
    assert.match(fs.readFileSync(`${base}.html`, 'utf8'), /<html/i);
  });

  it('loadtest: failed criterion -> exit 1 listing actual against threshold', async () => {
    const file = writeTest({ yaml: `${URL_YAML}failureCriteria:\n  - count(requests) > 1\n`, requests: ONE_GET(target.url) });
    const out = path.join(path.dirname(file), 'out');
    const { code, stderr } = await cli(['--config', file, '--out', out]);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /Failed criteria:\n  count\(requests\) > 1: actual \d+, threshold 1/);
  });

  it('loadtest: cancelled mid-run -> exit 3, partial evidence written and marked cancelled', async () => {
    const file = writeTest({ yaml: URL_YAML, requests: ONE_GET(target.url, { durationInSeconds: 60 }) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 800);
    const { code, stdout, stderr } = await cli(['--config', file, '--out', path.join(path.dirname(file), 'out')], controller.signal);
    assert.equal(code, 3, stderr);
    const evidence = JSON.parse(fs.readFileSync(stdout.trim(), 'utf8'));
    assert.equal(evidence.metrics.cancelled, true);
    assert.equal(evidence.verdict, 'error');
    assert.match(stderr, /Cancelled after [\d.]+ s; partial results/);
  });

  it('loadtest: --env NAME=VALUE -> overrides the YAML env value the requests use', async () => {
    const before = target.counts.get('GET /from-env') ?? 0;
    const file = writeTest({ yaml: `${URL_YAML}env:\n  - name: base\n    value: http://127.0.0.1:1\n`, requests: ONE_GET('${base}/from-env') });
    const { code, stderr } = await cli(['--config', file, '--out', path.join(path.dirname(file), 'out'), '--env', `base=${target.url}`]);
    assert.equal(code, 0, stderr);
    assert.ok((target.counts.get('GET /from-env') ?? 0) > before);
  });

  it('loadtest: --env without "=" -> exit 2', async () => {
    const file = writeTest({ yaml: URL_YAML, requests: ONE_GET(target.url) });
    const { code, stderr } = await cli(['--config', file, '--env', 'base']);
    assert.equal(code, 2);
    assert.match(stderr, /--env: expected NAME=VALUE, found "base"/);
  });
});
