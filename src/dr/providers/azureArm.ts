import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import { CheckFailedError, ConfigError, InfrastructureError } from '../../errors';
import { AzureHttp, createAzurePipeline, serviceErrorText, stripQuery, type JsonResponse } from '../../azure/http';
import { sleep } from '../../azure/sleep';
import type { DrillConfig, ProbeSpec } from '../config';
import { parseDuration } from '../duration';
import type { BackupFacts, CleanupOutcome, DrillSession, NewestData, ProbeOutcome, StepContext } from '../provider';

/**
 * What the runner is given to reach Azure Resource Manager for the Azure drill providers: the task builds it from
 * the `azureSubscription` service connection with `createCredential` (src/azure/credentials.ts).
 */
export interface AzureAccess {
  credential: TokenCredential;
  /** Resource Manager endpoint of the connection's cloud, e.g. https://management.azure.com. */
  armEndpoint: string;
  /** Extra CA to trust (the local emulator's); TLS checks are never turned off. */
  caCertificate?: string;
  /** The service connection's subscription, used when the drill file names none. */
  subscriptionId?: string;
}

/** A tag put on every scratch resource, so cleanup after an uncertain create deletes only what this drill made. */
export const DRILL_TAG = 'readiness-drill';

export interface AsyncOutcome {
  status: 'Succeeded' | 'Failed' | 'Canceled';
  /** The service's error text for Failed/Canceled. */
  error?: string;
}

/**
 * The few Resource Manager calls a point-in-time-restore drill makes, through the shared pipeline of
 * src/azure/http.ts (retries on 5xx, bounded 429 Retry-After, token per request). Long-running operations follow
 * the ARM async pattern (learn.microsoft.com "Track asynchronous Azure operations"): poll the
 * `Azure-AsyncOperation` URL until `status` leaves InProgress, or else the `Location` URL until it stops
 * answering 202.
 */
export class ArmClient {
  private readonly http: AzureHttp;
  private readonly origin: string;

  constructor(
    readonly access: AzureAccess,
    private readonly pollIntervalMs: number,
  ) {
    const arm = access.armEndpoint.replace(/\/+$/, '');
    this.origin = new URL(arm).origin;
    this.http = new AzureHttp(createAzurePipeline({ credential: access.credential, scope: `${arm}/.default`, caCertificate: access.caCertificate }));
  }

  url(resourceId: string, apiVersion: string): string {
    return `${this.origin}${resourceId}?api-version=${apiVersion}`;
  }

  send(method: 'GET' | 'PUT' | 'DELETE', resourceId: string, apiVersion: string, options: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<JsonResponse> {
    return this.http.send(method, this.url(resourceId, apiVersion), {
      signal: options.signal,
      headers: options.headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      contentType: options.body === undefined ? undefined : 'application/json',
      timeoutSeconds: 60,
    });
  }

  /**
   * Waits for the operation a PUT or DELETE started. Returns Succeeded/Failed/Canceled; throws only on faults.
   * `progress` gets one line per status change.
   */
  async waitFor(started: JsonResponse, what: string, signal: AbortSignal, progress: (m: string) => void): Promise<AsyncOutcome> {
    const asyncUrl = started.headers.get('azure-asyncoperation');
    const location = started.headers.get('location');
    if (!asyncUrl && !location) return { status: 'Succeeded' };
    const pollUrl = this.sameOrigin(asyncUrl ?? location!);
    let wait = retryAfterMs(started, this.pollIntervalMs);
    let last = '';
    for (;;) {
      await sleep(wait, signal);
      const response = await this.http.send('GET', pollUrl, { signal, timeoutSeconds: 60 });
      wait = retryAfterMs(response, this.pollIntervalMs);
      if (asyncUrl) {
        if (response.status !== 200) throw unexpected(`follow ${what}`, pollUrl, response);
        const body = (response.body ?? {}) as { status?: string; error?: { code?: string; message?: string } };
        const status = body.status ?? 'InProgress';
        if (status !== last) progress(`${what}: ${status}`);
        last = status;
        if (status === 'Succeeded') return { status };
        if (status === 'Failed' || status === 'Canceled') return { status, error: serviceErrorText(body) || 'no reason given' };
      } else {
        if (response.status === 202) continue;
        if (response.status === 200 || response.status === 201 || response.status === 204) return { status: 'Succeeded' };
        return { status: 'Failed', error: `HTTP ${response.status} ${serviceErrorText(response.body)}`.trim() };
      }
    }
  }

  /** Operation URLs come from the service; the bearer token only ever goes back to the Resource Manager host. */
  private sameOrigin(url: string): string {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InfrastructureError(`Resource Manager returned an operation URL that is not a URL: ${stripQuery(url)}`);
    }
    if (parsed.origin !== this.origin) {
      throw new InfrastructureError(`Resource Manager returned an operation URL on another host (${parsed.origin}, expected ${this.origin}); the drill does not send its token there.`);
    }
    return url;
  }
}

