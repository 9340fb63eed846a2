import type { TokenCredential } from '@azure/core-auth';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError, ConfigError, InfrastructureError, ReadinessError } from '../errors';
import type { LoadTestEvidence, RunInfo } from '../evidence/types';
import { loadAltConfig } from '../load/altConfig';
import { buildCloudEvidence, hasStatistics, sampleLogDisagreements } from './evidence';
import { notUsed } from './sampleLogStats';
import { LoadTestingClient, type LoadTestResource } from './loadTestingClient';
import { TERMINAL_RUN_STATUSES, type AltTestRun } from './model';
import { registerSecret } from '../redact/secretMask';
import { redactSecrets } from './secrets';
import { translateConfig } from './translate';
import { cloudPlanHash } from './planHash';
import { ArchiveTooLargeError, writeMaskedArchive } from './maskedArchive';
import { readSampleLog, type SampleLogLimits, type SampleLogOutcome } from './sampleLog';
import { sleep } from './sleep';
import { staleFiles, withRemovedComponents, withReplacedMetrics } from './testContents';
import { waitForValidation } from './validation';

/**
 * Runs the test configuration YAML on Azure Load Testing: create or update the test (merge-patch), upload its files
 * and wait for validation, start a run, follow it, and collect the evidence. The REST sequence follows
 * AzureLoadTest@1 (reference §1.5), with the gaps users reported closed (reference §4): cancelling stops the cloud
 * run, settings the YAML leaves out are kept, and the verdict is checked against our own evaluation.
 */
export interface CloudRunOptions {
  configFile: string;
  resource: LoadTestResource;
  credential: TokenCredential;
  armEndpoint?: string;
  /** Display name of the run (2-50 characters). Default `TestRun_<date>_<time>`, as AzureLoadTest@1. */
  runName?: string;
  runDescription?: string;
  /** The task's `env` input: set on the run, on top of the YAML's env. */
  env?: Array<{ name: string; value: string }>;
  /** The task's `secrets` input: values sent on the run as SECRET_VALUE. */
  secrets?: Array<{ name: string; value: string }>;
  /** AzureLoadTest@1's JSON: testId, displayName, description, engineInstances, autoStop. */
  overrideParameters?: string;
  /** false: return as soon as the run is created, with `evidence` absent. */
  waitForCompletion: boolean;
  /** Aborting stops the cloud run (POST test-runs/{id}:stop) and then throws CancelledError. */
  signal?: AbortSignal;
  onProgress?: (message: string, percent?: number) => void;
  /** Problems that leave the verdict standing (the sample log unreadable, an archive not kept). Default: onProgress. */
  onWarning?: (message: string) => void;
  /** Called once the run exists, before waiting: the task stores the id for its post-job stop. */
  onRunCreated?: (runId: string) => void;
  /** results.zip and report.zip land here, as masked copies (docs/security.md). */
  resultsDirectory: string;
  /**
   * Where the unmasked downloads wait to be read and masked, in a private folder (mode 0700) made for the purpose
   * and removed afterwards; never the results folder, which pipelines publish. Default os.tmpdir(); the task gives
   * the agent's temp folder, which the agent empties after each job.
   */
  scratchDirectory?: string;
  /** Caps on the archives: bytes downloaded per archive, CSV bytes and labels read from the sample log. */
  archiveLimits?: ArchiveLimits;
  /** Extra CA to trust (the local emulator's). */
  caCertificate?: string;
  /** Evidence fields; the task fills them from pipeline variables. */
  service?: string;
  environment?: string;
  runInfo?: RunInfo;
  /** Stop the cloud run and fail when it takes longer. Default: no limit (the pipeline's timeout applies). */
  timeoutSeconds?: number;
  /** First back-off after a 5xx or network fault (doubling, bounded). Default 2000 ms. */
  retryDelayMs?: number;
  /**
   * A capacity search (src/capacity/cloudSearch.ts): the YAML's `capacity:` block is ours and stays unsent instead
   * of being refused, and the URL test's requests JSON is uploaded as `rewritePlan` returns it (the stepped profile).
   */
  capacity?: { rewritePlan: (content: Buffer) => Buffer };
  /**
   * Asked at every poll while the run goes on, with the run as last read: a reason stops the cloud run, which is then
   * followed to its end. It may take a while (a capacity search reads the run's metrics); the next poll waits for it.
   */
  shouldStop?: (run: AltTestRun) => string | undefined | Promise<string | undefined>;
  /** The client to use (a capacity search shares it to read the metrics); otherwise one is made for `resource`. */
  client?: LoadTestingClient;
  /** Defaults follow AzureLoadTest@1: validation 5 s (for at most 10 minutes), run 20 s, 5 s once executed, artifacts 10 s (x30). */
  pollIntervals?: { validationMs?: number; validationTimeoutMs?: number; runMs?: number; finishingMs?: number; artifactsMs?: number;
    artifactsAttempts?: number };
}

