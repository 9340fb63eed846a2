import { constants, createPublicKey, verify, X509Certificate } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { statisticsOf, type SampleLogModel } from './altSampleLog';
import { testCertificates } from './tls';

/** Pieces of the Azure Load Testing emulator (altEmulator.ts) that hold no state. */

type Json = Record<string, unknown>;

/** The sample log behind DEFAULT_STATISTICS: the same requests and errors per sampler (altSampleLog.ts). */
export const DEFAULT_SAMPLE_LOG: SampleLogModel = {
  requests: [
    { label: 'home', count: 800, baseMs: 5, tailMs: 25 },
    { label: 'search', count: 400, baseMs: 9, tailMs: 55, errorEvery: 100, networkErrorEvery: 140 },
  ],
};

/**
 * Statistics the emulator reports at EXECUTED unless a test gives its own; field names of TestRunStatistics. Counts
 * and times are those of DEFAULT_SAMPLE_LOG, as the service computes them from the same samples (the sample log is
 * used only where it agrees with them); the throughput is a run of about 30 s.
 */
const DEFAULT_THROUGHPUT: Record<string, number> = { Total: 40.2, home: 26.8, search: 13.4 };
export const DEFAULT_STATISTICS: Record<string, Record<string, number>> = Object.fromEntries(
  Object.entries(statisticsOf(DEFAULT_SAMPLE_LOG)).map(([name, s]) => [name, { ...s, throughput: DEFAULT_THROUGHPUT[name] }]));

/** A certificate-credential assertion: a JWT signed (RS256 or PS256) with the test service principal's key. */
export function signedByClientCertificate(jwt: string): boolean {
  const [head, payload, signature] = jwt.split('.');
  if (!head || !payload || !signature) return false;
  const alg = (JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string }).alg;
  const key = createPublicKey(new X509Certificate(testCertificates().clientCertificatePem.slice(
    testCertificates().clientCertificatePem.indexOf('-----BEGIN CERTIFICATE-----'))).publicKey.export({ format: 'pem', type: 'spki' }));
  const data = Buffer.from(`${head}.${payload}`);
  const sig = Buffer.from(signature, 'base64url');
  if (alg === 'RS256') return verify('sha256', data, key, sig);
  if (alg === 'PS256') return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig);
  return false;
}

export function clientValue(s: Record<string, number>, metric: string, aggregate: string): number | undefined {
  if (metric === 'error') return s.errorPct;
  if (metric === 'requests') return s.sampleCount;
  if (metric === 'requests_per_sec') return s.throughput;
  const field = { avg: 'meanResTime', min: 'minResTime', max: 'maxResTime', p50: 'medianResTime', p75: 'pct75ResTime', p90: 'pct1ResTime',
    p95: 'pct2ResTime', p99: 'pct3ResTime', p96: 'pct96ResTime', p97: 'pct97ResTime', p98: 'pct98ResTime', 'p99.9': 'pct999ResTime',
    p999: 'pct999ResTime', 'p99.99': 'pct9999ResTime', p9999: 'pct9999ResTime' }[aggregate];
  if (!field || s[field] === undefined) return undefined;
  // The service measures latency (time to first byte) apart from the full response time; the emulator makes it 5 ms shorter.
  return metric === 'latency' ? s[field] - 5 : s[field];
}

/** RFC 7396 JSON merge patch: objects merge, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Json = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [k, v] of Object.entries(patch as Json)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