function retryAfterMs(response: JsonResponse, fallbackMs: number): number {
  const seconds = Number(response.headers.get('retry-after'));
  // Capped: a service asking for minutes between polls would stretch the measured RTO past what the restore took.
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, Math.max(fallbackMs, 60_000)) : fallbackMs;
}

/** A status we did not expect, as a sentence with the service's own reason. */
export function unexpected(what: string, url: string, response: JsonResponse): InfrastructureError {
  return new InfrastructureError(`Could not ${what}: Resource Manager answered HTTP ${response.status} for ${stripQuery(url)}. ${serviceErrorText(response.body)}`.trim());
}

/** 401/403 as a remedy: which role the service connection's identity lacks, and where. */
export function refused(what: string, scope: string, response: JsonResponse, role: string): InfrastructureError {
  return new InfrastructureError(
    `The service connection's identity may not ${what} (HTTP ${response.status}). Grant it the "${role}" role on ${scope}. ${serviceErrorText(response.body)}`.trim(),
  );
}

export function accessOf(config: DrillConfig): AzureAccess {
  if (!config.azure) {
    throw new ConfigError(
      `provider: ${config.provider} talks to Azure Resource Manager and was given no credential. In a pipeline set the azureSubscription input of ReadinessDrDrill@1 to an Azure Resource Manager service connection.`,
    );
  }
  return config.azure;
}

export function subscriptionOf(config: DrillConfig): string {
  const subscription = config.source.subscription ?? config.azure?.subscriptionId;
  if (!subscription) {
    throw new ConfigError(`source.subscription: not set, and the service connection names no subscription; add source.subscription: <subscription id> to ${config.file}.`);
  }
  return subscription;
}

export function pollIntervalMs(config: DrillConfig): number {
  const seconds = config.restore.pollInterval === undefined ? undefined : parseDuration(config.restore.pollInterval);
  return (seconds ?? 15) * 1000;
}

/**
 * The restore point: `restore.pointInTime` (an ISO time) when given, else the latest restorable time. Neither
 * Azure SQL nor PostgreSQL flexible server reports a latest restorable time on the resource (reference
 * readiness-and-dr.md 2.4: only `earliestRestoreDate`), so it is derived from the documented log-backup cadence:
 * Azure SQL takes transaction log backups every 5 to 10 minutes (Microsoft Learn, "Automated backups - Azure SQL
 * Database"); flexible server archives WAL when a segment is ready, with a delay of up to 15 minutes (Microsoft
 * Learn, "Backup and restore in Azure Database for PostgreSQL flexible server"). The newest point certain to be
 * restorable is one such interval before now. `backup.logBackupInterval` overrides the default (the documented worst
 * case); RPO measured this way is that interval, and docs/drills.md says so.
 */
export function restorePoint(config: DrillConfig, now: Date): { at: Date; how: string } {
  if (config.restore.pointInTime && config.restore.pointInTime !== 'latest') {
    return { at: new Date(config.restore.pointInTime), how: `restore.pointInTime ${config.restore.pointInTime}` };
  }
  const interval = logBackupIntervalSeconds(config);
  return {
    at: new Date(now.getTime() - interval * 1000),
    how: `latest restorable time, taken as now minus one log-backup interval (${interval}s, backup.logBackupInterval)`,
  };
}

export function logBackupIntervalSeconds(config: DrillConfig): number {
  const seconds = config.backup.logBackupInterval === undefined ? undefined : parseDuration(config.backup.logBackupInterval);
  return seconds ?? (config.provider === 'azure-sql' ? 600 : 900);
}

/** Checks the restore point against the window Azure reports; a point outside it cannot be restored. */
export function checkWindow(point: Date, earliest: Date | undefined, now: Date, where: string): string {
  if (earliest && point < earliest) {
    throw new CheckFailedError(`The restore point ${point.toISOString()} is before the earliest restore point ${earliest.toISOString()} of ${where}; backups that old are no longer kept. Choose a later restore.pointInTime.`);
  }
  if (point > now) throw new CheckFailedError(`The restore point ${point.toISOString()} is in the future; choose a time in the past.`);
  if (!earliest) return `${where} reports no earliest restore point`;
  const days = (now.getTime() - earliest.getTime()) / 86_400_000;
  return `restore window of ${where}: earliest ${earliest.toISOString()} (${days.toFixed(1)} days of retention)`;
}

