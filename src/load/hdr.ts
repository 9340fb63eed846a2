import type { Histogram } from 'hdr-histogram-js';
import Int32Histogram from 'hdr-histogram-js/dist/Int32Histogram';

/**
 * The parts of hdr-histogram-js the engine and the regression check use, loaded from the library's own modules.
 * Its index also loads the WebAssembly build (a large base64 string), the log reader and writer and the encoders,
 * about 70 ms of CPU at the start of every CLI run (bench/generator-cost.ts); the encoders load here only when
 * a histogram is encoded or decoded.
 */
interface Encoding {
  decompress(data: Uint8Array): Uint8Array;
  doDecode(data: Uint8Array, bitBucketSize?: number, minBarForHighestTrackableValue?: number): Histogram;
}

/** Microseconds, 3 significant digits, 32-bit buckets, JS implementation, auto-resize: what `build()` makes with these options. */
export function newHistogram(): Histogram {
  // No WebAssembly start-up, and auto-resize keeps stalls of minutes exact.
  const histogram = new Int32Histogram(1, 60_000_000, 3);
  histogram.autoResize = true;
  return histogram;
}

/** The library's compressed base64 (V2) encoding, as `encodeIntoCompressedBase64(histogram)` gives it. */
export function encodeHistogram(histogram: Histogram): string {
  encoding();
  return (histogram as unknown as { encodeIntoCompressedBase64(): string }).encodeIntoCompressedBase64();
}

/** The reverse, as `decodeFromCompressedBase64(encoded, 32, false)` does it. Throws on a bad encoding. */
export function decodeHistogram(encoded: string): Histogram {
  const { decompress, doDecode } = encoding();
  return doDecode(decompress(new Uint8Array(Buffer.from(encoded.trim(), 'base64'))), 32, 0);
}

function encoding(): Encoding {
  // Loading it also installs the encoder on JsHistogram's prototype.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('hdr-histogram-js/dist/JsHistogram.encoding') as Encoding;
}
