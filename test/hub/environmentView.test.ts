import { strict as assert } from 'node:assert';
import { mkdtempSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EnvironmentEvidence } from '../../src/evidence/types';
import { validateEvidence } from '../../src/evidence/validate';
import { Collections } from '../../src/gate/records';
import { RunningServer, startServer } from '../../src/serve/server';
import type { StoredDocument } from '../../src/store/documentStore';
import { FileDocumentStore } from '../../src/store/fileStore';
import { Browser, ensureHubBuilt, hubFrame, launchBrowser } from '../support/browser';
import { seedStore, uuidFor } from './fixtures';

/** An environment check as the task writes it: an expired certificate, graded headers, and drift in two resources. */
function environmentEvidence(): EnvironmentEvidence {
  const at = new Date(Date.now() - 600_000).toISOString();
  return {
    schemaVersion: 1, id: uuidFor('env-checkout-prod'), kind: 'environment', service: 'checkout', environment: 'prod', run: { project: 'local', runId: '150' },
    startedAt: at, finishedAt: at, verdict: 'failed', summary: '2 of 3 environment checks did not pass: cert (failed), infra (failed).', criteria: [],
    metrics: {
      configFile: 'environment.yaml', cancelled: false,
      checks: [
        { name: 'cert', type: 'tls', status: 'failed', durationMs: 120, detail: 'The certificate chain of shop.example.com:443 is not valid for shop.example.com (CERT_HAS_EXPIRED, expires 2026-11-30T00:00:00.000Z); renew the certificate and bind the new one.',
          tls: { host: 'shop.example.com', port: 443, daysToExpiry: -7, chainError: 'CERT_HAS_EXPIRED', hstsMaxAge: null,
            chain: [{ subject: 'CN=shop.example.com', issuer: 'CN=Contoso CA', validFrom: '2026-09-01T00:00:00.000Z', validTo: '2026-11-30T00:00:00.000Z', fingerprint256: 'AA:BB' }],
            legacyProtocols: [{ protocol: 'TLSv1', outcome: 'refused', detail: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' }, { protocol: 'TLSv1.1', outcome: 'refused', detail: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' }] } },
        { name: 'grade', type: 'headers', status: 'passed', durationMs: 40, detail: 'https://shop.example.com/ grades B (score 75), at or above the minimum B.',
          headers: { url: 'https://shop.example.com/', grade: 'B', score: 75, tests: [
            { test: 'content-security-policy', result: 'csp-not-implemented', modifier: -25, pass: false, fix: 'send Content-Security-Policy with at least default-src \'self\'' },
            { test: 'x-content-type-options', result: 'x-content-type-options-nosniff', modifier: 0, pass: true }] } },
        { name: 'infra', type: 'drift', status: 'failed', durationMs: 900, detail: 'The environment has drifted from infra: azurerm_linux_web_app.shop (update: site_config).',
          drift: { directory: 'infra', planExitCode: 2, terraformVersion: '1.11.4', changes: [{ address: 'azurerm_linux_web_app.shop', actions: ['update'], attributes: ['site_config'] }] } },
      ],
    },
    links: [],
  };
}

describe('hub: environment view in headless Chromium', function () {
  this.timeout(90_000);
  let browser: Browser;
  let server: RunningServer;
  let storeDir: string;

  before(async () => {
    const hubDir = await ensureHubBuilt();
    browser = await launchBrowser();
    storeDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-hub-env-'));
    await seedStore(storeDir);
    const evidence = environmentEvidence();
    assert.ok(validateEvidence(evidence).ok, JSON.stringify(validateEvidence(evidence)));
    await new FileDocumentStore(storeDir).setDocument(Collections.evidence, evidence as unknown as StoredDocument);
    server = await startServer({ storeDir, hubDir, user: { id: 'alice', name: 'Alice Approver', groups: [] } });
  });
  after(async () => {
    await server?.close();
    await browser?.close();
    await fs.rm(storeDir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('service page: Environment tab -> each check with its status, the certificate chain and expiry, header fixes and drifted resources', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(server.signInUrl('/host/readiness-hub'));
      const frame = await hubFrame(page);
      await frame.waitForSelector('[data-subject="checkout.prod"]', { timeout: 20_000 });
      await frame.click('[data-subject="checkout.prod"]');
      await frame.getByRole('tab', { name: 'Environment' }).click();
      await frame.waitForSelector('[data-testid="environment-view"]');
      const statuses = await frame.locator('[data-testid="environment-checks"] tr[data-status]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
      assert.deepEqual(statuses, ['failed', 'passed', 'failed']);
      assert.match(await frame.locator('[data-testid="environment-checks"]').innerText(), /CERT_HAS_EXPIRED.*renew the certificate/);
      const certificates = await frame.locator('[data-testid="environment-certificates"]').innerText();
      assert.match(certificates, /shop\.example\.com:443\s+-7 \(CERT_HAS_EXPIRED\)\s+CN=shop\.example\.com until 2026-11-30/);
      assert.match(await frame.locator('[data-testid="environment-headers"]').innerText(), /csp-not-implemented\s+-25\s+send Content-Security-Policy/);
      assert.match(await frame.locator('[data-testid="environment-drift"]').innerText(), /azurerm_linux_web_app\.shop\s+update\s+site_config/);
    } finally {
      await page.close();
    }
  });
});
