import * as net from 'node:net';
import * as tls from 'node:tls';
import { InfrastructureError } from '../../errors';

/**
 * Before any load: can we open a TCP connection to every target origin? A service that is still starting gets
 * until `timeoutMs`; after that the run ends with an InfrastructureError (exit code 3) naming the address and
 * the cause, instead of a test full of connection errors.
 */
export async function checkReachable(origins: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const failures = (await Promise.all(origins.map((o) => tryOrigin(o, timeoutMs, signal)))).filter((f): f is string => f !== undefined);
  if (failures.length) {
    throw new InfrastructureError(
      `Cannot reach the target${failures.length > 1 ? 's' : ''} within ${timeoutMs / 1000} s: ${failures.join('; ')}. ` +
        'Check that the service is running and that this agent can reach it (address, port, firewall, DNS).',
    );
  }
}

async function tryOrigin(origin: string, timeoutMs: number, signal?: AbortSignal): Promise<string | undefined> {
  const url = new URL(origin);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const deadline = Date.now() + timeoutMs;
  let lastError: NodeJS.ErrnoException | undefined;
  while (Date.now() < deadline && !signal?.aborted) {
    lastError = await connectOnce(host, port, deadline - Date.now(), url.protocol === 'https:');
    if (!lastError) return undefined;
    // Refused: the service may still be starting, so try again shortly. Anything else is final.
    if (lastError.code !== 'ECONNREFUSED') break;
    await new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, deadline - Date.now()))));
  }
  const remedy = lastError?.code && TLS_TRUST_CODES.has(lastError.code)
    ? '; the certificate is not trusted: for a private CA set NODE_EXTRA_CA_CERTS to its PEM file (checks are never turned off)'
    : '';
  return `${origin} (${lastError?.code ?? 'timeout'}: ${lastError?.message ?? 'no answer'}${remedy})`;
}

const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** TCP for http; for https also the TLS handshake, so an untrusted certificate is found before the run. */
function connectOnce(host: string, port: number, timeoutMs: number, secure: boolean): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const socket = secure
      ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }) })
      : net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Object.assign(new Error(`no answer from ${host}:${port} within ${Math.round(timeoutMs)} ms`), { code: 'ETIMEDOUT' }));
    }, Math.max(1, timeoutMs));
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error);
    });
  });
}