export interface CloudRunOutcome {
  /** The service's test run id (the task's `<outputVariableName>.testRunId`). */
  runId: string;
  testId: string;
  portalUrl?: string;
  /** Present when the run was waited for. Absent with waitForCompletion false: no verdict exists for unfinished work. */
  evidence?: LoadTestEvidence;
  /** Paths of the downloaded archives. */
  files: string[];
}

const FINISHING = ['EXECUTED', 'DEPROVISIONING', 'DEPROVISIONED'];
const STEPS = ['ACCEPTED', 'NOTSTARTED', 'PROVISIONING', 'PROVISIONED', 'CONFIGURING', 'CONFIGURED', 'EXECUTING', 'EXECUTED',
  'DEPROVISIONING', 'DEPROVISIONED', 'DONE'];

export async function runCloudLoadTest(options: CloudRunOptions): Promise<CloudRunOutcome> {
  const startedAt = new Date().toISOString();
  const progress = (message: string, percent?: number) => options.onProgress?.(redactSecrets(message), percent);
  const warn = (message: string) => (options.onWarning ?? options.onProgress)?.(redactSecrets(message));
  const poll = { validationMs: 5000, runMs: 20_000, finishingMs: 5000, artifactsMs: 10_000, artifactsAttempts: 30, ...options.pollIntervals };
  const signal = options.signal;

  // Everything about the input is checked before the first request.
  const config = loadAltConfig(options.configFile);
  if (options.capacity) config.localOnlyKeys = config.localOnlyKeys.filter((k) => !k.startsWith('capacity '));
  translateConfig(config, undefined, options.overrideParameters);
  const runName = options.runName ?? defaultRunName();
  const inputProblems: string[] = [];
  if (runName.length < 2 || runName.length > 50) inputProblems.push(`loadTestRunName: must be 2-50 characters, found ${runName.length}`);
  if ((options.runDescription ?? '').length > 100) inputProblems.push('loadTestRunDescription: must be at most 100 characters');
  if (inputProblems.length) throw new ConfigError(inputProblems);

  const client = options.client ?? await LoadTestingClient.forResource(options.resource,
    { credential: options.credential, armEndpoint: options.armEndpoint, caCertificate: options.caCertificate, retryDelayMs: options.retryDelayMs }, signal);
  const existing = await client.getTest(config.testId, signal);
  const plan = translateConfig(config, existing, options.overrideParameters);
  progress(`${existing ? 'Updating' : 'Creating'} test "${plan.testId}" on ${options.resource.name}`);
  const saved = await client.patchTest(plan.testId, plan.test, signal);

  // Files the YAML no longer names leave the test before the upload (the official client's order).
  for (const fileName of staleFiles(saved?.inputArtifacts, plan.files)) {
    progress(`Deleting ${fileName}, which the configuration no longer names`);
    await client.deleteFile(plan.testId, fileName, signal);
  }
  for (const file of plan.files) {
    progress(`Uploading ${file.fileName} (${file.fileType})`);
    const content = fs.readFileSync(file.path);
    await client.uploadFile(plan.testId, file.fileName, options.capacity && file.fileType === 'URL_TEST_CONFIG' ? options.capacity.rewritePlan(content) : content,
      file.fileType, signal);
  }
  const script = plan.files.find((f) => ['URL_TEST_CONFIG', 'TEST_SCRIPT', 'JMX_FILE'].includes(f.fileType))!;
  await waitForValidation(client, plan.testId, { fileName: script.fileName, urlTest: script.fileType === 'URL_TEST_CONFIG' },
    { intervalMs: poll.validationMs, timeoutMs: poll.validationTimeoutMs, signal, progress });
  if (plan.appComponents) {
    const components = withRemovedComponents(plan.appComponents, existing ? await client.getAppComponents(plan.testId, signal) : undefined);
    if (Object.keys(components.components).length) await client.patchAppComponents(plan.testId, components, signal);
    const heldMetrics = existing || Object.keys(components.components).length ? await client.getServerMetricsConfig(plan.testId, signal) : undefined;
    const metrics = withReplacedMetrics(plan.serverMetrics ?? { metrics: {} }, heldMetrics, plan.explicitMetricResources ?? []);
    if (Object.keys(metrics.metrics).length) await client.patchServerMetricsConfig(plan.testId, metrics, signal);
  }

  const runId = randomUUID();
  const body: Partial<AltTestRun> = { testId: plan.testId, displayName: runName, description: options.runDescription ?? runName };
  if (options.env?.length) body.environmentVariables = Object.fromEntries(options.env.map((e) => [e.name, e.value]));
  for (const secret of options.secrets ?? []) registerSecret(secret.value);
  if (options.secrets?.length) body.secrets = Object.fromEntries(options.secrets.map((s) => [s.name, { type: 'SECRET_VALUE' as const, value: s.value }]));
  // No createdByType or createdByUri: both are set by the service (read-only; TestRunCreateOrUpdate has neither).

  let run: AltTestRun;
  try {
    run = await client.createRun(runId, body, signal);
  } catch (error) {
    if (signal?.aborted) await stopQuietly(client, runId, progress); // the run may exist even though the answer was lost
    throw error;
  }
  options.onRunCreated?.(runId);
  progress(`Started run "${runName}" (${runId})${run.portalUrl ? `: ${run.portalUrl}` : ''}`);
  if (!options.waitForCompletion) return { runId, testId: plan.testId, portalUrl: run.portalUrl, files: [] };

  const deadline = options.timeoutSeconds ? Date.now() + options.timeoutSeconds * 1000 : Infinity;
  let stoppedFor: string | undefined;
  let stopAsked = false;
  try {
    let lastStatus = '';
    while (!TERMINAL_RUN_STATUSES.includes(run.status ?? '')) {
      const stopFor = stoppedFor ? undefined : await options.shouldStop?.(run);
      if (stopFor) {
        stoppedFor = stopFor;
        stopAsked = true;
        progress(`Stopping run ${runId}: ${stopFor}`);
        await stopQuietly(client, runId, progress);
      }
      if (Date.now() > deadline) {
        stopAsked = true;
        await stopQuietly(client, runId, progress);
        throw new InfrastructureError(`The run ${runId} did not finish within ${options.timeoutSeconds} s, so it was stopped. Raise the timeout or shorten the test.`);
      }
      await sleep(FINISHING.includes(run.status ?? '') ? poll.finishingMs : poll.runMs, signal);
      run = await client.getRun(runId, signal);
      if (run.status !== lastStatus) {
        lastStatus = run.status ?? '';
        const step = STEPS.indexOf(lastStatus);
        progress(`Run ${runId}: ${lastStatus}`, step >= 0 ? Math.round((step / (STEPS.length - 1)) * 100) : undefined);
      }
    }
    if (run.status === 'DONE') {
      // Statistics and the report link arrive a little after DONE (reference §1.5 step 11). Without the statistics
      // there is nothing to judge, so they are waited for too; if they never come the evidence says error.
      const complete = (r: AltTestRun) => hasStatistics(r) && r.virtualUsers !== undefined && !!r.testArtifacts?.outputArtifacts?.reportFileInfo?.url;
      for (let i = 0; i < poll.artifactsAttempts && !complete(run); i++) {
        if (i === 0 && !hasStatistics(run)) progress(`Run ${runId} is DONE; waiting for Azure Load Testing to publish its statistics`);
        await sleep(poll.artifactsMs, signal);
        run = await client.getRun(runId, signal);
      }
    }
  } catch (error) {
    if (signal?.aborted || error instanceof CancelledError) {
      await stopQuietly(client, runId, progress);
      throw new CancelledError(`Cancelled; the cloud run ${runId} was asked to stop, so it no longer uses virtual user hours.`);
    }
    // Any other failure while the run goes on (the service answering 500 past the retries, an expired credential, a
    // fault of our own) would leave it running its whole profile on paid engines; the CLI has no post-job step to
    // catch it. So it is stopped before the error is reported.
    if (!stopAsked && !TERMINAL_RUN_STATUSES.includes(run.status ?? '')) {
      progress(`Stopping run ${runId}, which can no longer be followed.`);
      await stopQuietly(client, runId, progress);
    }
    throw error;
  }

  const { files, sampleLog } = await collectArchives(client, run, options.resultsDirectory,
    { progress, warn, signal, limits: options.archiveLimits, stoppedFor, scratch: options.scratchDirectory ?? os.tmpdir() });
  const disagreements = sampleLog.log ? sampleLogDisagreements(run, sampleLog.log) : [];
  if (disagreements.length) warn(`results.zip: ${notUsed(disagreements)}`);
  const evidence = buildCloudEvidence({
    run, testId: plan.testId, criteria: plan.criteria, serverCriteria: plan.serverCriteria,
    startedAt, finishedAt: new Date().toISOString(),
    service: options.service ?? config.testId, environment: options.environment ?? 'default', runInfo: options.runInfo ?? {},
    links: run.portalUrl ? [{ name: 'Azure Load Testing run', url: run.portalUrl }] : [],
    // Runs on another Load Testing resource ran on other engines: a different pool for the baseline.
    // The engines are the service's: the resource (pool) and the tool the plan runs on (platform) say which.
    comparable: { planHash: cloudPlanHash(plan), engine: 'azure', platform: `azure-load-testing/${plan.test.kind === 'Locust' ? 'locust' : 'jmeter'}`,
      pool: `azure-load-testing/${options.resource.name}` },
    sampleLog,
  });
  return { runId, testId: plan.testId, portalUrl: run.portalUrl, evidence, files };
}

