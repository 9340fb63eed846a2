import assert from 'node:assert/strict';
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { decodeHistogram, encodeHistogram, newHistogram } from '../../src/load/hdr';

/** src/load/hdr.ts reaches into the library's modules to skip its index; it must behave exactly like the index. */
describe('hdr histograms without the library index', () => {
  const fill = (h: Histogram) => {
    for (let i = 1; i <= 5000; i++) h.recordValue(Math.round(50 + (i % 97) * 13.7 + (i % 7 === 0 ? i * 31 : 0)));
    h.recordValue(45_000_000); // a stall of 45 s
    h.recordValue(90_000_000); // beyond the highest trackable value: auto-resize keeps it
    return h;
  };
  const ours = fill(newHistogram());
  const library = fill(build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly: false }));

  it('hdr: newHistogram -> the same counts, percentiles and bounds as build() with the same options', () => {
    assert.equal(ours.totalCount, library.totalCount);
    assert.equal(ours.maxValue, library.maxValue);
    assert.equal(ours.minNonZeroValue, library.minNonZeroValue);
    for (const p of [0, 50, 90, 99, 99.9, 100]) assert.equal(ours.getValueAtPercentile(p), library.getValueAtPercentile(p), `p${p}`);
    assert.equal(ours.constructor, library.constructor);
  });

  it('hdr: encodeHistogram -> the same text as encodeIntoCompressedBase64', () => {
    assert.equal(encodeHistogram(ours), encodeIntoCompressedBase64(library));
  });

  it('hdr: decodeHistogram of an encoded histogram -> what decodeFromCompressedBase64 gives', () => {
    const encoded = `${encodeIntoCompressedBase64(library)}\n`;
    const a = decodeHistogram(encoded);
    const b = decodeFromCompressedBase64(encoded, 32, false);
    assert.equal(a.totalCount, b.totalCount);
    for (const p of [1, 50, 99, 100]) assert.equal(a.getValueAtPercentile(p), b.getValueAtPercentile(p), `p${p}`);
    assert.equal(encodeHistogram(a), encodeIntoCompressedBase64(b));
  });

  it('hdr: decodeHistogram of text that is not a histogram -> throws', () => {
    assert.throws(() => decodeHistogram('bm90IGEgaGlzdG9ncmFt'));
  });
});
