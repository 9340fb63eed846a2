/**
 * Hub bundle size and time to first meaningful render (issue 7: under 1.5 MB minified JS, under 1 s).
 *
 * Builds the hub fresh, seeds a local store with N services (default 200), each with a gate status, a
 * load-test evidence document (60-second timeline), a policy roles document and a sign-off; serves it with
 * `readiness serve`'s server and opens the hub in headless Chromium through the local SDK host, `runs` times.
 *
 * "First meaningful render" = the moment the overview table with data is committed (the hub sets
 * `data-first-render-ms` on its body, measured from the hub frame's navigation start: SDK handshake, REST
 * reads of every collection, a structural evidence check and the React render all included). The time from
 * navigating the host page, and the time until the full JSON Schema check has run, are reported next to it.
 *
 * Run: npx tsx bench/hub-render.ts [services] [runs]     (default 200 services, 5 runs)
 */
import { promises as fs, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { buildHub, HUB_CONTRIBUTIONS } from '../hub/build';
import { Collections, subjectKey } from '../src/gate/records';
import { startServer } from '../src/serve/server';
import type { StoredDocument } from '../src/store/documentStore';
import { FileDocumentStore } from '../src/store/fileStore';
import { examplePolicyDocument, loadTestEvidence, statusDocument, uuidFor } from '../test/hub/fixtures';
import { hubFrame, launchBrowser } from '../test/support/browser';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

async function main(): Promise<void> {
  const services = Number(process.argv[2] ?? 200);
  const runs = Number(process.argv[3] ?? 5);
  const work = mkdtempSync(join(tmpdir(), 'hub-bench-'));
  const hubDir = join(work, 'hub');
  await buildHub({ outDir: hubDir });

  console.log('## Bundle');
  console.log('| Contribution | JS minified | JS gzip | CSS | Fonts (files next to the bundle) |');
  console.log('|---|---|---|---|---|');
  for (const id of HUB_CONTRIBUTIONS) {
    const js = await fs.readFile(join(hubDir, id, `${id}.js`));
    const css = statSync(join(hubDir, id, `${id}.css`)).size;
    const fonts = readdirSync(join(hubDir, id, 'fonts')).reduce((sum, f) => sum + statSync(join(hubDir, id, 'fonts', f)).size, 0);
    console.log(`| ${id} | ${kib(js.length)} (${js.length} B) | ${kib(gzipSync(js).length)} | ${kib(css)} | ${kib(fonts)} |`);
  }

  const storeDir = join(work, 'store');
  const store = new FileDocumentStore(storeDir);
  const policy = await examplePolicyDocument();
  const seedStart = performance.now();
  for (let i = 0; i < services; i++) {
    const service = `service-${String(i).padStart(3, '0')}`;
    const status = (['ready', 'not-ready', 'warn'] as const)[i % 3];
    await store.setDocument(Collections.status, statusDocument(service, 'prod', status, 'silver'));
    await store.setDocument(Collections.evidence, { ...loadTestEvidence(service, 'prod'), id: uuidFor(`bench-${service}`) } as unknown as StoredDocument);
    await store.setDocument('policies', { ...policy, id: subjectKey(service, 'prod'), service, environment: 'prod' } as StoredDocument);
    await store.setDocument(Collections.signoffs, {
      id: subjectKey(service, 'prod'), service, environment: 'prod',
      history: [{ type: 'signoff', id: `so-${i}`, role: 'security', decision: 'approve', by: { id: 'bob', name: 'Bob' }, at: new Date().toISOString(), comment: 'ok', for: { service, environment: 'prod' } }],
    });
  }
  const seedMs = performance.now() - seedStart;

  const server = await startServer({ storeDir, hubDir, user: { id: 'alice', name: 'Alice', groups: [] }, log: () => undefined });
  const browser = await launchBrowser();
  const firstRender: number[] = [];
  const wall: number[] = [];
  const schema: number[] = [];
  try {
    for (let run = 0; run < runs + 1; run++) {
      const page = await browser.context.newPage();
      const start = performance.now();
      await page.goto(server.signInUrl());
      const frame = await hubFrame(page);
      await frame.waitForSelector('[data-subject]', { timeout: 30_000 });
      await frame.waitForSelector('body[data-schema-checked]', { timeout: 30_000 });
      const rendered = Number(await frame.evaluate('document.body.dataset.firstRenderMs'));
      // Both pages' clocks share the wall clock through timeOrigin: host navigation -> hub first render.
      const frameOrigin = Number(await frame.evaluate('performance.timeOrigin'));
      const hostOrigin = Number(await page.evaluate('performance.timeOrigin'));
      const wallMs = frameOrigin + rendered - hostOrigin;
      const schemaMs = Number(await frame.evaluate(`performance.getEntriesByName('readiness:schema-checked')[0]?.startTime ?? NaN`));
      void start;
      const rows = await frame.locator('[data-subject]').count();
      // A string, not a function: tsx would wrap a function with helpers the page does not have.
      const phases = await frame.evaluate(`performance.getEntriesByType('resource')
        .filter((r) => r.name.includes('.js') || r.name.includes('Collections/'))
        .map((r) => r.name.split('/').slice(-3).join('/').slice(0, 50) + ' ' + Math.round(r.startTime) + '-' + Math.round(r.responseEnd))
        .join('; ') + ' | marks: ' + performance.getEntriesByType('mark').map((m) => m.name + ' ' + Math.round(m.startTime)).join(', ')`);
      console.error(`  ${phases}`);
      await page.close();
      if (run === 0) continue; // the first run warms the disk cache and Chromium; not counted
      firstRender.push(rendered);
      wall.push(wallMs);
      schema.push(schemaMs);
      console.error(`run ${run}: first meaningful render ${rendered} ms (from host navigation ${wallMs.toFixed(0)} ms), full schema check done at ${schemaMs.toFixed(0)} ms, ${rows} rows in the DOM`);
    }
  } finally {
    await browser.close();
    await server.close();
    await fs.rm(work, { recursive: true, force: true });
  }

  console.log('');
  console.log(`## First meaningful render, ${services} services (median of ${runs} runs after one warm-up)`);
  console.log('| Measure | Median | Min | Max |');
  console.log('|---|---|---|---|');
  console.log(`| Hub frame start -> overview with data committed | ${median(firstRender)} ms | ${Math.min(...firstRender)} ms | ${Math.max(...firstRender)} ms |`);
  console.log(`| Host page navigation -> overview with data committed | ${median(wall).toFixed(0)} ms | ${Math.min(...wall).toFixed(0)} ms | ${Math.max(...wall).toFixed(0)} ms |`);
  console.log(`| Hub frame start -> every evidence document checked against the JSON Schema | ${median(schema).toFixed(0)} ms | ${Math.min(...schema).toFixed(0)} ms | ${Math.max(...schema).toFixed(0)} ms |`);
  console.log('');
  console.log(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, Chromium headless. Seeding took ${seedMs.toFixed(0)} ms.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
