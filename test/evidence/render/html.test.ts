import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { renderHtml } from '../../../src/evidence/render';
import * as fixtures from '../fixtures';

/** Every tag of the document, so attribute checks never look at escaped text. */
const tagsOf = (html: string) => html.match(/<[^>]+>/g) ?? [];

describe('HTML reporter', () => {
  for (const [name, evidence] of fixtures.allFixtures()) {
    it(`html: ${name} -> self-contained: no script, no external reference, everything inline`, () => {
      const html = renderHtml(evidence);
      assert.ok(html.startsWith('<!DOCTYPE html>'));
      assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/);
      assert.ok(!/<script/i.test(html), 'a script element');
      for (const tag of tagsOf(html)) {
        assert.ok(!/https?:|\/\/|\bsrc=|\bhref=|url\(|@import/i.test(tag), `external reference in ${tag}`);
        assert.ok(!/^<(link|img|iframe|object|embed|base)\b/i.test(tag), `loading element ${tag}`);
      }
      assert.ok(!/url\(|@import/i.test(html.slice(html.indexOf('<style>'), html.indexOf('</style>'))), 'CSS fetches something');
    });
  }

  it('html: markup in a request name -> shown as text, never as markup', () => {
    const html = renderHtml(fixtures.loadTestFailed());
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; | GET /a&amp;b'));
    assert.ok(!html.includes('<script>alert'));
  });

  it('html: load test -> latency percentiles, throughput and errors, users over time; criteria and request tables', () => {
    const html = renderHtml(fixtures.loadTestFailed());
    assert.equal((html.match(/<svg /g) ?? []).length, 3);
    for (const series of ['p50', 'p90', 'p95', 'p99', 'requests', 'errors', 'users']) assert.match(html, new RegExp(`<polyline [^>]*><title>${series}: peak`));
    assert.match(html, /<h2>Criteria: 3 of 4 failed<\/h2>/);
    assert.match(html, /<h2>Requests<\/h2>/);
    assert.match(html, /<strong>All requests<\/strong>/);
  });

  it('html: load test -> the generator\'s self-watch and the sample log among the facts, escaped', () => {
    const e = fixtures.loadTestPassed();
    e.metrics.generator = { cpuPercent: 40, eventLoopDelayP99Ms: 1.2, eventLoopDelayMaxMs: 3 };
    e.metrics.azure = { testRunId: 'run-1', sampleLog: { read: true, detail: 'read 2 CSV files <engine 1 & 2>' } };
    const html = renderHtml(e);
    assert.match(html, /<dt>Load generator<\/dt><dd>CPU 40% of a core; event loop late by 1\.2 ms at p99, 3 ms at worst<\/dd>/);
    assert.match(html, /<dt>Sample log<\/dt><dd>read 2 CSV files &lt;engine 1 &amp; 2&gt;<\/dd>/);
  });

  it('html: load test without per-second figures -> says so instead of an empty chart', () => {
    const html = renderHtml(fixtures.loadTestError());
    assert.ok(!html.includes('<svg '));
    assert.match(html, /Latency percentiles: no per-second figures were recorded/);
  });

  it('html: a one-second timeline -> points, not lines', () => {
    const html = renderHtml(fixtures.loadTestOpenStoppedEarly());
    assert.ok(!html.includes('<polyline'));
    assert.equal((html.match(/<circle /g) ?? []).length, 7);
    assert.match(html, /Stopped early at 4 s/);
  });

  it('html: an hour-long timeline -> merged to at most 720 points per line, spikes kept', () => {
    const evidence = fixtures.loadTestPassed();
    const point = evidence.metrics.timeline[0];
    evidence.metrics.timeline = Array.from({ length: 3600 }, (_, second) => ({ ...point, second, latencyMs: { ...point.latencyMs, p99: second === 1801 ? 5000 : 90 } }));
    const html = renderHtml(evidence);
    const p99 = html.match(/<polyline [^>]*points="([^"]+)"><title>p99: peak ([\d.]+) ms<\/title>/);
    assert.ok(p99, 'p99 line missing');
    assert.equal(p99[1].split(' ').length, 720);
    assert.equal(p99[2], '5000');
    assert.ok(html.length < 250_000, `report is ${html.length} characters`);
  });

  it('html: drill -> a bar per step on the timeline, objectives and probes', () => {
    const html = renderHtml(fixtures.drillFailed());
    assert.equal((html.match(/<rect x="[\d.]+" y="\d+" width="[\d.]+" height="18"/g) ?? []).length, 4);
    assert.match(html, /<td>RTO \(time to recover\)<\/td><td class="n">95\.5 s<\/td><td class="n">60 s<\/td><td><span class="pill missed">missed<\/span>/);
    assert.match(html, /<h2>Probes<\/h2>/);
  });

  it('html: recreation drill -> a bar per phase, environment RTO met, leaks and drift missed, the cost', () => {
    const html = renderHtml(fixtures.recreationFailed());
    assert.equal((html.match(/<rect x="[\d.]+" y="\d+" width="[\d.]+" height="18"/g) ?? []).length, 7);
    assert.match(html, /Phases of the terraform drill/);
    assert.match(html, /<td>Environment RTO \(apply start until probes passed\)<\/td><td class="n">412\.5 s<\/td><td class="n">900 s<\/td><td><span class="pill met">met<\/span>/);
    assert.match(html, /<td>Leaks after destroy<\/td><td class="n">1<\/td><td class="n">0<\/td><td><span class="pill missed">missed<\/span>/);
    assert.match(html, /about 0\.28 EUR over 0\.14 h/);
  });

  it('html: gate -> scorecard with a state for every check', () => {
    const html = renderHtml(fixtures.gateNotReady());
    for (const state of ['passed', 'failed', 'waived', 'missing', 'stale']) assert.match(html, new RegExp(`<span class="pill ${state}">${state}</span>`));
  });

  describe('in a browser', function () {
    let browser: Browser;
    let dir: string;
    before(async () => {
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'html-report-'));
    });
    after(async () => {
      await browser?.close();
      await fs.rm(dir, { recursive: true, force: true });
    });

    it('html: opened from disk -> no request besides the file, names read as typed, charts drawn', async () => {
      const file = path.join(dir, 'report.html');
      await fs.writeFile(file, renderHtml(fixtures.loadTestFailed()));
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(`file://${file}`);
      const seen = await page.evaluate(() => ({
        scripts: document.querySelectorAll('script').length,
        firstRequest: document.querySelectorAll('section table tbody tr')[5]?.querySelector('td')?.textContent,
        polylines: document.querySelectorAll('svg polyline').length,
        title: document.title,
      }));
      await page.close();
      assert.deepEqual(requests, [`file://${file}`]);
      assert.deepEqual(dialogs, []);
      assert.deepEqual(seen, { scripts: 0, firstRequest: fixtures.HOSTILE_NAME, polylines: 7, title: 'Load test: checkout-api (staging)' });
    });
  });
});
