/**
 * Screenshots of the hub for the README and docs/hub.md, taken in headless Chromium against `readiness serve`
 * seeded with the test fixtures (test/hub/fixtures.ts). Run after changing the hub:
 *
 *   npx tsx scripts/screenshots.ts            (writes docs/images/hub-*.png)
 *   npx tsx scripts/screenshots.ts FILE...    (only those)
 */
import { mkdtempSync, promises as fs, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareLocalGate } from '../src/serve/localGate';
import { startServer } from '../src/serve/server';
import { Collections } from '../src/gate/records';
import type { StoredDocument } from '../src/store/documentStore';
import { FileDocumentStore } from '../src/store/fileStore';
import { recreationFailed } from '../test/evidence/fixtures';
import { drillEvidence, loadTestEvidence, seedStore } from '../test/hub/fixtures';
import { ensureHubBuilt, hubFrame, launchBrowser, repoRoot } from '../test/support/browser';

const shots: Array<{ file: string; route: string; theme?: 'dark'; ready: string; approvals?: true; seed?: (storeDir: string) => Promise<void> }> = [
  { file: 'overview.png', route: '', ready: '[data-subject]' },
  { file: 'hub-service-loadtest.png', route: '#/service/checkout.prod/loadtest', ready: '[data-testid="criteria"]' },
  { file: 'hub-service-drill.png', route: '#/service/checkout.prod/drill', ready: '[data-testid="drill-steps"]' },
  { file: 'hub-signoffs.png', route: '#/service/sample-service.production/signoffs', ready: '[data-approval]', approvals: true },
  { file: 'hub-overview-dark.png', route: '', theme: 'dark', ready: '[data-subject]' },
  // Last: it adds a newer drill (a recreation drill), which the drill tab then shows.
  {
    file: 'hub-drill-recreation.png',
    route: '#/service/checkout.prod/drill',
    ready: '[data-testid="phase-timeline"]',
    seed: (storeDir) =>
      new FileDocumentStore(storeDir).setDocument(Collections.evidence, {
        ...recreationFailed(),
        service: 'checkout',
        environment: 'prod',
        finishedAt: new Date().toISOString(),
      } as unknown as StoredDocument).then(() => undefined),
  },
];

async function main(): Promise<void> {
  const hubDir = await ensureHubBuilt();
  const storeDir = mkdtempSync(join(tmpdir(), 'readiness-shots-'));
  await seedStore(storeDir);
  const server = await startServer({ storeDir, hubDir, user: { id: 'alice', name: 'Alice Approver', groups: [] } });
  // The sign-off panel needs a run waiting on an approval: the sample service's local run, as the browser test makes.
  const approvalsDir = mkdtempSync(join(tmpdir(), 'readiness-shots-approvals-'));
  const evidenceDir = mkdtempSync(join(tmpdir(), 'readiness-shots-evidence-'));
  writeFileSync(join(evidenceDir, 'load.json'), JSON.stringify(loadTestEvidence('sample-service', 'production')));
  writeFileSync(join(evidenceDir, 'drill.json'), JSON.stringify(drillEvidence('sample-service', 'production')));
  const groups = ['[Demo]\\Operations', '[Demo]\\Product Owners'];
  await prepareLocalGate({
    store: new FileDocumentStore(approvalsDir), policyFile: join(repoRoot, 'examples', 'sample-service', 'readiness.yml'), evidenceDir,
    log: () => undefined, members: Object.fromEntries(groups.map((g) => [g, ['demo-user']])),
  });
  const approvals = await startServer({ storeDir: approvalsDir, hubDir, user: { id: 'demo-user', name: 'Dana Approver', groups }, log: () => undefined });
  const browser = await launchBrowser();
  try {
    const only = process.argv.slice(2);
    for (const shot of shots) {
      await shot.seed?.(storeDir);
      if (only.length && !only.includes(shot.file)) continue;
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1280, height: 860 });
      await page.goto((shot.approvals ? approvals : server).signInUrl(`/host/readiness-hub${shot.theme ? `?theme=${shot.theme}` : ''}`) + shot.route);
      const frame = await hubFrame(page);
      await frame.waitForSelector(shot.ready);
      await frame.waitForSelector('body[data-schema-checked]');
      await page.waitForTimeout(300); // fonts and the last layout pass
      const target = join(repoRoot, 'docs', 'images', shot.file);
      await page.screenshot({ path: target });
      process.stdout.write(`${target}\n`);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
    await approvals.close();
    for (const dir of [storeDir, approvalsDir, evidenceDir]) await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