export function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

// ---------------------------------------------------------------- the point-in-time-restore drill both providers share

/** What differs between Azure SQL databases and PostgreSQL flexible servers; everything else is the same drill. */
export interface PitrKind {
  provider: string;
  apiVersion: string;
  /** For people: "Azure Database for PostgreSQL flexible server". */
  label: string;
  sourceId(config: DrillConfig, subscription: string): string;
  targetId(config: DrillConfig, subscription: string): string;
  sourceName(config: DrillConfig): string;
  targetName(config: DrillConfig): string;
  earliestOf(resource: ArmResource): Date | undefined;
  /** Why the latest restorable time cannot be derived now (e.g. a stopped server takes no backups), if so. */
  notBackingUp(resource: ArmResource): string | undefined;
  restoreProperties(config: DrillConfig, sourceId: string, point: Date): Record<string, unknown>;
  /** The state that means the restored copy accepts work, and the field it is read from. */
  readiness(resource: ArmResource): { ready: boolean; state: string };
}

export interface ArmResource {
  id?: string;
  location?: string;
  tags?: Record<string, string>;
  properties?: Record<string, any>;
}

/** Backup freshness for an Azure provider: the latest restorable time of the source, from its restore window. */
export async function pitrNewestBackup(kind: PitrKind, config: DrillConfig, step: StepContext): Promise<BackupFacts> {
  const arm = new ArmClient(accessOf(config), pollIntervalMs(config));
  const subscription = subscriptionOf(config);
  const source = await readSource(arm, kind, config, subscription, step.signal);
  const earliest = kind.earliestOf(source);
  if (!earliest) throw new CheckFailedError(`${kind.label} "${kind.sourceName(config)}" reports no earliest restore point, so Azure holds no backup of it to restore.`);
  const stopped = kind.notBackingUp(source);
  if (stopped) throw new CheckFailedError(stopped);
  const latest = new Date(step.drillStartedAt.getTime() - logBackupIntervalSeconds(config) * 1000);
  step.progress(checkWindow(latest, earliest, step.drillStartedAt, `"${kind.sourceName(config)}"`));
  return { location: `${kind.label} ${kind.sourceName(config)} (earliest restore point ${earliest.toISOString()})`, takenAt: latest };
}

async function readSource(arm: ArmClient, kind: PitrKind, config: DrillConfig, subscription: string, signal: AbortSignal): Promise<ArmResource> {
  const id = kind.sourceId(config, subscription);
  const response = await arm.send('GET', id, kind.apiVersion, { signal });
  const where = `resource group "${config.source.resourceGroup}" of subscription ${subscription}`;
  if (response.status === 404) {
    throw new CheckFailedError(`The ${kind.label} "${kind.sourceName(config)}" does not exist in ${where}, so there is no backup to restore. Check source.server, source.resourceGroup and source.subscription.`);
  }
  if (response.status === 401 || response.status === 403) throw refused(`read the ${kind.label} "${kind.sourceName(config)}"`, where, response, 'Reader');
  if (response.status !== 200) throw unexpected(`read the ${kind.label} "${kind.sourceName(config)}"`, arm.url(id, kind.apiVersion), response);
  return (response.body ?? {}) as ArmResource;
}

/**
 * One drill: read the source and its restore window, refuse a target that exists, PUT a PointInTimeRestore
 * into the scratch name and follow the operation, wait until the copy is ready, and DELETE it at cleanup whatever
 * happened. Subclasses add the probes.
 */
export abstract class PitrDrill implements DrillSession {
  protected arm!: ArmClient;
  protected subscription = '';
  protected point: Date | undefined;
  protected restored: ArmResource | undefined;
  private facts: BackupFacts;
  private sourceId = '';
  private targetId = '';
  private window = '';
  private readonly drillId = randomUUID();
  private created = false;
  /** The PUT was sent but its answer never came (cancel, network): the copy may exist. */
  private uncertain = false;
  private creating: Promise<unknown> | undefined;

  constructor(
    protected readonly config: DrillConfig,
    protected readonly kind: PitrKind,
  ) {
    this.facts = { location: `${kind.label} ${kind.sourceName(config)}` };
  }

  abstract probe(probe: ProbeSpec, step: StepContext): Promise<ProbeOutcome>;

