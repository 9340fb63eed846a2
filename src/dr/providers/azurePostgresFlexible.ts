import type { Client } from 'pg';
import { InfrastructureError } from '../../errors';
import { sleep } from '../../azure/sleep';
import type { DrillConfig, ProbeSpec } from '../config';
import { connect, describe, pgSql, type PgEndpoint } from '../pgConnection';
import type { DrillProvider, NewestData, ProbeOutcome, StepContext } from '../provider';
import { newestDataBySql, runSqlProbe, type Checkpoint } from '../sqlProbes';
import { dateOf, pollIntervalMs } from './azureArm';
import { httpProbe } from '../httpProbe';
import { pitrNewestBackup, PitrDrill, type PitrKind } from './azurePitr';
import { readCheckpoint } from './postgresArchive';

/**
 * Azure Database for PostgreSQL flexible server, Resource Manager API 2022-12-01 (the stable version Pulumi's
 * azure-native and the Az.PostgreSql module document): a point-in-time restore is a PUT of a new server with
 * `createMode: PointInTimeRestore`, `sourceServerResourceId` and `pointInTimeUTC`; the server reports
 * `properties.backup.earliestRestoreDate`, `properties.state` (Ready when it accepts sessions) and
 * `properties.fullyQualifiedDomainName`. A restored server keeps the source's logins, so probes sign in as
 * `target.user` with `target.password`.
 */
export const FLEXIBLE_SERVER_API_VERSION = '2022-12-01';

const serverId = (subscription: string, resourceGroup: string, name: string) =>
  `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;

export const flexibleServerKind: PitrKind = {
  provider: 'azure-postgres-flexible',
  apiVersion: FLEXIBLE_SERVER_API_VERSION,
  label: 'Azure Database for PostgreSQL flexible server',
  sourceId: (config, subscription) => serverId(subscription, config.source.resourceGroup!, config.source.server!),
  targetId: (config, subscription) => serverId(subscription, config.source.resourceGroup!, config.target.server!),
  sourceName: (config) => config.source.server!,
  targetName: (config) => config.target.server!,
  earliestOf: (server) => dateOf(server.properties?.backup?.earliestRestoreDate),
  notBackingUp: (server) => {
    const state = String(server.properties?.state ?? '');
    // "Backups are not performed on stopped servers" (Microsoft Learn, flexible server backup and restore).
    return /^(Stopped|Stopping|Disabled)$/i.test(state)
      ? `The source server is ${state}, and Azure takes no backups of a stopped server, so its latest restorable time is unknown.`
      : undefined;
  },
  restoreProperties: (_config, sourceId, point) => ({ createMode: 'PointInTimeRestore', sourceServerResourceId: sourceId, pointInTimeUTC: point.toISOString() }),
  readiness: (server) => {
    const state = String(server.properties?.state ?? 'unknown');
    return { ready: state === 'Ready', state };
  },
};

export const azurePostgresFlexibleProvider: DrillProvider = {
  name: 'azure-postgres-flexible',
  open: (config) => new FlexibleServerDrill(config),
  newestBackup: (config, step) => pitrNewestBackup(flexibleServerKind, config, step),
};

class FlexibleServerDrill extends PitrDrill {
  private endpoint: PgEndpoint | undefined;
  private checkpoint: Checkpoint | undefined;
  private readonly openClients = new Set<Client>();

  constructor(config: DrillConfig) {
    super(config, flexibleServerKind);
  }

  /** Ready in Resource Manager is not yet "accepts sessions": wait for a real `select 1`. */
  protected async afterReady(step: StepContext): Promise<string> {
    const host = this.restored?.properties?.fullyQualifiedDomainName;
    if (!host) throw new InfrastructureError(`The restored server "${this.config.target.server}" reports no fullyQualifiedDomainName to connect to.`);
    const target = this.config.target;
    this.endpoint = {
      host: String(host),
      port: target.port ?? 5432,
      user: target.user,
      password: target.password,
      database: target.database ?? 'postgres',
      sslmode: target.sslmode ?? 'require',
    };
    for (;;) {
      try {
        const client = await this.client();
        await client.query('select 1');
        this.release(client);
        return `${describe(this.endpoint)} accepts sessions`;
      } catch (error) {
        if (!(error instanceof InfrastructureError)) throw error;
        step.progress(`waiting for ${describe(this.endpoint)} to accept sessions`);
        await sleep(pollIntervalMs(this.config), step.signal);
      }
    }
  }

  async probe(probe: ProbeSpec, step: StepContext): Promise<ProbeOutcome> {
    if (probe.type === 'http') return httpProbe(probe, step.signal);
    if (probe.type === 'schema') {
      return { status: 'unknown', detail: 'the schema probe compares with the source through pg_dump, and this provider does not connect to the source server; use sql assertions instead' };
    }
    if (probe.type === 'command') return { status: 'unknown', detail: 'command probes run with the command provider only' };
    if (this.config.backup.checkpoint && !this.checkpoint) this.checkpoint = readCheckpoint(this.config.backup.checkpoint);
    const client = await this.client(probe.timeoutSeconds * 1000);
    try {
      return await runSqlProbe(probe, pgSql(client), this.checkpoint);
    } finally {
      this.release(client);
    }
  }

  async newestData(step: StepContext): Promise<NewestData> {
    if (!this.config.rpo.query && !this.config.rpo.heartbeat) return super.newestData(step);
    const client = await this.client();
    try {
      return (await newestDataBySql(pgSql(client), this.config.rpo))!;
    } finally {
      this.release(client);
    }
  }

  async cleanup(step: StepContext) {
    for (const client of this.openClients) await client.end().catch(() => undefined);
    this.openClients.clear();
    return super.cleanup(step);
  }

  private async client(statementTimeoutMs?: number): Promise<Client> {
    const client = await connect(this.endpoint!, { statementTimeoutMs });
    this.openClients.add(client);
    return client;
  }

  private release(client: Client): void {
    this.openClients.delete(client);
    client.end().catch(() => undefined);
  }
}
