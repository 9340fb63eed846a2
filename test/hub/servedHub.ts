import { mkdtempSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { Collections } from '../../src/gate/records';
import { type RunningServer, startServer } from '../../src/serve/server';
import type { StoredDocument } from '../../src/store/documentStore';
import { FileDocumentStore } from '../../src/store/fileStore';
import { type Browser, ensureHubBuilt, launchBrowser } from '../support/browser';
import { seedStore } from './fixtures';

export interface ServedHub {
  readonly server: RunningServer;
  readonly page: Page;
  /** Stores one more evidence document, as a task's attachment would reach the hub. */
  addEvidence(doc: unknown): Promise<void>;
  /** Signs the page in through the server's one-time link and opens `hostPath` (e.g. `/host/readiness-hub`) + `hash`. */
  open(hostPath: string, hash?: string): Promise<void>;
}

/**
 * Registers mocha hooks that give each test of the calling suite a fresh seeded store, `readiness serve` on it as
 * Alice, and a new page in one shared headless Chromium; everything is closed and removed after each test.
 */
export function servedHub(prefix: string): ServedHub {
  let browser: Browser;
  let hubDir: string;
  let storeDir: string;
  let server: RunningServer;
  let page: Page;
  before(async () => {
    hubDir = await ensureHubBuilt();
    browser = await launchBrowser();
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    storeDir = mkdtempSync(path.join(os.tmpdir(), `readiness-hub-${prefix}-`));
    await seedStore(storeDir);
    server = await startServer({ storeDir, hubDir, user: { id: 'alice', name: 'Alice Approver', groups: [] } });
    page = await browser.context.newPage();
  });
  afterEach(async () => {
    await page.close();
    await server.close();
    await fs.rm(storeDir, { recursive: true, force: true, maxRetries: 3 });
  });
  return {
    get server() {
      return server;
    },
    get page() {
      return page;
    },
    addEvidence: (doc) => new FileDocumentStore(storeDir).setDocument(Collections.evidence, doc as StoredDocument).then(() => undefined),
    open: async (hostPath, hash = '') => {
      await page.goto(server.signInUrl(hostPath) + hash);
    },
  };
}