  /** After the copy reports ready: a provider may also check it accepts sessions. */
  protected async afterReady(_step: StepContext): Promise<string> {
    return '';
  }

  backupFacts(): BackupFacts {
    return this.facts;
  }

  async preflight(step: StepContext): Promise<string> {
    this.arm = new ArmClient(accessOf(this.config), pollIntervalMs(this.config));
    this.subscription = subscriptionOf(this.config);
    this.sourceId = this.kind.sourceId(this.config, this.subscription);
    this.targetId = this.kind.targetId(this.config, this.subscription);
    const source = await readSource(this.arm, this.kind, this.config, this.subscription, step.signal);
    const earliest = this.kind.earliestOf(source);
    const latest = !this.config.restore.pointInTime || this.config.restore.pointInTime === 'latest';
    const stopped = latest ? this.kind.notBackingUp(source) : undefined;
    if (stopped) throw new CheckFailedError(`${stopped} Give restore.pointInTime explicitly to restore an older point.`);
    const point = restorePoint(this.config, step.drillStartedAt);
    this.window = checkWindow(point.at, earliest, step.drillStartedAt, `"${this.kind.sourceName(this.config)}"`);
    this.point = point.at;
    this.sourceLocation = source.location;
    this.facts = { location: this.facts.location, takenAt: point.at };

    const target = await this.arm.send('GET', this.targetId, this.kind.apiVersion, { signal: step.signal });
    const scratch = `"${this.kind.targetName(this.config)}"`;
    if (target.status === 200) {
      throw new CheckFailedError(`The scratch ${this.kind.label} ${scratch} already exists. A drill never overwrites a resource it did not create; choose another target name, or delete it yourself if it is a leftover.`);
    }
    if (target.status === 401 || target.status === 403) throw refused(`read ${scratch}`, `resource group "${this.config.source.resourceGroup}"`, target, 'Contributor');
    if (target.status !== 404) throw unexpected(`check that ${scratch} is free`, this.arm.url(this.targetId, this.kind.apiVersion), target);
    return [`${this.kind.label} "${this.kind.sourceName(this.config)}" readable`, this.window, `restore point ${point.at.toISOString()} (${point.how})`, `scratch name ${scratch} is free`].join('; ');
  }

  private sourceLocation: string | undefined;

  async restore(step: StepContext): Promise<string> {
    const scratch = `"${this.kind.targetName(this.config)}"`;
    const body = {
      location: this.config.target.location ?? this.sourceLocation,
      tags: { [DRILL_TAG]: this.drillId },
      properties: this.kind.restoreProperties(this.config, this.sourceId, this.point!),
    };
    this.uncertain = true;
    // If-None-Match: * asks Resource Manager to refuse the PUT if the name was taken since preflight.
    this.creating = this.arm.send('PUT', this.targetId, this.kind.apiVersion, { body, headers: { 'if-none-match': '*' }, signal: step.signal });
    const started = (await this.creating) as JsonResponse;
    this.uncertain = false;
    if (started.status === 409 || started.status === 412) {
      throw new CheckFailedError(`Azure refused to create ${scratch}: it already exists (HTTP ${started.status}). A drill never overwrites a resource it did not create. ${serviceErrorText(started.body)}`.trim());
    }
    if (started.status === 401 || started.status === 403) {
      throw refused(`create ${scratch}`, `resource group "${this.config.source.resourceGroup}"`, started, 'Contributor');
    }
    if (started.status === 400) throw new CheckFailedError(`Azure refused the point-in-time restore into ${scratch}: ${serviceErrorText(started.body) || 'HTTP 400'}`);
    if (![200, 201, 202].includes(started.status)) throw unexpected(`start the restore into ${scratch}`, this.arm.url(this.targetId, this.kind.apiVersion), started);
    this.created = true;
    step.progress(`point-in-time restore of "${this.kind.sourceName(this.config)}" to ${this.point!.toISOString()} into ${scratch} accepted`);
    const outcome = await this.arm.waitFor(started, `restore into ${scratch}`, step.signal, step.progress);
    if (outcome.status !== 'Succeeded') {
      throw new CheckFailedError(`The point-in-time restore into ${scratch} ended ${outcome.status}: ${outcome.error}. The backup could not be restored, so it cannot be trusted.`);
    }
    return `PointInTimeRestore of "${this.kind.sourceName(this.config)}" to ${this.point!.toISOString()} into new ${this.kind.label} ${scratch} succeeded`;
  }