/** For the task's post-job step and signal handlers: stop a run this pipeline started. Never throws. */
export async function stopCloudRun(options: { resource: LoadTestResource; credential: TokenCredential; runId: string;
  armEndpoint?: string; caCertificate?: string }): Promise<{ stopped: boolean; alreadyEnded?: boolean; message: string }> {
  try {
    const client = await LoadTestingClient.forResource(options.resource,
      { credential: options.credential, armEndpoint: options.armEndpoint, caCertificate: options.caCertificate, maxRetries: 2 });
    const run = await client.getRun(options.runId);
    if (TERMINAL_RUN_STATUSES.includes(run.status ?? '')) {
      return { stopped: false, alreadyEnded: true, message: `Run ${options.runId} had already ended (${run.status}).` };
    }
    // A cancelled main step has already asked for the stop; a second :stop would add nothing.
    if (run.status === 'CANCELLING') return { stopped: false, alreadyEnded: true, message: `Run ${options.runId} is already stopping.` };
    await client.stopRun(options.runId);
    return { stopped: true, message: `Asked Azure Load Testing to stop run ${options.runId}.` };
  } catch (error) {
    return { stopped: false, message: `Could not stop run ${options.runId}: ${redactSecrets(error instanceof Error ? error.message : String(error))}` };
  }
}

