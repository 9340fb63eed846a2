import { constants, createPublicKey, verify, X509Certificate } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { SampleLogModel } from './altSampleLog';
import { testCertificates } from './tls';

/** Pieces of the Azure Load Testing emulator (altEmulator.ts) that hold no state. */

type Json = Record<string, unknown>;

/** Statistics the emulator reports at EXECUTED unless a test gives its own; field names of TestRunStatistics. */
export const DEFAULT_STATISTICS: Record<string, Record<string, number>> = {
  Total: { sampleCount: 1200, errorCount: 6, errorPct: 0.5, meanResTime: 42, medianResTime: 38, minResTime: 5, maxResTime: 310,
    pct75ResTime: 55, pct1ResTime: 80, pct2ResTime: 120, pct3ResTime: 250, pct96ResTime: 130, pct97ResTime: 150, pct98ResTime: 190, pct999ResTime: 300, pct9999ResTime: 309, throughput: 40.2 },
  home: { sampleCount: 800, errorCount: 0, errorPct: 0, meanResTime: 30, medianResTime: 28, minResTime: 5, maxResTime: 200,
    pct75ResTime: 40, pct1ResTime: 60, pct2ResTime: 90, pct3ResTime: 150, pct96ResTime: 95, pct97ResTime: 100, pct98ResTime: 120, pct999ResTime: 190, pct9999ResTime: 199, throughput: 26.8 },
  search: { sampleCount: 400, errorCount: 6, errorPct: 1.5, meanResTime: 66, medianResTime: 60, minResTime: 9, maxResTime: 310,
    pct75ResTime: 80, pct1ResTime: 110, pct2ResTime: 180, pct3ResTime: 260, pct96ResTime: 190, pct97ResTime: 200, pct98ResTime: 230, pct999ResTime: 305, pct9999ResTime: 309, throughput: 13.4 },
};

/** The sample log behind DEFAULT_STATISTICS: the same requests and errors per sampler (altSampleLog.ts). */
export const DEFAULT_SAMPLE_LOG: SampleLogModel = {
  requests: [
    { label: 'home', count: 800, baseMs: 5, tailMs: 25 },
    { label: 'search', count: 400, baseMs: 9, tailMs: 55, errorEvery: 100, networkErrorEvery: 140 },
  ],
};

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
