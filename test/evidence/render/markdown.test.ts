import assert from 'node:assert/strict';
import { renderMarkdown } from '../../../src/evidence/render';
import * as fixtures from '../fixtures';

/** The rows of the markdown table that follows a heading, split into cells on unescaped pipes. */
function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  assert.ok(start >= 0, `heading ${heading} not found`);
  const rows: string[][] = [];
  for (let i = start + 1; i < lines.length; i++) {
    if (!lines[i].startsWith('|')) {
      if (rows.length) break;
      continue;
    }
    rows.push(lines[i].split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));
  }
  const width = rows[0].length;
  for (const row of rows) assert.equal(row.length, width, `row has ${row.length} cells, header ${width}: ${row.join(' | ')}`);
  return rows.slice(2);
}

describe('markdown reporter', () => {
  for (const [name, evidence] of fixtures.allFixtures()) {
    it(`markdown: ${name} -> verdict and reason first, no raw HTML, tables intact`, () => {
      const md = renderMarkdown(evidence);
      const [heading, , reason] = md.split('\n');
      assert.match(heading, new RegExp(`^## \\S+ .*: ${evidence.verdict === 'passed' ? 'Passed' : evidence.verdict === 'failed' ? 'Failed' : 'Error'}`));
      assert.ok(reason.startsWith('**'), reason);
      assert.ok(!/<[a-z/!]/i.test(md), 'raw HTML in the summary');
      for (const line of md.split('\n').filter((l) => l.startsWith('|'))) assert.ok(line.endsWith('|'), line);
    });
  }

  it('markdown: failed load test -> criteria table with actual against threshold, then per-request table', () => {
    const md = renderMarkdown(fixtures.loadTestFailed());
    assert.ok(md.indexOf('### Criteria: 3 of 4 failed') < md.indexOf('### Requests'));
    const criteria = tableAfter(md, '### Criteria');
    assert.deepEqual(criteria[0].slice(0, 4), ['❌ failed', 'p95(response\\_time\\_ms) &gt; 250', '300', '250']);
    assert.deepEqual(criteria[3].slice(2, 4), ['not measured', '1']);
    const requests = tableAfter(md, '### Requests');
    assert.deepEqual(requests.map((r) => r[0]), ['GetUser', '&lt;script&gt;alert("x")&lt;/script&gt; \\| GET /a&amp;b', '**All requests**']);
    assert.equal(requests[2][8], '300');
  });

  it('markdown: cancelled load test -> says the figures are partial', () => {
    const md = renderMarkdown(fixtures.loadTestCancelled());
    assert.match(md.split('\n')[0], /Error \(cancelled\)/);
    assert.match(md, /The run was cancelled;/);
  });

  it('markdown: stopped early -> the reason and the second', () => {
    assert.match(renderMarkdown(fixtures.loadTestOpenStoppedEarly()), /\*\*Stopped early at 4 s:\*\* percentage\(error\) &gt; 1, stop failed at 4 s/);
  });

  it('markdown: the generator\'s self-watch and the cloud sample log -> one line each, so a reader can judge the latencies', () => {
    const local = fixtures.loadTestPassed();
    local.metrics.generator = { cpuPercent: 97.5, eventLoopDelayP99Ms: 31, eventLoopDelayMaxMs: 48.2, cpuPressurePercent: 12 };
    assert.match(renderMarkdown(local), /\*\*Load generator:\*\* CPU 97\.5% of a core; event loop late by 31 ms at p99, 48\.2 ms at worst; the machine was short of CPU 12% of the time/);
    const cloud = fixtures.loadTestPassed();
    cloud.metrics.azure = { testRunId: 'run-1', sampleLog: { read: false, detail: 'Total: the log counts 950 requests, the service 1000; its histogram is not used' } };
    const md = renderMarkdown(cloud);
    assert.match(md, /\*\*Sample log:\*\* Total: the log counts 950 requests, the service 1000; its histogram is not used/);
    assert.doesNotMatch(md, /Load generator/, 'a run without a self-watch (Azure) shows none');
  });

  it('markdown: failed drill -> RTO and RPO against targets, the step timeline and the probes', () => {
    const md = renderMarkdown(fixtures.drillFailed());
    assert.deepEqual(tableAfter(md, '### Recovery objectives').map((r) => r.slice(1, 4)), [
      ['95.5 s', '60 s', '❌ missed'],
      ['2 s', '300 s', '✅ met'],
    ]);
    assert.deepEqual(tableAfter(md, '### Steps').map((r) => r[0]), ['preflight', 'backup', 'restore', 'probes']);
    assert.deepEqual(tableAfter(md, '### Probes').map((r) => r[2]), ['❌ failed', '✅ passed']);
  });

  it('markdown: cancelled drill -> unmeasured objectives and what was left behind', () => {
    const md = renderMarkdown(fixtures.drillCancelled());
    assert.equal(tableAfter(md, '### Recovery objectives')[0][3], '❌ not measured');
    assert.match(md, /Left behind: database drill\\_42/);
  });

  it('markdown: docs -> findings with file:line', () => {
    const rows = tableAfter(renderMarkdown(fixtures.docsFailed()), '### Findings');
    assert.deepEqual(rows[0].slice(0, 3), ['❌ error', 'docs/runbooks/restore.md:12', 'broken-link']);
    assert.equal(rows.length, 3);
  });

  it('markdown: gate -> scorecard with every check state and reason', () => {
    const rows = tableAfter(renderMarkdown(fixtures.gateNotReady()), '### Scorecard');
    assert.deepEqual(rows.map((r) => r[1]), ['✅ passed', '❌ failed', '🟡 waived', '❔ missing', '⌛ stale']);
    assert.equal(rows[1][2], 'RTO 95.5 s over the 60 s target');
  });

  it('markdown: links -> http(s) as links with parentheses encoded, other schemes as plain text', () => {
    const evidence = fixtures.gateReady();
    evidence.links = [
      { name: 'Dashboard', url: 'https://grafana.example.com/d/abc?var-x=(1)' },
      { name: 'Trick', url: 'javascript:alert(1)' },
    ];
    const md = renderMarkdown(evidence);
    assert.match(md, /- \[Dashboard\]\(https:\/\/grafana\.example\.com\/d\/abc\?var-x=%281%29\)/);
    assert.match(md, /- Trick \(javascript:alert\(1\)\)/);
  });
});

