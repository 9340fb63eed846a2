import { existsSync, mkdtempSync, promises as fs, readdirSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrowserContext, chromium, Frame, Page } from 'playwright-core';
import { buildHub } from '../../hub/build';

/**
 * Headless Chromium from Debian's `chromium` package, driven by playwright-core, with a fresh profile
 * per launch and the background services that would phone home turned off.
 */
export const CHROMIUM = process.env.READINESS_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const repoRoot = path.resolve(__dirname, '..', '..');
export const hubDist = path.join(repoRoot, 'dist', 'hub');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds dist/hub when it is missing or older than the hub or engine sources it bundles. */
export async function ensureHubBuilt(): Promise<string> {
  const marker = path.join(hubDist, 'readiness-hub', 'readiness-hub.js');
  const sources = Math.max(newestMtime(path.join(repoRoot, 'hub')), newestMtime(path.join(repoRoot, 'src')));
  if (!existsSync(marker) || statSync(marker).mtimeMs < sources) await buildHub({ outDir: hubDist });
  return hubDist;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'readiness-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 860 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}

/** The hub's frame inside the local host page, once the SDK handshake is done and the hub said it loaded. */
export async function hubFrame(page: Page): Promise<Frame> {
  await page.waitForSelector('body[data-hub-loaded]', { timeout: 20_000 });
  const frame = page.frame({ url: /\/hub\// });
  if (!frame) throw new Error('the host page has no hub frame');
  return frame;
}

/**
 * Signs in with a one-time link from `readiness serve` (RunningServer.signInUrl(), or the link the CLI printed), as
 * the browser does, and returns the session from the HttpOnly cookie; tests send it as a bearer token to read the
 * REST API directly. The host page itself holds no credential any more.
 */
export async function sessionToken(signInLink: string): Promise<string> {
  const res = await fetch(signInLink, { redirect: 'manual' });
  const cookie = /^readiness_session_\d+=([^;]+);/.exec(res.headers.get('set-cookie') ?? '');
  if (res.status !== 302 || !cookie) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return cookie[1];
}

/**
 * Mocha hooks for a test file's one browser: built hub and a launched Chromium before the tests, closed after.
 * Read `browser` and `hubDir` inside hooks and tests, once `before` has run.
 */
export function sharedBrowser(): { browser: Browser; hubDir: string } {
  const shared = {} as { browser: Browser; hubDir: string };
  before(async () => {
    shared.hubDir = await ensureHubBuilt();
    shared.browser = await launchBrowser();
  });
  after(async () => {
    await shared.browser?.close();
  });
  return shared;
}
