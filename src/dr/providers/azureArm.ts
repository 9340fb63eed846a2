import type { TokenCredential } from '@azure/core-auth';
import { CheckFailedError, ConfigError, InfrastructureError } from '../../errors';
import { AzureHttp, createAzurePipeline, serviceErrorText, stripQuery, type JsonResponse } from '../../azure/http';
import { sleep } from '../../azure/sleep';
import type { DrillConfig } from '../config';
import { parseDuration } from '../duration';

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

  send(method: 'GET' | 'PUT' | 'DELETE' | 'POST', resourceId: string, apiVersion: string, options: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<JsonResponse> {
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
      `provider: ${config.provider} talks to Azure Resource Manager and was given no credential. In a pipeline, set the azureSubscription input of ReadinessDrDrill@1 to an Azure Resource Manager service connection; the readiness CLI does not sign in to Azure for drills.`,
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
    how: `"latest", taken as now minus the declared log-backup interval (${interval}s, backup.logBackupInterval); RPO is declared, not measured`,
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
