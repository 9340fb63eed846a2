import * as assert from 'node:assert/strict';
import { renderHtml, renderJUnit, renderMarkdown } from '../../src/evidence/render';
import { judgeAgainstBaseline } from '../../src/regression/apply';
import { formatComparison } from '../../src/regression/table';
import { at, seeded, simulatedRun } from './fixtures';

/** A run at 24 ms against three at 20 ms, with a request name that tries to break tables and markup. */
function regressedRun() {
  const random = seeded(3);
  const rename = <T extends { metrics: { requests: Array<{ name: string }> } }>(e: T): T => {
    e.metrics.requests[0].name = 'Get|<b>Item</b>';
    return e;
  };
  const baseline = [0, 1, 2].map((i) => rename(simulatedRun({ medianMs: 20, requests: 2000, finishedAt: at(i), random })));
  const run = rename(simulatedRun({ medianMs: 24, requests: 2000, finishedAt: at(9), random }));
  return judgeAgainstBaseline(run, baseline, []);
}

describe('regression/render', () => {
  const judged = regressedRun();

  it('render: markdown summary -> the verdict, one escaped row per figure, the reason for each regression', () => {
    const text = renderMarkdown(judged);
    assert.match(text, /### Against the baseline: ❌ regressed/);
    assert.match(text, /\| Get\\\|&lt;b&gt;Item&lt;\/b&gt; \| p95 \| 2\d\.\d+ \(2\d/);
    assert.match(text, /- \*\*Get\\\|&lt;b&gt;Item&lt;\/b&gt; p95\*\* regressed: \+\d/);
    assert.doesNotMatch(text, /<b>/);
  });

  it('render: JUnit -> one failed case per regressed figure, named by request and figure', () => {
    const xml = renderJUnit(judged);
    assert.match(xml, /<testcase [^>]*name="baseline: Get\|&lt;b&gt;Item&lt;\/b&gt; p95"[^>]*>\s*<failure message="Get\|&lt;b&gt;Item&lt;\/b&gt; p95 regressed: \+/);
    assert.match(xml, /name="baseline: Total error"[^>]*>\s*<system-out>Total error unchanged/);
  });

  it('render: HTML report -> a baseline section with verdict pills, user text escaped', () => {
    const html = renderHtml(judged);
    assert.match(html, /Against the baseline: regressed/);
    assert.match(html, /<span class="pill failed">regressed<\/span>/);
    assert.match(html, /Get\|&lt;b&gt;Item&lt;\/b&gt;/);
    assert.doesNotMatch(html, /<b>Item/);
  });

  it('render: CLI table -> a header, aligned rows, and the notes of what is not unchanged', () => {
    const text = formatComparison(judged.metrics.regression!);
    const lines = text.split('\n');
    assert.match(lines[0], /^Baseline comparison: Regressed against 3 baseline runs/);
    assert.match(lines[1], /^Request\s+Figure\s+Baseline mean \(range, runs\)\s+This run\s+Change\s+90% interval\s+Threshold\s+Verdict$/);
    assert.match(text, /\n {2}Get\|<b>Item<\/b> p95 regressed: \+\d/);
  });
});