async function stopQuietly(client: LoadTestingClient, runId: string, progress: (m: string) => void): Promise<void> {
  try {
    // A fresh, bounded signal: the pipeline's own signal is already aborted.
    await client.stopRun(runId, AbortSignal.timeout(60_000));
    progress(`Asked Azure Load Testing to stop run ${runId}.`);
  } catch (error) {
    const text = error instanceof ReadinessError || error instanceof Error ? error.message : String(error);
    progress(`Could not stop run ${runId}: ${redactSecrets(text)}. Stop it in the portal.`);
  }
}

/** 4 GiB: a results.zip that size holds some 40 million samples; the service keeps none past 45 engines or 3 hours. */
export const MAX_ARCHIVE_BYTES = 4 * 1024 ** 3;

export interface ArchiveLimits extends SampleLogLimits {
  maxArchiveBytes?: number;
  /** Uncompressed bytes a kept (masked) copy holds at most. Default MAX_MASKED_BYTES (4 GiB). */
  maxMaskedBytes?: number;
}

/**
 * Downloads results.zip and report.zip (streaming) into a private folder outside the results folder, reads the
 * sample log from the raw results.zip (labels must match the service's sampler names as they are), then keeps only
 * a masked copy of each archive in the results folder; the private folder is removed whatever happens. The verdict
 * never depends on the archives: every problem is a warning, and the evidence falls back to the service's
 * statistics.
 */