describe('markdown reporter: environment drills', () => {
  it('recreation drill -> environment RTO, leaks and drift as objectives, the leak named, a cost line, phases', () => {
    const text = renderMarkdown(fixtures.recreationFailed());
    assert.match(text, /\| Environment RTO \(apply start until probes passed\) \| 412\.5 s \| 900 s \| ✅ met \|/);
    assert.match(text, /\| Leaks after destroy \| 1 \| 0 \| ❌ missed \|/);
    assert.match(text, /\| Drift \(second plan\) \| 1 \| 0 \| ❌ missed \|/);
    assert.match(text, /\*\*Cost:\*\* about 0\.28 EUR over 0\.14 h \(2 x azurerm\\_linux\\_web\\_app at 1\/h = 0\.28\); no price for azurerm\\_resource\\_group/);
    assert.match(text, /### Phases/);
    assert.ok(!text.includes('<script>'), 'a hostile leak name is escaped');
  });

  it('rollback drill -> time to rollback and to recover, with the versions', () => {
    const text = renderMarkdown(fixtures.rollbackPassed());
    assert.match(text, /\| Time to rollback \| 95 s \| 300 s \| ✅ met \|/);
    assert.match(text, /\| Time to recover \| 80 s \| 300 s \| ✅ met \|/);
    assert.match(text, /\*\*Versions:\*\* previous 1\.4\.2, current 1\.5\.0/);
    assert.ok(!/RPO \(data lost\)/.test(text), 'no RPO row: a rollback loses no data by design');
  });
});
