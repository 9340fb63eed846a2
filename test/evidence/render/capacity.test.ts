import { strict as assert } from 'node:assert';
import { renderHtml, renderJUnit, renderMarkdown } from '../../../src/evidence/render';
import { capacityEvidence } from '../../capacity/fixtures';

describe('evidence/render: capacity', () => {
  it('markdown: the curve as bars with the knee line between the last good and the first bad rate, and every probe in a table', () => {
    const md = renderMarkdown(capacityEvidence('found'));
    assert.match(md, /Capacity search: Passed/);
    const bars = md.split('```text\n')[1].split('```')[0].trim().split('\n');
    const knee = bars.findIndex((l) => l.includes('knee 250 rps'));
    assert.ok(knee > 0, md);
    assert.match(bars[knee - 1], /^\s+250 rps/);
    assert.match(bars[knee + 1], /^\s+262\.5 rps .*x broke/);
    assert.match(md, /\| bisect \| 262\.5 \| 250 \| 64 \| 128 \| 166\.4 \| 0 \(0%\) \| 8% \| broke: service level \(latency\) \|/);
    assert.match(md, /\| First to break \| service level \(latency\) at 262\.5 requests\/s: The p95 was 128 ms \|/);
  });

  it('markdown and HTML: user text (service name, criterion) is escaped', () => {
    const e = capacityEvidence('found', 'shop|<script>x</script>');
    e.metrics.serviceLevel = ['p95(response_time_ms) > 80 | <b>'];
    const md = renderMarkdown(e);
    assert.doesNotMatch(md, /<script>|<b>/);
    const html = renderHtml(e);
    assert.doesNotMatch(html, /<script>x|<b>/);
    assert.match(html, /&lt;script&gt;/);
  });

  it('HTML: two SVG curves with the knee line; generator-bound shows its advice as a note', () => {
    const html = renderHtml(capacityEvidence('found'));
    assert.equal(html.match(/<svg class="chart capacity-curve"/g)?.length, 2);
    assert.equal(html.match(/<line class="knee"/g)?.length, 2);
    const gen = renderHtml(capacityEvidence('generator-bound'));
    assert.match(gen, /<div class="note">Generator-bound: To go further/);
    assert.match(gen, /generator limit 100 rps/);
  });

  it('JUnit: a generator-bound search (verdict error) is an error case, never a clean pass', () => {
    const xml = renderJUnit(capacityEvidence('generator-bound'));
    assert.match(xml, /<testcase [^>]*name="capacity search completed"[^>]*>\s*<error /);
  });
});
