import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createAzureDevOpsClient } from '../../src/azdo/client';
import { proxyFetch } from '../../src/azdo/proxy';
import { ConfigError, InfrastructureError } from '../../src/errors';
import { EVIDENCE_ATTACHMENT_TYPE } from '../../src/evidence/types';
import { type AzdoEmulator, startAzdoEmulator } from '../support/azdoEmulator';

const TOKEN = 'job-token-proxy-31';

/** A real loopback forward proxy: CONNECT tunnels, optional Basic proxy credentials, and a log of what it relayed. */
async function startProxy(credentials?: string): Promise<{ url: string; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const expected = credentials ? `Basic ${Buffer.from(credentials).toString('base64')}` : undefined;
    if (expected && req.headers['proxy-authorization'] !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('azdo proxy', () => {
  let emulator: AzdoEmulator;
  beforeEach(async () => {
    emulator = await startAzdoEmulator({ accessToken: TOKEN });
    emulator.addAttachment(8, EVIDENCE_ATTACHMENT_TYPE, 'e.json', '{"ok":true}');
  });
  afterEach(() => emulator.close());

  const clientWith = (fetch: ReturnType<typeof proxyFetch>) => createAzureDevOpsClient({
    collectionUri: emulator.collectionUri, project: emulator.project, accessToken: TOKEN,
    publisher: emulator.publisher, extensionId: emulator.extensionId, fetch, maxRetries: 0,
  });

  it('agent proxy with credentials: requests are tunnelled through it and succeed', async () => {
    const proxy = await startProxy('agent:pr0xy');
    try {
      const client = clientWith(proxyFetch({ proxyUrl: proxy.url, proxyUsername: 'agent', proxyPassword: 'pr0xy' }));
      const [attachment] = await client.listBuildAttachments(8, EVIDENCE_ATTACHMENT_TYPE);
      assert.equal((await client.getAttachmentContent(attachment.href)).toString(), '{"ok":true}');
      assert.ok(proxy.tunnels.length >= 1);
      assert.ok(proxy.tunnels.every((t) => t === new URL(emulator.url).host));
    } finally {
      await proxy.close();
    }
  });

  it('agent proxy with wrong credentials -> InfrastructureError naming the 407, no token or password in it', async () => {
    const proxy = await startProxy('agent:pr0xy');
    try {
      const client = clientWith(proxyFetch({ proxyUrl: proxy.url, proxyUsername: 'agent', proxyPassword: 'wrong' }));
      await assert.rejects(client.listBuilds({ top: 1 }), (error: unknown) =>
        error instanceof InfrastructureError && /proxy refused its credentials \(407\)/.test(error.message)
          && !error.message.includes(TOKEN) && !error.message.includes('wrong'));
      assert.deepEqual(proxy.tunnels, []);
    } finally {
      await proxy.close();
    }
  });

  it('bypass list matching the host: requests go direct, the proxy sees nothing', async () => {
    const proxy = await startProxy();
    try {
      const client = clientWith(proxyFetch({ proxyUrl: proxy.url, proxyBypassHosts: ['127\\.0\\.0\\.1'] }));
      assert.equal((await client.listBuildAttachments(8, EVIDENCE_ATTACHMENT_TYPE)).length, 1);
      assert.deepEqual(proxy.tunnels, []);
    } finally {
      await proxy.close();
    }
  });

  it('no proxy configured -> undefined (Node fetch); a bad proxy URL or bypass pattern -> ConfigError', () => {
    assert.equal(proxyFetch(undefined), undefined);
    assert.equal(proxyFetch({ proxyUrl: '' }), undefined);
    assert.throws(() => proxyFetch({ proxyUrl: 'not a url' }), ConfigError);
    assert.throws(() => proxyFetch({ proxyUrl: 'http://127.0.0.1:1', proxyBypassHosts: ['(unclosed'] }), /ProxyBypassList: "\(unclosed"/);
  });
});
