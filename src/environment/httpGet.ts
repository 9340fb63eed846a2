import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  latencyMs: number;
}

/** At most this much of a body is kept: a health answer is small, and a huge page must not exhaust memory. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * One GET, with certificate verification on (an extra CA is trusted on top of the system roots, never instead of
 * verification), a whole-request timeout and cancellation. Redirects are not followed: a health endpoint that
 * redirects is reported as its own status, and security headers are graded on the page asked for.
 */
export function httpGet(url: string, options: { ca?: string; headers?: Record<string, string>; timeoutMs: number; signal?: AbortSignal }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'GET',
        headers: { 'user-agent': 'production-readiness-environment-check', accept: 'application/json, text/html;q=0.9, */*;q=0.8', ...options.headers },
        ca: options.ca ? [...rootCertificates, options.ca] : undefined,
        signal: options.signal,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_BODY_BYTES) chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), latencyMs: performance.now() - started });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no complete answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })), options.timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

/** A network or TLS error as a short phrase: its code and message, e.g. `ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9`. */
export function describeNetworkError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code && !String(e.message).includes(e.code) ? `${e.code} ${e.message}` : String(e?.message ?? error);
}
