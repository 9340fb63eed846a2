import { strict as assert } from 'node:assert';
import { mkdtempSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { RunningServer, startServer } from '../../src/serve/server';
import { hubFrame, sessionToken, sharedBrowser } from '../support/browser';
import { Collections } from '../../src/gate/records';
import type { StoredDocument } from '../../src/store/documentStore';
import { FileDocumentStore } from '../../src/store/fileStore';
import { drillEvidence, seedStore, uuidFor } from './fixtures';

const DATA = '/_apis/ExtensionManagement/InstalledExtensions/local/production-readiness/Data/Scopes/Default/Current/Collections';
const alice = { id: 'alice', name: 'Alice Approver', groups: [] };
const carol = { id: 'carol', name: 'Carol Curious', groups: ['Developers'] };

async function openHub(page: Page, server: RunningServer, route = ''): Promise<Frame> {
  await page.goto(server.signInUrl('/host/readiness-hub') + route);
  const frame = await hubFrame(page);
  await frame.waitForSelector('[data-subject], [data-state="empty"], [data-state="error"], [data-testid="signoff-panel"], .bolt-tabbar', { timeout: 20_000 });
  return frame;
}

async function openService(frame: Frame, subject: string, tab: string): Promise<void> {
  await frame.click(`[data-subject="${subject}"]`);
  await frame.getByRole('tab', { name: tab }).click();
}

describe('hub in headless Chromium against readiness serve', function () {
  this.timeout(90_000);
  let storeDir: string;
  let asAlice: RunningServer;
  let asCarol: RunningServer;
  let page: Page;

  const shared = sharedBrowser();
  beforeEach(async () => {
    storeDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-hub-store-'));
    await seedStore(storeDir);
    asAlice = await startServer({ storeDir, hubDir: shared.hubDir, user: alice });
    asCarol = await startServer({ storeDir, hubDir: shared.hubDir, user: carol });
    page = await shared.browser.context.newPage();
  });
  afterEach(async () => {
    await page.close();
    await asAlice.close();
    await asCarol.close();
    await fs.rm(storeDir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('overview: seeded statuses -> each service shows its status pill, and the filter narrows the list', async () => {
    const frame = await openHub(page, asAlice);
    const statusOf = (subject: string) =>
      frame.locator('tr', { has: frame.locator(`[data-subject="${subject}"]`) }).locator('[data-status]').getAttribute('data-status');
    assert.equal(await statusOf('checkout.prod'), 'ready');
    assert.equal(await statusOf('payments.prod'), 'not-ready');
    assert.equal(await statusOf('search.staging'), 'warn');
    await frame.getByRole('tab', { name: /Not ready/ }).click();
    await frame.waitForSelector('[data-subject="checkout.prod"]', { state: 'detached' });
    assert.deepEqual(await frame.locator('[data-subject]').evaluateAll((els) => els.map((e) => e.getAttribute('data-subject'))), ['payments.prod']);
  });

  it('service page: load-test and drill evidence -> criteria with actual against threshold, and the drill timings', async () => {
    const frame = await openHub(page, asAlice);
    await openService(frame, 'checkout.prod', 'Load test');
    const criteria = await frame.locator('[data-testid="criteria"]').innerText();
    assert.match(criteria, /p95\(response_time_ms\) > 300\s+212\.5\s+300\s+passed/);
    assert.match(criteria, /percentage\(error\) > 5\s+0\.13\s+5\s+passed/);
    assert.match(await frame.locator('[data-testid="generator"]').innerText(), /Load generator: CPU 12\.5% of a core; event loop late by 1\.4 ms at p99, 6\.2 ms at worst; the machine was short of CPU 3% of the time/);
    await frame.getByRole('tab', { name: 'DR drill' }).click();
    assert.match(await frame.locator('[data-testid="rto"]').innerText(), /RTO 42\.5 s\s*\/ target 300 s/);
    assert.match(await frame.locator('[data-testid="rpo"]').innerText(), /RPO 3\.2 s\s*\/ target 60 s/);
    const steps = await frame.locator('[data-testid="drill-steps"]').innerText();
    assert.match(steps, /backup\s+12\.4 s/);
    assert.match(steps, /restore\s+27\.9 s/);
  });

  it('waivers: one expired and one active -> the expired one is shown as expired', async () => {
    const frame = await openHub(page, asAlice);
    await openService(frame, 'checkout.prod', 'Sign-offs');
    assert.match(await frame.locator('[data-waiver="w-expired"]').innerText(), /docs\s+Expired\s+Runbook rewrite in progress/);
    assert.match(await frame.locator('[data-waiver="w-active"]').innerText(), /drill\s+Active/);
  });

  it('waivers: the check owner adds one through the form -> persisted with reason and expiry, shown as active', async () => {
    const frame = await openHub(page, asAlice);
    await openService(frame, 'checkout.prod', 'Sign-offs');
    const form = frame.locator('[data-testid="add-waiver"]');
    await form.locator('select').selectOption('load');
    await form.getByLabel('Waiver reason').fill('Load environment is being rebuilt');
    const until = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    await form.locator('input[type="date"]').fill(until);
    await form.getByRole('button', { name: 'Add waiver' }).click();
    await frame.locator('[data-testid="waivers"] tr', { hasText: 'Load environment is being rebuilt' }).getByText('Active').waitFor();
    const res = await fetch(`${asAlice.url}${DATA}/waivers/Documents/checkout.prod`, { headers: { Authorization: `Bearer ${await sessionToken(asAlice.signInUrl())}` } });
    const doc = (await res.json()) as { waivers: Array<{ check: string; reason: string; until: string; by: { id: string } }> };
    const added = doc.waivers[doc.waivers.length - 1];
    assert.deepEqual([added.check, added.reason, added.by.id, added.until.slice(0, 10)], ['load', 'Load environment is being rebuilt', 'alice', until]);
  });

  it('verdict: a drill failed after the gate said ready -> the overview marks the verdict out of date, the service page says why', async () => {
    const store = new FileDocumentStore(storeDir);
    const later = { ...drillEvidence('checkout', 'prod'), id: uuidFor('drill-after-verdict'), startedAt: new Date(Date.now() - 120_000).toISOString(), finishedAt: new Date(Date.now() - 60_000).toISOString(), verdict: 'failed' as const };
    await store.setDocument(Collections.evidence, later as unknown as StoredDocument);
    const frame = await openHub(page, asAlice);
    const row = (subject: string) => frame.locator('tr', { has: frame.locator(`[data-subject="${subject}"]`) });
    assert.equal(await row('checkout.prod').locator('[data-expired-by]').getAttribute('data-expired-by'), later.id);
    assert.equal(await row('checkout.prod').locator('[data-status]').getAttribute('data-status'), 'ready');
    assert.equal(await row('payments.prod').locator('[data-expired-by]').count(), 0, 'a verdict newer than its evidence stays current');
    await openService(frame, 'checkout.prod', 'DR drill');
    assert.match(await frame.locator('[data-testid="verdict-expired"]').innerText(), /Out of date: newer drill evidence finished .*the next run of the gate decides again/);
  });

  it('views: the drill view throws while drawing -> that view shows an error state with the message, the other tabs still work', async () => {
    // Fault injection: formatting the seeded RTO (42.5 s) throws, as a bug in a view would.
    await page.addInitScript(() => {
      const toFixed = Number.prototype.toFixed;
      Number.prototype.toFixed = function (this: number, digits?: number) {
        if (Number(this) === 42.5) throw new Error('injected drawing fault');
        return toFixed.call(this, digits);
      };
    });
    const frame = await openHub(page, asAlice, '#/service/checkout.prod/drill');
    const failed = frame.locator('[data-state="view-error"][data-view="drill"]');
    await failed.waitFor();
    assert.match(await failed.innerText(), /The drill view could not be shown: injected drawing fault/);
    await frame.getByRole('tab', { name: 'Load test' }).click();
    await frame.locator('[data-testid="criteria"]').waitFor();
    await frame.getByRole('tab', { name: 'Sign-offs' }).click();
    await frame.locator('[data-testid="signoff-panel"]').waitFor();
  });

  it('drill: a probe that could not tell (unknown) -> shown with the warning icon and the words "unknown (counts as failed)"', async () => {
    const base = drillEvidence('checkout', 'prod');
    const drill = {
      ...base, id: uuidFor('drill-unknown'), finishedAt: new Date().toISOString(), verdict: 'failed',
      metrics: { ...base.metrics, probes: [{ name: 'replica caught up', type: 'sql', status: 'unknown', detail: 'could not read the replay position', durationMs: 30 }] },
    };
    await new FileDocumentStore(storeDir).setDocument(Collections.evidence, drill as unknown as StoredDocument);
    const frame = await openHub(page, asAlice, '#/service/checkout.prod/drill');
    const row = frame.locator('[data-testid="probes"] tr', { hasText: 'replica caught up' });
    assert.match(await row.innerText(), /unknown \(counts as failed\)/);
    const icon = row.getByRole('img', { name: 'unknown (counts as failed)' });
    assert.match((await icon.getAttribute('class')) ?? '', /\bwarning\b/);
  });

  it('start-up: a link with a broken percent-escape (#/service/%E0) -> the overview with a notice, not a dead page', async () => {
    const frame = await openHub(page, asAlice, '#/service/%E0');
    assert.match(await frame.locator('[data-testid="route-notice"]').innerText(), /could not be read .*overview is shown instead/);
    await frame.waitForSelector('[data-subject="checkout.prod"]');
  });

  it('waivers: picked west of UTC (Los Angeles) -> runs to the end of that local day, shown as that same date', async () => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'America/Los_Angeles' });
    const frame = await openHub(page, asAlice, '#/service/checkout.prod/signoffs');
    const form = frame.locator('[data-testid="add-waiver"]');
    await form.locator('select').selectOption('load');
    await form.getByLabel('Waiver reason').fill('Rebuild ends Friday');
    const day = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await form.locator('input[type="date"]').fill(day);
    await form.getByRole('button', { name: 'Add waiver' }).click();
    const row = frame.locator('[data-testid="waivers"] tr', { hasText: 'Rebuild ends Friday' });
    await row.getByText('Active').waitFor();
    const [y, m, d] = day.split('-').map(Number);
    const shown = (await frame.evaluate(`new Date(${y}, ${m - 1}, ${d}).toLocaleDateString()`)) as string;
    assert.ok((await row.innerText()).includes(shown), `expected the picked day ${shown}`);
    const res = await fetch(`${asAlice.url}${DATA}/waivers/Documents/checkout.prod`, { headers: { Authorization: `Bearer ${await sessionToken(asAlice.signInUrl())}` } });
    const doc = (await res.json()) as { waivers: Array<{ reason: string; until: string }> };
    const added = doc.waivers.find((w) => w.reason === 'Rebuild ends Friday')!;
    // 23:59:59.999 in Los Angeles is 07:59:59.999Z (PST) or 06:59:59.999Z (PDT) on the next UTC day.
    const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
    assert.match(added.until, new RegExp(`^${next}T0[67]:59:59\\.999Z$`));
  });

  it('errors: Azure DevOps answers 403 -> the page names the missing scope', async () => {
    await page.route('**/Collections/status/Documents**', (route) =>
      route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ message: 'TF400813: The user is not authorized to access this resource.' }) }),
    );
    await page.goto(asAlice.signInUrl('/host/readiness-hub'));
    const frame = await hubFrame(page);
    const error = frame.locator('[data-state="error"]');
    await error.waitFor();
    assert.match(await error.innerText(), /HTTP 403.*"vso\.extension\.data_write"/s);
  });

  it('evidence: a document failing the schema -> shown as invalid with the reason, the page still works', async () => {
    const frame = await openHub(page, asAlice);
    await frame.waitForSelector('body[data-schema-checked]');
    assert.match(await frame.locator('tr', { has: frame.locator('[data-subject="payments.prod"]') }).innerText(), /1 invalid/);
    await frame.click('[data-subject="payments.prod"]');
    const invalid = await frame.locator('[data-testid="invalid-evidence"]').innerText();
    assert.ok(invalid.includes(`Invalid evidence ${uuidFor('broken-1')}: metrics: missing required property "model"`), invalid);
    await frame.getByRole('tab', { name: 'Checks' }).click();
    await frame.locator('[data-testid="checks"]').waitFor();
  });

  it('build-results tab: a run id -> that run\'s evidence with the gate and load-test views', async () => {
    await page.goto(asAlice.signInUrl('/host/build-tab?buildId=101'));
    const frame = await hubFrame(page);
    await frame.getByText('Readiness gate · checkout · prod').waitFor();
    await frame.getByText('Load test · checkout · prod').waitFor();
    assert.match(await frame.locator('[data-testid="criteria"]').innerText(), /212\.5/);
    assert.equal(await frame.getByText(/DR drill ·/).count(), 0, 'the drill of run 102 is not part of run 101');
  });

  it('theme and layout: the host sends the dark theme -> the hub paints dark and fills its frame', async () => {
    await page.goto(asAlice.signInUrl('/host/readiness-hub?theme=dark'));
    const frame = await hubFrame(page);
    await frame.waitForSelector('[data-subject]');
    const look = (await frame.evaluate(`({
      background: getComputedStyle(document.querySelector('.bolt-page')).backgroundColor,
      text: getComputedStyle(document.body).color,
      page: document.querySelector('.bolt-page').getBoundingClientRect().height,
      viewport: window.innerHeight,
    })`)) as { background: string; text: string; page: number; viewport: number };
    assert.equal(look.background, 'rgb(30, 30, 30)');
    assert.equal(look.text, 'rgba(255, 255, 255, 0.9)');
    assert.equal(Math.round(look.page), look.viewport);
  });

  it('loading: the data is slow to arrive -> a loading state is shown, then the overview', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/Collections/status/Documents**', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(asAlice.signInUrl('/host/readiness-hub'));
    const frame = await hubFrame(page);
    assert.match(await frame.locator('[data-state="loading"]').innerText(), /Loading readiness data/);
    release();
    await frame.waitForSelector('[data-subject="checkout.prod"]');
  });

  it('build-results tab: an attachment that is not JSON -> listed as invalid, the other evidence still shown', async () => {
    await page.route('**/attachments/readiness.evidence/*.json', async (route) => {
      if (route.request().url().includes(uuidFor('gate-checkout-prod'))) await route.fulfill({ status: 200, contentType: 'application/json', body: '<html>proxy error</html>' });
      else await route.continue();
    });
    await page.goto(asAlice.signInUrl('/host/build-tab?buildId=101'));
    const frame = await hubFrame(page);
    const invalid = frame.locator('[data-testid="invalid-evidence"]');
    await invalid.waitFor();
    assert.match(await invalid.innerText(), /not valid JSON \(it starts with "<html>proxy error<\/html>"\)/);
    await frame.getByText('Load test · checkout · prod').waitFor();
  });

  it('start-up: the hub opened on its own, without a host -> says where it runs instead of a blank page', async () => {
    await page.goto(`${asAlice.url}/hub/readiness-hub/readiness-hub.html`);
    assert.match(await page.locator('[data-state="error"]').innerText(), /runs inside Azure DevOps .* or under `readiness serve`/);
  });

  it('empty store -> a designed empty state, not a blank page', async () => {
    const emptyDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-empty-'));
    const server = await startServer({ storeDir: emptyDir, hubDir: shared.hubDir, user: alice });
    try {
      const frame = await openHub(page, server);
      assert.match(await frame.locator('[data-state="empty"]').innerText(), /No readiness data yet/);
    } finally {
      await server.close();
      await fs.rm(emptyDir, { recursive: true, force: true });
    }
  });
});
