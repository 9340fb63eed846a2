import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http';

/**
 * Who is the page `readiness serve` served. The server has no login, so its credential must reach only the browser
 * page, never another local process:
 *
 * - The CLI prints a **sign-in link** carrying a one-time code. Opening it trades the code for a session and the
 *   code dies, so a process that reads the terminal afterwards holds nothing usable.
 * - The session lives in an **HttpOnly, SameSite=Strict cookie** (RFC 6265bis §4.1.2.7): page scripts cannot read
 *   it, and the browser sends it only with requests from the server's own pages. Cookies ignore the port (RFC 6265
 *   §8.5), so its name carries the port and two servers on one machine never overwrite each other's.
 * - The host page no longer holds any secret: `getAccessToken` answers a placeholder, and reading the host page
 *   with curl yields nothing that opens the API.
 *
 * The session value is also accepted as `Authorization: Bearer` for tools that were handed it in-process (tests);
 * nothing ever prints it.
 */
export const PLACEHOLDER_TOKEN = 'session-cookie';

export class LocalSessions {
  private readonly codes = new Set<string>();
  private readonly sessions = new Set<string>();

  constructor(private readonly port: () => number) {}

  get cookieName(): string {
    return `readiness_session_${this.port()}`;
  }

  /** A fresh one-time code. Only the process that started the server can call this; no route mints one. */
  issueCode(): string {
    const code = randomBytes(24).toString('base64url');
    this.codes.add(code);
    return code;
  }

  /**
   * `GET /session?signin=…&next=/host/…`: a valid unused code (or an existing session) sets the cookie and redirects
   * to `next`; anything else is 401 with what to do.
   */
  signIn(req: IncomingMessage, url: URL, res: ServerResponse): void {
    const next = url.searchParams.get('next') ?? '/host/readiness-hub';
    // Only our own host pages, so the link cannot be turned into an open redirect.
    const target = /^\/host\/[a-z-]+(\?[^#\\]*)?$/.test(next) ? next : '/host/readiness-hub';
    // Not `code=`: the secret mask (src/redact/secretMask.ts) hides `code=` values by shape, and this link must be
    // printed once, on purpose; its single use is what protects it.
    const code = url.searchParams.get('signin') ?? '';
    if (this.sessionOf(req)) {
      res.writeHead(302, { Location: target, 'Cache-Control': 'no-store' }).end();
      return;
    }
    if (!this.codes.delete(code)) {
      throw new HttpError(401, 'This sign-in link was already used or is not valid. Each link printed by readiness serve opens one browser once; stop the server (Ctrl+C) and start it again for a new link.', 'UnauthorizedRequestException');
    }
    const session = randomBytes(32).toString('base64url');
    this.sessions.add(session);
    res.writeHead(302, {
      Location: target,
      'Cache-Control': 'no-store',
      'Set-Cookie': `${this.cookieName}=${session}; HttpOnly; SameSite=Strict; Path=/`,
    }).end();
  }

  /** How the request proves its session: by the browser's cookie, by a bearer header, or not at all. */
  sessionOf(req: IncomingMessage): 'cookie' | 'bearer' | undefined {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer && this.isSession(bearer)) return 'bearer';
    const cookie = (req.headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith(`${this.cookieName}=`));
    if (cookie && this.isSession(cookie.slice(this.cookieName.length + 1))) return 'cookie';
    return undefined;
  }

  private isSession(candidate: string): boolean {
    const given = Buffer.from(candidate);
    for (const session of this.sessions) {
      const known = Buffer.from(session);
      if (known.length === given.length && timingSafeEqual(known, given)) return true;
    }
    return false;
  }
}

/**
 * Headers on every answer: no MIME sniffing, no referrer (a sign-in link must not leak), and no framing by other
 * sites (clickjacking a sign-off button). The host page frames the hub, so hub files may be framed by this origin
 * only; everything else by nobody. Both headers are sent: CSP `frame-ancestors` (CSP Level 2) for current
 * browsers, `X-Frame-Options` (RFC 7034) for older ones.
 */
export function setSecurityHeaders(res: ServerResponse, framedBySelf: boolean): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', framedBySelf ? 'SAMEORIGIN' : 'DENY');
  res.setHeader('Content-Security-Policy', `frame-ancestors ${framedBySelf ? "'self'" : "'none'"}`);
}