async function collectArchives(client: LoadTestingClient, run: AltTestRun, directory: string,
  context: { progress: (m: string) => void; warn: (m: string) => void; signal?: AbortSignal; limits?: ArchiveLimits; stoppedFor?: string; scratch: string }):
  Promise<{ files: string[]; sampleLog: SampleLogOutcome }> {
  const outputs = run.testArtifacts?.outputArtifacts;
  const wanted: Array<[string, string | undefined]> = [['results.zip', outputs?.resultFileInfo?.url], ['report.zip', outputs?.reportFileInfo?.url]];
  const maxBytes = context.limits?.maxArchiveBytes ?? MAX_ARCHIVE_BYTES;
  const written: string[] = [];
  // A run stopped on purpose (shouldStop: a capacity search at its knee or budget) may well end without archives.
  let sampleLog: SampleLogOutcome = {
    warning: context.stoppedFor && !outputs?.resultFileInfo?.url
      ? `Azure Load Testing offered no results.zip for this run, which was stopped on purpose (${context.stoppedFor})`
      : 'Azure Load Testing offered no results.zip for this run (it keeps none for runs on more than 45 engine instances or longer than 3 hours)',
  };
  const stoppedWithout = !!context.stoppedFor && !outputs?.resultFileInfo?.url;
  fs.mkdirSync(directory, { recursive: true });
  fs.mkdirSync(context.scratch, { recursive: true });
  // mkdtemp makes the folder 0700: only this user reads the unmasked downloads while they are there.
  const privateDir = fs.mkdtempSync(path.join(context.scratch, 'readiness-archives-'));
  try {
    for (const [name, url] of wanted) {
      if (url) sampleLog = await collectArchive(client, name, url, directory, privateDir, { ...context, maxBytes, written, sampleLog });
    }
  } finally {
    fs.rmSync(privateDir, { recursive: true, force: true });
  }
  if (sampleLog.warning) (stoppedWithout ? context.progress : context.warn)(`${sampleLog.warning}. The baseline comparison uses the service's statistics (percentiles, no distribution).`);
  return { files: written, sampleLog };
}

/** One archive: download it raw into `privateDir`, read the sample log from it, keep its masked copy. */
async function collectArchive(client: LoadTestingClient, name: string, url: string, directory: string, privateDir: string,
  context: { progress: (m: string) => void; warn: (m: string) => void; signal?: AbortSignal; limits?: ArchiveLimits; maxBytes: number;
    written: string[]; sampleLog: SampleLogOutcome }): Promise<SampleLogOutcome> {
  const { maxBytes, written } = context;
  let sampleLog = context.sampleLog;
  const target = path.join(directory, name);
  const raw = path.join(privateDir, name);
  // An archive of an earlier run in the same job (an earlier step, the same results folder) would otherwise be
  // published as this run's whenever this run's copy is not kept.
  fs.rmSync(target, { force: true });
  try {
    const { tooLarge } = await client.downloadArtifact(url, raw, maxBytes, context.signal);
    if (tooLarge) {
      const why = `${name} is larger than ${Math.round(maxBytes / 1024 ** 2)} MiB, so it was neither read nor kept; download it from the run in the portal`;
      if (name === 'results.zip') sampleLog = { warning: why };
      else context.warn(why);
      return sampleLog;
    }
    if (name === 'results.zip') {
      context.progress('Reading the sample log from results.zip');
      sampleLog = await readSampleLog(raw, name, context.limits, context.signal);
    }
    throwIfCancelled(context.signal);
    try {
      const { leftOut } = await writeMaskedArchive(raw, target, context.signal, context.limits?.maxMaskedBytes);
      written.push(target);
      if (leftOut.length) {
        context.warn(`${name}: the kept copy leaves out ${leftOut.join(', ')}: an archive inside it can be neither masked nor kept unmasked; ` +
          'download it from the run in the portal');
      }
    } catch (error) {
      throwIfCancelled(context.signal);
      if (error instanceof ArchiveTooLargeError) {
        context.warn(`${name} was not kept: ${error.message}; download it from the run in the portal`);
        return sampleLog;
      }
      // Only masked copies are kept; an archive that cannot be read cannot be masked. One warning per archive.
      const notKept: string = `${name} was not kept: only masked copies of the service's archives are, and this one could not be read to mask it` +
        `${sampleLog.warning && name === 'results.zip' ? '' : ` (${error instanceof Error ? error.message : String(error)})`}; download it from the run in the portal`;
      if (name === 'results.zip' && sampleLog.warning) sampleLog = { warning: `${sampleLog.warning}. ${notKept}` };
      else context.warn(notKept);
    }
  } catch (error) {
    if (error instanceof CancelledError || context.signal?.aborted) throw new CancelledError('Cancelled while collecting the run\'s result archives; nothing unmasked was kept.');
    const why = `Could not download ${name}: ${error instanceof Error ? error.message : String(error)}`;
    if (name === 'results.zip') sampleLog = { warning: why };
    else context.progress(why);
  } finally {
    fs.rmSync(raw, { force: true });
  }
  return sampleLog;
}

function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError('Cancelled while collecting the run\'s result archives; nothing unmasked was kept.');
}

export function defaultRunName(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `TestRun_${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}_${pad(now.getHours())}-${pad(now.getMinutes())}-${pad(now.getSeconds())}`;
}