  async start(step: StepContext): Promise<string> {
    const scratch = `"${this.kind.targetName(this.config)}"`;
    let last = '';
    for (;;) {
      const response = await this.arm.send('GET', this.targetId, this.kind.apiVersion, { signal: step.signal });
      if (response.status !== 200) throw unexpected(`read the restored ${scratch}`, this.arm.url(this.targetId, this.kind.apiVersion), response);
      this.restored = (response.body ?? {}) as ArmResource;
      const { ready, state } = this.kind.readiness(this.restored);
      if (ready) {
        const more = await this.afterReady(step);
        return [`${scratch} is ${state}`, more].filter(Boolean).join('; ');
      }
      if (state !== last) step.progress(`${scratch} is ${state}`);
      last = state;
      await sleep(pollIntervalMs(this.config), step.signal);
    }
  }

  async newestData(_step: StepContext): Promise<NewestData> {
    return {
      method: 'latest-restorable-time',
      newestAt: this.point ?? null,
      detail: this.point ? `restored to ${this.point.toISOString()}; ${this.window}` : 'no restore point was chosen',
    };
  }

  async cleanup(step: StepContext): Promise<CleanupOutcome> {
    await this.creating?.catch(() => undefined);
    const where = `${this.kind.label} ${this.targetId}`;
    if (!this.created && !this.uncertain) return { leftBehind: [], detail: 'nothing was created' };
    try {
      if (this.uncertain) {
        // The PUT's answer was lost: delete only a resource carrying this drill's tag.
        const found = await this.arm.send('GET', this.targetId, this.kind.apiVersion, { signal: step.signal });
        if (found.status === 404) return { leftBehind: [], detail: 'the restore request was interrupted before Azure created anything' };
        if (found.status !== 200) return { leftBehind: [where], detail: `cannot tell whether the interrupted restore created ${where} (HTTP ${found.status}); check and delete it` };
        if ((found.body as ArmResource)?.tags?.[DRILL_TAG] !== this.drillId) return { leftBehind: [], detail: `${where} exists but was not created by this drill; left untouched` };
      }
      if (this.config.cleanup.keep) return { leftBehind: [where], detail: `kept ${where} (cleanup.keep: true); delete it when done, it is billed while it exists` };
      return await this.delete(where, step);
    } catch (error) {
      return { leftBehind: [where], detail: `could not delete ${where}: ${(error as Error).message}` };
    }
  }

  private async delete(where: string, step: StepContext): Promise<CleanupOutcome> {
    for (;;) {
      const response = await this.arm.send('DELETE', this.targetId, this.kind.apiVersion, { signal: step.signal });
      if (response.status === 404 || response.status === 204) return { leftBehind: [], detail: `deleted ${where}` };
      if (response.status === 409) {
        // Another operation (the restore we abandoned) still holds the resource; ask again shortly.
        step.progress(`delete of ${where} refused while busy; retrying`);
        await sleep(pollIntervalMs(this.config), step.signal);
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        const why = refused(`delete ${where}`, `resource group "${this.config.source.resourceGroup}"`, response, 'Contributor').message;
        return { leftBehind: [where], detail: why };
      }
      if (response.status !== 200 && response.status !== 202) {
        return { leftBehind: [where], detail: `Azure did not delete ${where}: HTTP ${response.status} ${serviceErrorText(response.body)}`.trim() };
      }
      const outcome = await this.arm.waitFor(response, `delete of ${this.kind.targetName(this.config)}`, step.signal, step.progress);
      return outcome.status === 'Succeeded'
        ? { leftBehind: [], detail: `deleted ${where}` }
        : { leftBehind: [where], detail: `the delete of ${where} ended ${outcome.status}: ${outcome.error}` };
    }
  }
}

/** An HTTP health probe (the restored database's application, or any URL that proves the copy serves). */
export async function httpProbe(probe: ProbeSpec, signal: AbortSignal): Promise<ProbeOutcome> {
  const response = await fetch(probe.url!, { signal });
  const body = await response.text();
  const expected = probe.expectStatus ?? 200;
  if (response.status !== expected) return { status: 'failed', detail: `${probe.url} answered ${response.status}, expected ${expected}` };
  if (probe.bodyContains !== undefined && !body.includes(probe.bodyContains)) {
    return { status: 'failed', detail: `${probe.url} answered ${expected} but the body lacks "${probe.bodyContains}"` };
  }
  return { status: 'passed', detail: `${probe.url} answered ${expected}${probe.bodyContains ? ` with "${probe.bodyContains}"` : ''}` };
}
