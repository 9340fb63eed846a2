import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The demo's sample service: a small shop API on 127.0.0.1 with a few milliseconds of work per request,
 * so the load test has something real to measure. Routes match examples/loadtest/basic/requests.json.
 */
export interface SampleService {
  url: string;
  requests(): number;
  close(): Promise<void>;
}

const catalog = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, name: `Item ${i + 1}`, priceCents: 500 + i * 125 }));

export async function startSampleService(): Promise<SampleService> {
  let count = 0;
  const server = http.createServer((req, res) => {
    count++;
    const url = new URL(req.url ?? '/', 'http://localhost');
    // A little CPU work and a short wait stand in for a database call.
    const delayMs = url.pathname === '/catalog' ? 8 : 3;
    setTimeout(() => {
      if (url.pathname === '/' || url.pathname === '/health') {
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<h1>Sample shop</h1>');
      } else if (url.pathname === '/catalog') {
        const page = Math.max(1, Number(url.searchParams.get('page') ?? '1'));
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ page, items: catalog.slice((page - 1) * 10, page * 10) }));
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      }
    }, delayMs);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
