import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runDrill } from '../dr/runner';
import { writeEvidenceFile } from '../evidence/files';
import { renderHtml } from '../evidence/render';
import type { Evidence, GateEvidence } from '../evidence/types';
import { Collections, subjectKey, type StatusDocument } from '../gate/records';
import { runLoadTest } from '../load/runLoadTest';
import { prepareLocalGate, reevaluateOnChange } from '../serve/localGate';
import { startServer } from '../serve/server';
import { FileDocumentStore } from '../store/fileStore';
import { startSampleService } from './sampleService';

/**
 * `readiness demo`: the whole product on one machine with no account and no database to install.
 * A sample service is load-tested with the embedded engine, a restore drill runs on an embedded
 * PostgreSQL (PGlite), the sample runbook is checked, the sample policy is evaluated (not ready until
 * the operations and business roles sign off), and the hub is served on 127.0.0.1.
 */
export interface DemoOptions {
  /** Working folder for evidence and reports (default `.readiness/demo`). */
  workDir: string;
  /** Local store of sign-offs, waivers, status and evidence, shared with `readiness serve` (default `.readiness/store`). */
  storeDir: string;
  serve: boolean;
  port: number;
  /** Load-test duration; the shipped example runs 30 s, the demo shortens it. */
  loadSeconds: number;
  hubDir: string;
  signal: AbortSignal;
  log: (line: string) => void;
  /** The URL line, on stdout, for scripts. */
  announce: (url: string) => void;
}

export const DEMO_SERVICE = 'sample-service';
export const DEMO_ENVIRONMENT = 'production';
/**
 * The demo's signer: a member of both role groups of the sample policy, so it can approve both steps of the run's
 * approval (the local server records it as the approver, src/serve/approvalsApi.ts).
 */
export const DEMO_USER = Object.freeze({ id: 'demo-user', name: 'Demo approver', groups: ['[Demo]\\Operations', '[Demo]\\Product Owners'] as string[] });
/** Group members the local gate relies on: the demo user in each group it declares. */
export const DEMO_MEMBERS = Object.freeze(Object.fromEntries(DEMO_USER.groups.map((g) => [g, [DEMO_USER.id]])));

/** The folder with examples/ in it: the repository, whether this runs from src/ (tsx) or dist/ (bundle). */
export function examplesRoot(from = __dirname): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'examples', 'sample-service', 'readiness.yml'))) return path.join(dir, 'examples');
  }
  throw new Error('The demo files (examples/) were not found next to this program.');
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const examples = examplesRoot();
  const evidenceDir = path.join(options.workDir, 'evidence');
  const reportsDir = path.join(options.workDir, 'reports');
  await fs.mkdir(reportsDir, { recursive: true });
  const { log, signal } = options;
  const reports: string[] = [];

  const sample = await startSampleService();
  try {
    log(`1/6 Sample service listening on ${sample.url}`);
    log(`2/6 Load test: examples/loadtest/basic for ${options.loadSeconds} s on the embedded engine`);
    const loadtest = await runLoadTest({
      configFile: path.join(examples, 'loadtest', 'basic', 'loadtest.yaml'),
      env: { baseUrl: sample.url },
      overrides: { durationSeconds: options.loadSeconds },
      service: DEMO_SERVICE,
      environment: DEMO_ENVIRONMENT,
      signal,
      onProgress: (p) => log(`    ${p.elapsedSeconds}s: ${p.requests} requests, ${p.rps} rps, p95 ${p.p95Ms} ms, ${p.errors} errors`),
    });
    log(`    ${loadtest.summary}`);
    reports.push(await keep(loadtest, evidenceDir, reportsDir));
    if (signal.aborted) return 3;

    log('3/6 Restore drill: examples/drill/embedded.yaml on an embedded PostgreSQL (PGlite)');
    const drill = await runDrill({
      configFile: path.join(examples, 'drill', 'embedded.yaml'),
      service: DEMO_SERVICE,
      environment: DEMO_ENVIRONMENT,
      signal,
      onProgress: (message) => log(`    ${message}`),
    });
    reports.push(await keep(drill, evidenceDir, reportsDir));
    if (signal.aborted) return 3;
  } finally {
    await sample.close();
  }

  log('4/6 Runbook check and 5/6 policy: examples/sample-service (docs, evidence, sign-offs)');
  const store = new FileDocumentStore(options.storeDir);
  const gateOptions = {
    store,
    policyFile: path.join(examples, 'sample-service', 'readiness.yml'),
    evidenceDir,
    log: (line: string) => log(`    ${line}`),
    members: { ...DEMO_MEMBERS },
  };
  await prepareLocalGate(gateOptions);
  const status = await store.getDocument<StatusDocument>(Collections.status, subjectKey(DEMO_SERVICE, DEMO_ENVIRONMENT));
  if (!status) throw new Error('The gate wrote no status document.');
  for (const check of status.checks) log(`    ${check.state.padEnd(7)} ${check.id}: ${check.reason}`);
  log(`    => ${DEMO_SERVICE} in ${DEMO_ENVIRONMENT}: ${status.status.toUpperCase()} (level ${status.level ?? 'none'}, required ${status.requiredLevel ?? 'none'})`);
  const gate = await latestGate(store);
  if (gate) {
    const file = path.join(reportsDir, 'gate.html');
    await fs.writeFile(file, renderHtml(gate));
    reports.push(file);
  }
  log('    Reports:');
  for (const report of reports) log(`      ${report}`);
  const exitCode = status.status === 'not-ready' ? 1 : 0;

  if (!options.serve) return exitCode;
  const server = await startServer({
    storeDir: options.storeDir,
    hubDir: options.hubDir,
    port: options.port,
    user: DEMO_USER,
    onChange: reevaluateOnChange(gateOptions),
    log,
  });
  log(`6/6 Readiness hub: ${server.url}/  (signed in as ${DEMO_USER.name}, who holds the operations and business roles)`);
  log('    Approve the pending approval in the hub (both role groups) and the service becomes ready. Press Ctrl+C to stop.');
  options.announce(`${server.url}/`);
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  await server.close();
  // Stopped on purpose after serving: a clean stop, like `readiness serve`.
  return 0;
}

/** Writes the evidence where the gate reads it, and its HTML report; returns the report's path. */
async function keep(evidence: Evidence, evidenceDir: string, reportsDir: string): Promise<string> {
  await writeEvidenceFile(evidenceDir, evidence);
  const file = path.join(reportsDir, `${evidence.kind}.html`);
  await fs.writeFile(file, renderHtml(evidence));
  return file;
}

async function latestGate(store: FileDocumentStore): Promise<GateEvidence | undefined> {
  const all = (await store.getDocuments(Collections.evidence)) as unknown as Evidence[];
  return all
    .filter((e): e is GateEvidence => e.kind === 'gate' && e.service === DEMO_SERVICE && e.environment === DEMO_ENVIRONMENT)
    .sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt))
    .pop();
}
