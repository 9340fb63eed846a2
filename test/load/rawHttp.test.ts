import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { RawHttpClient, type RawHandler } from '../../src/load/engine/rawHttp';
import { dispatchOptions } from '../../src/load/engine/virtualUser';

/** A raw TCP server that answers each request with the given byte pieces, written with small pauses between. */
async function rawServer(pieces: (request: string) => string[]): Promise<{ origin: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buffered = '';
    socket.on('data', async (d) => {
      buffered += d.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(buffered)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      const request = buffered.slice(0, end + 4 + length);
      buffered = buffered.slice(request.length);
      requests.push(request);
      for (const piece of pieces(request)) {
        if (piece === 'CLOSE') return void socket.end();
        socket.write(Buffer.from(piece, 'latin1'));
        await new Promise((r) => setTimeout(r, 5));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/** Sends one request and resolves with what the handler saw. */
function send(client: RawHttpClient, method = 'GET', body?: string): Promise<{ status: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    let status = 0;
    const chunks: Buffer[] = [];
    const handler: RawHandler = {
      wantsBody: true,
      onResponseStart: (_c, s) => void (status = s),
      onResponseData: (_c, chunk) => void chunks.push(Buffer.from(chunk)),
      onResponseEnd: () => resolve({ status, body: Buffer.concat(chunks).toString() }),
      onResponseError: (_c, e) => resolve({ status, body: '', error: (e as NodeJS.ErrnoException).code }),
    };
    client.dispatch(dispatchOptions(method, '/p?q=1', ['x-test', 'yes'], body, 500), handler);
  });
}

describe('load/rawHttp', () => {
  const cases: Array<{ name: string; pieces: string[]; method?: string; status: number; body: string }> = [
    { name: 'content-length split over three writes', pieces: ['HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 5\r\n\r\nhel', 'lo'], status: 200, body: 'hello' },
    { name: 'chunked with extensions and trailers', pieces: ['HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n', '2\r\nde\r\n0\r\nx-t: 1\r\n\r\n'], status: 201, body: 'abcde' },
    { name: '100 Continue before the real head', pieces: ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'], status: 200, body: 'ok' },
    { name: '204 without a body', pieces: ['HTTP/1.1 204 No Content\r\n\r\n'], status: 204, body: '' },
    { name: 'HEAD with a content-length and no body', method: 'HEAD', pieces: ['HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n'], status: 200, body: '' },
    { name: 'no length: body until the server closes', pieces: ['HTTP/1.1 500 Oops\r\nconnection: close\r\n\r\nbroken', 'CLOSE'], status: 500, body: 'broken' },
  ];
  for (const c of cases) {
    it(`rawHttp: ${c.name} -> status ${c.status}, body read exactly, connection reusable`, async () => {
      const server = await rawServer(() => c.pieces);
      const client = new RawHttpClient(server.origin, { connectTimeoutMs: 1000 }, 1000);
      try {
        for (let round = 0; round < 2; round++) assert.deepEqual(await send(client, c.method), { status: c.status, body: c.body });
        assert.match(server.requests[0], new RegExp(`^${c.method ?? 'GET'} /p\\?q=1 HTTP/1\\.1\r\nx-test: yes\r\nhost: 127\\.0\\.0\\.1:\\d+\r\n\r\n$`));
      } finally {
        await client.destroy();
        await server.close();
      }
    });
  }

  it('rawHttp: POST body -> content-length set and the body sent', async () => {
    const server = await rawServer(() => ['HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n']);
    const client = new RawHttpClient(server.origin, { connectTimeoutMs: 1000 });
    await send(client, 'POST', '{"a":"é"}');
    assert.match(server.requests[0], /content-length: 10\r\n\r\n\{"a":"Ã©"\}$/);
    await client.destroy();
    await server.close();
  });

  it('rawHttp: server never answers -> timeout error after the request timeout', async () => {
    const server = await rawServer(() => []);
    const client = new RawHttpClient(server.origin, { connectTimeoutMs: 1000 }, 300);
    const started = Date.now();
    assert.deepEqual(await send(client), { status: 0, body: '', error: 'UND_ERR_HEADERS_TIMEOUT' });
    assert.ok(Date.now() - started >= 250);
    await client.destroy();
    await server.close();
  });

  it('rawHttp: server drops the connection mid-response -> network error, next request reconnects', async () => {
    let n = 0;
    const server = await rawServer(() => (++n === 1 ? ['HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc', 'CLOSE'] : ['HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok']));
    const client = new RawHttpClient(server.origin, { connectTimeoutMs: 1000 });
    assert.equal((await send(client)).error, 'UND_ERR_SOCKET');
    assert.deepEqual(await send(client), { status: 200, body: 'ok' });
    await client.destroy();
    await server.close();
  });

  it('rawHttp: keep-alive connection closed by the server as the next GET is written -> sent again on a new connection', async () => {
    const requestsPerConnection = new WeakMap<net.Socket, number>();
    let seen = 0;
    const server = net.createServer((socket) => {
      socket.on('data', () => {
        seen++;
        const n = (requestsPerConnection.get(socket) ?? 0) + 1;
        requestsPerConnection.set(socket, n);
        if (n === 2) return void socket.destroy(); // the idle-timeout race: the request dies unanswered
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = new RawHttpClient(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, { connectTimeoutMs: 1000 });
    assert.deepEqual(await send(client), { status: 200, body: 'ok' });
    assert.deepEqual(await send(client), { status: 200, body: 'ok' });
    assert.equal(seen, 3);
    await client.destroy();
    server.close();
  });

  it('rawHttp: the same race on a POST -> a network error, never a second POST', async () => {
    let seen = 0;
    const server = net.createServer((socket) => {
      let n = 0;
      socket.on('data', () => {
        seen++;
        if (++n === 2) return void socket.destroy();
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = new RawHttpClient(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, { connectTimeoutMs: 1000 });
    assert.equal((await send(client, 'POST', 'x')).status, 200);
    assert.match(String((await send(client, 'POST', 'x')).error), /^(UND_ERR_SOCKET|ECONNRESET|EPIPE)$/);
    assert.equal(seen, 2);
    await client.destroy();
    server.close();
  });
});
