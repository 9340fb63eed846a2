import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real loopback HTTP server for load tests: it counts what it receives, so a test can compare the engine's
 * figures with the server's, and it can add a fixed service time or stall periodically (the coordinated-omission
 * scenario). Listens on 127.0.0.1 only.
 */
export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TargetOptions {
  /**
   * Fixed delay before each response, in milliseconds; read per request, so a test may change it between runs.
   * Node's timers fire on whole milliseconds, so a fractional time is dithered: 20.2 waits 21 ms one time in
   * five and 20 ms otherwise, which averages 20.2 ms.
   */
  serviceTimeMs?: number;
  /** Holds every response that arrives during the first `forMs` of each `everyMs` period until the period's stall ends. */
  stall?: { everyMs: number; forMs: number };
  /** Never answers the Nth, 2Nth, ... request (counting all requests): a hung request. 1 = a fully stalled server. */
  neverAnswerEvery?: number;
  /** Custom answer; return undefined to fall through to the built-in routes. */
  route?: (req: SeenRequest) => { status?: number; body?: string; headers?: Record<string, string> } | undefined;
  /** Keep the last N requests in `seen` (default 1000); counting is always complete. */
  keep?: number;
}

export interface Target {
  url: string;
  port: number;
  /** Requests received, by `METHOD /path` (without the query string). */
  counts: Map<string, number>;
  total(): number;
  seen: SeenRequest[];
  /** When the server started (performance.now()), the origin of the stall periods. */
  startedAt: number;
  close(): Promise<void>;
}

/**
 * Built-in routes: `/status/<code>` answers that status; `/reset` drops the connection without answering; `/token` answers {"token": "tok-<n>", "user": {...}};
 * `/echo` answers the request back as JSON; anything else answers 200 "ok".
 */
export async function startTarget(options: TargetOptions = {}): Promise<Target> {
  const counts = new Map<string, number>();
  const seen: SeenRequest[] = [];
  const keep = options.keep ?? 1000;
  let total = 0;
  let tokens = 0;
  const startedAt = performance.now();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      total++;
      const pathOnly = (req.url ?? '/').split('?')[0];
      const key = `${req.method} ${pathOnly}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const seenRequest = { method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      if (seen.length >= keep) seen.shift();
      seen.push(seenRequest);
      if (pathOnly === '/reset') return void req.socket.destroy();
      if (options.neverAnswerEvery && total % options.neverAnswerEvery === 0) return; // close() destroys the socket
      const custom = options.route?.(seenRequest);
      let status = 200;
      let body = 'ok';
      let headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (custom) {
        status = custom.status ?? 200;
        body = custom.body ?? '';
        headers = custom.headers ?? headers;
      } else if (pathOnly.startsWith('/status/')) {
        status = Number(pathOnly.slice(8)) || 500;
      } else if (pathOnly === '/token') {
        tokens++;
        body = JSON.stringify({ token: `tok-${tokens}`, user: { id: tokens, roles: ['reader'] } });
        headers = { 'content-type': 'application/json' };
      } else if (pathOnly === '/echo') {
        body = JSON.stringify(seenRequest);
        headers = { 'content-type': 'application/json' };
      }
      const send = () => {
        res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      const serviceTime = options.serviceTimeMs ?? 0;
      let delay = Math.floor(serviceTime) + (Math.random() < serviceTime - Math.floor(serviceTime) ? 1 : 0);
      if (options.stall) {
        const phase = (performance.now() - startedAt) % options.stall.everyMs;
        if (phase < options.stall.forMs) delay += options.stall.forMs - phase;
      }
      if (delay > 0) setTimeout(send, delay);
      else send();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.maxRequestsPerSocket = 0;
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counts,
    total: () => total,
    seen,
    startedAt,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
