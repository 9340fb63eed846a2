import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ConfigError, InfrastructureError } from '../errors';
import { FileDocumentStore } from '../store/fileStore';
import { handleApprovalsApi, matchesApprovalsApi } from './approvalsApi';
import { handleBuildApi, matchesBuildApi } from './buildApi';
import { pipelinesStore } from './localPipelines';
import { handleExtensionData, matchesExtensionData } from './extensionDataApi';
import { decodePathPart, HttpError, sendError } from './http';
import { HOST_SCRIPT, HostConfig, hostPageHtml } from './hostPage';
import { checkHost, checkOrigin } from './requestGuard';
import type { ServeUser } from './signOffRules';

/**
 * `readiness serve`: the built hub, a host page that performs the SDK handshake, and the Azure DevOps
 * REST shapes the hub calls (extension data, build attachments), all backed by the local file store.
 * Loopback only: there is no login, the token handed to the framed hub is the only credential.
 */
export interface ServeOptions {
  storeDir: string;
  port?: number;
  host?: '127.0.0.1';
  hubDir: string;
  user?: ServeUser;
  onChange?: (service: string, environment: string) => Promise<void>;
  /** Where request failures are reported; stderr by default. */
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Publisher and extension id the local host reports; the data lives under them in the REST path. */
export const LOCAL_EXTENSION = Object.freeze({ publisherId: 'local', extensionId: 'production-readiness', version: '1.0.0' });
export const LOCAL_PROJECT = Object.freeze({ id: 'local', name: 'local' });
const CONTRIBUTIONS = ['readiness-hub', 'build-tab'] as const;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

async function serveStatic(hubDir: string, relative: string, res: ServerResponse): Promise<void> {
  const file = path.resolve(hubDir, relative);
  if (!file.startsWith(path.resolve(hubDir) + path.sep)) throw new HttpError(404, 'Not found.');
  let body: Buffer;
  try {
    body = await fs.readFile(file);
  } catch {
    throw new HttpError(404, `No hub file ${relative}.`);
  }
  res.writeHead(200, { 'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
  res.end(body);
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const hubDir = path.resolve(options.hubDir);
  const missing = CONTRIBUTIONS.filter((c) => !existsSync(path.join(hubDir, c, `${c}.html`)));
  if (missing.length) {
    throw new ConfigError(`The hub is not built in ${hubDir} (missing ${missing.join(', ')}). Run "npm run build" first.`);
  }
  const store = new FileDocumentStore(path.resolve(options.storeDir));
  const pipelines = pipelinesStore(path.resolve(options.storeDir));
  const user: ServeUser = options.user ?? { id: 'local-user', name: 'Local user', groups: [] };
  const token = randomBytes(24).toString('hex');
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let origin = '';
  let port = 0;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Before anything else, so a rebound name or another site's page gets nothing (src/serve/requestGuard.ts).
    const authority = checkHost(req, port);
    checkOrigin(req, authority);
    const url = new URL(req.url ?? '/', origin);
    const pathname = url.pathname;
    if (pathname === '/' || pathname === '/index.html') {
      res.writeHead(302, { Location: '/host/readiness-hub' }).end();
      return;
    }
    if (pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (pathname === '/host.js') {
      res.writeHead(200, { 'Content-Type': CONTENT_TYPES['.js'] }).end(HOST_SCRIPT);
      return;
    }
    const host = /^\/host\/([a-z-]+)\/?$/.exec(pathname);
    if (host) {
      const contribution = host[1] as HostConfig['contribution'];
      if (!CONTRIBUTIONS.includes(contribution)) throw new HttpError(404, `No contribution ${contribution}.`);
      const buildId = Number(url.searchParams.get('buildId') ?? '0');
      if (contribution === 'build-tab' && !(Number.isInteger(buildId) && buildId > 0)) {
        throw new HttpError(400, 'Open the build-results tab with ?buildId=<run id>.');
      }
      const config: HostConfig = {
        contribution,
        hubUrl: `/hub/${contribution}/${contribution}.html`,
        token,
        user,
        extension: { ...LOCAL_EXTENSION },
        project: { ...LOCAL_PROJECT },
        build: contribution === 'build-tab' ? { id: buildId } : undefined,
        theme: url.searchParams.get('theme') === 'dark' ? 'dark' : 'light',
      };
      res.writeHead(200, { 'Content-Type': CONTENT_TYPES['.html'], 'Cache-Control': 'no-store' }).end(hostPageHtml(config));
      return;
    }
    if (pathname.startsWith('/hub/')) return serveStatic(hubDir, decodePathPart(pathname.slice('/hub/'.length), 'hub file path'), res);

    const isData = matchesExtensionData(pathname);
    const isBuild = !isData && matchesBuildApi(pathname);
    const isApprovals = !isData && !isBuild && matchesApprovalsApi(pathname);
    if (!isData && !isBuild && !isApprovals) throw new HttpError(404, `Nothing is served at ${pathname}.`);
    // Same rule as Azure DevOps: no valid bearer token, no data.
    if (req.headers.authorization !== `Bearer ${token}`) {
      throw new HttpError(401, 'The request has no valid access token; open the hub through the host page.', 'UnauthorizedRequestException');
    }
    if (isData) return handleExtensionData(req, res, pathname, { store, user, onChange: options.onChange, log });
    if (isApprovals) return handleApprovalsApi(req, res, url, { pipelines, user, origin: `http://${authority}`, onChange: options.onChange, log });
    // Attachment links use the address the browser used, so the hub fetches them from its own origin.
    return handleBuildApi(pathname, `http://${authority}`, store, res);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.end();
      if (error instanceof HttpError) return sendError(res, error);
      log(`readiness serve: ${req.method} ${req.url} failed: ${error instanceof Error ? error.message : String(error)}`);
      sendError(res, new HttpError(500, 'The local server could not complete the request; see its log.'));
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new InfrastructureError(`Port ${options.port} on ${host} is already in use; choose another with --port.`, { cause: error })
          : new InfrastructureError(`Cannot listen on ${host}:${options.port ?? 0}: ${error.message}`, { cause: error }),
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  origin = `http://${host}:${port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
