import type { IncomingMessage } from 'node:http';
import { HttpError } from './http';

/**
 * Who may talk to `readiness serve`. The server has no login: the host page hands the hub a bearer token,
 * and anyone who can read that page can act as the local user. Two browser attacks could read or use it:
 *
 * - DNS rebinding: a web page at attacker.example re-points its name to 127.0.0.1 and then reads
 *   `/host/readiness-hub` as "same origin". The browser still sends `Host: attacker.example:<port>`, so only
 *   requests addressed to a loopback name are served (the defence named in RFC 9110 §7.2: a server must not
 *   answer for an authority it does not serve; 421 is the status for that).
 * - Cross-site writes: a page elsewhere cannot read the token, but a browser write always carries an `Origin`
 *   header (Fetch standard, "append a request Origin header"), so writes from any other origin are refused.
 */
export function loopbackAuthorities(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

/** Refuses a request whose Host header is not one of this server's loopback addresses. */
export function checkHost(req: IncomingMessage, port: number): string {
  const host = (req.headers.host ?? '').trim().toLowerCase();
  const allowed = loopbackAuthorities(port);
  if (!allowed.includes(host)) {
    const shown = req.headers.host === undefined ? 'no Host header' : `Host "${String(req.headers.host).slice(0, 100)}"`;
    throw new HttpError(
      421,
      `readiness serve answers only requests addressed to ${allowed.map((a) => `http://${a}`).join(', ')}; this request had ${shown}. ` +
        'Open the hub at the address the server printed.',
      'MisdirectedRequestException',
    );
  }
  return host;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** Refuses a write sent by a page of another origin (or an opaque one, `Origin: null`). */
export function checkOrigin(req: IncomingMessage, host: string): void {
  const origin = req.headers.origin;
  if (origin === undefined || SAFE_METHODS.has((req.method ?? 'GET').toUpperCase())) return;
  if (origin.toLowerCase() !== `http://${host}`) {
    throw new HttpError(
      403,
      `readiness serve refuses writes sent from another web page (Origin "${origin.slice(0, 100)}"); only the hub served at http://${host} may write.`,
      'CrossOriginRequestException',
    );
  }
}
