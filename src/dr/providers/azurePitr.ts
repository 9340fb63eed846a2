import { randomUUID } from 'node:crypto';
import { CheckFailedError } from '../../errors';
import { serviceErrorText, type JsonResponse } from '../../azure/http';
import { sleep } from '../../azure/sleep';
import type { DrillConfig, ProbeSpec } from '../config';
import type { BackupFacts, CleanupOutcome, DrillSession, NewestData, ProbeOutcome, StepContext } from '../provider';
import {
  accessOf,
  ArmClient,
  checkWindow,
  DRILL_TAG,
  logBackupIntervalSeconds,
  pollIntervalMs,
  refused,
  restorePoint,
  subscriptionOf,
  unexpected,
} from './azureArm';

/**
 * The point-in-time-restore drill both Azure providers share; azurePostgresFlexible.ts and azureSql.ts describe
 * what differs (a PitrKind) and add their probes.
 */
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

/** How many 404s start() accepts right after the create before it believes the copy is gone. */
const NOT_FOUND_RETRIES = 5;

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
  // Azure reports no latest restorable time: this one is now minus the declared log-backup interval, not a measurement.
  return { location: `${kind.label} ${kind.sourceName(config)} (earliest restore point ${earliest.toISOString()})`, takenAt: latest, takenAtFrom: 'declared-interval' };
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
  private sourceLocation: string | undefined;

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
    if ((started.status === 409 || started.status === 412) && (await this.carriesOurTag(step.signal))) {
      // The pipeline retried a PUT whose first answer was lost, and the first attempt had created it: it is ours.
      this.created = true;
      return `PointInTimeRestore into ${scratch} accepted (a retried request found it already created by this drill); start waits until it is ready`;
    }
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
    let notFound = 0;
    for (;;) {
      const response = await this.arm.send('GET', this.targetId, this.kind.apiVersion, { signal: step.signal });
      // Resource Manager reads are eventually consistent: right after a create, a GET can briefly answer 404
      // (Microsoft Learn, "Resource Manager ... eventual consistency"). Ask again a few times before giving up.
      if (response.status === 404 && ++notFound <= NOT_FOUND_RETRIES) {
        step.progress(`${scratch} not visible yet (HTTP 404, attempt ${notFound} of ${NOT_FOUND_RETRIES}); asking again`);
        await sleep(pollIntervalMs(this.config), step.signal);
        continue;
      }
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

  /**
   * Without an RPO query the newest data is the restore point. An explicit restore.pointInTime that Azure restored
   * to is a real point the backups covered (`latest-restorable-time`); "latest" is now minus the log-backup interval
   * the drill file declares, so its RPO is that declaration, not a measurement (`declared-interval`).
   */
  async newestData(_step: StepContext): Promise<NewestData> {
    const explicit = !!this.config.restore.pointInTime && this.config.restore.pointInTime !== 'latest';
    if (!this.point) return { method: 'none', newestAt: null, detail: 'no restore point was chosen' };
    return explicit
      ? { method: 'latest-restorable-time', newestAt: this.point, detail: `restored to restore.pointInTime ${this.point.toISOString()}; ${this.window}` }
      : {
          method: 'declared-interval',
          newestAt: this.point,
          detail: `restored to "latest", taken as drill start minus the declared log-backup interval (${logBackupIntervalSeconds(this.config)}s, backup.logBackupInterval): RPO declared, not measured; ${this.window}`,
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
        if (!this.isOurs(found)) return { leftBehind: [], detail: `${where} exists but was not created by this drill; left untouched` };
      }
      if (this.config.cleanup.keep) return { leftBehind: [where], detail: `kept ${where} (cleanup.keep: true); delete it when done, it is billed while it exists` };
      return await this.delete(where, step);
    } catch (error) {
      return { leftBehind: [where], detail: `could not delete ${where}: ${(error as Error).message}` };
    }
  }

  private isOurs(found: JsonResponse): boolean {
    return found.status === 200 && (found.body as ArmResource)?.tags?.[DRILL_TAG] === this.drillId;
  }

  private async carriesOurTag(signal: AbortSignal): Promise<boolean> {
    return this.isOurs(await this.arm.send('GET', this.targetId, this.kind.apiVersion, { signal }));
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
