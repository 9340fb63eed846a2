import * as net from 'node:net';
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
    lastError = await connectOnce(host, port, deadline - Date.now());
    if (!lastError) return undefined;
    // Refused: the service may still be starting, so try again shortly. Anything else is final.
    if (lastError.code !== 'ECONNREFUSED') break;
    await new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, deadline - Date.now()))));
  }
  return `${origin} (${lastError?.code ?? 'timeout'}: ${lastError?.message ?? 'no answer'})`;
}

function connectOnce(host: string, port: number, timeoutMs: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Object.assign(new Error(`no answer from ${host}:${port} within ${Math.round(timeoutMs)} ms`), { code: 'ETIMEDOUT' }));
    }, Math.max(1, timeoutMs));
    socket.once('connect', () => {
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
