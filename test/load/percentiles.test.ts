import * as assert from 'node:assert/strict';
import { newHistogram, percentiles } from '../../src/load/engine/recorder';

/** The one-pass percentiles must give exactly what hdr-histogram-js gives, percentile by percentile, and its mean. */
describe('load/recorder percentiles', () => {
  const wanted = [0.1, 50, 75, 90, 95, 96, 97, 98, 99, 99.9, 99.99, 100];
  const shapes: Array<{ name: string; values: () => number[] }> = [
    { name: 'uniform microseconds', values: () => Array.from({ length: 5000 }, (_, i) => 100 + ((i * 7919) % 20000)) },
    { name: 'long tail up to a minute', values: () => Array.from({ length: 3000 }, (_, i) => Math.round(500 * Math.exp((i % 300) / 25))) },
    { name: 'one value', values: () => [4242] },
    { name: 'two clusters and a stall', values: () => [...Array(990).fill(1200), ...Array(9).fill(250_000), 59_000_000] },
  ];
  for (const shape of shapes) {
    it(`percentiles: ${shape.name} -> the library's values and mean`, () => {
      const h = newHistogram();
      for (const v of shape.values()) h.recordValue(v);
      const got = percentiles(h, wanted);
      assert.deepEqual(got.slice(0, wanted.length), wanted.map((p) => h.getValueAtPercentile(p)));
      assert.ok(Math.abs(got[wanted.length] - h.mean) <= 1e-6 * h.mean, `${got[wanted.length]} vs ${h.mean}`);
      assert.deepEqual(percentiles(h, wanted, false).slice(0, wanted.length), got.slice(0, wanted.length), 'without the mean');
    });
  }
  it('percentiles: empty histogram -> zeros', () => assert.deepEqual(percentiles(newHistogram(), [50, 99]), [0, 0, 0]));
});
