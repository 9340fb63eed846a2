import type { ProbeSpec } from '../config';
import type { DrillProvider, ProbeOutcome, StepContext } from '../provider';
import { dateOf } from './azureArm';
import { httpProbe } from '../httpProbe';
import { pitrNewestBackup, PitrDrill, type PitrKind } from './azurePitr';

/**
 * Azure SQL Database, Resource Manager API 2021-11-01 (Microsoft.Sql/servers/databases): a point-in-time restore
 * is a PUT of a new database on the same server with `createMode: PointInTimeRestore`, `sourceDatabaseId` and
 * `restorePointInTime`; the database reports `properties.earliestRestoreDate` and `properties.status` (Online
 * when it accepts sessions).
 *
 * There is no SQL Server driver among our dependencies, and adding one only for probes would make every install
 * carry it. So probes are `http` (a health URL of an app pointed at the restored copy); SQL probes come back
 * `unknown`, which fails the drill rather than pretending.
 */
export const SQL_DATABASE_API_VERSION = '2021-11-01';

const databaseId = (subscription: string, resourceGroup: string, server: string, name: string) =>
  `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.Sql/servers/${server}/databases/${name}`;

export const sqlDatabaseKind: PitrKind = {
  provider: 'azure-sql',
  apiVersion: SQL_DATABASE_API_VERSION,
  label: 'Azure SQL database',
  sourceId: (config, subscription) => databaseId(subscription, config.source.resourceGroup!, config.source.server!, config.source.database!),
  targetId: (config, subscription) => databaseId(subscription, config.source.resourceGroup!, config.source.server!, config.target.database!),
  sourceName: (config) => `${config.source.server}/${config.source.database}`,
  targetName: (config) => `${config.source.server}/${config.target.database}`,
  earliestOf: (database) => dateOf(database.properties?.earliestRestoreDate),
  notBackingUp: (database) => {
    const status = String(database.properties?.status ?? '');
    return /^(Disabled|Offline|Shutdown)$/i.test(status) ? `The source database is ${status}, so its latest restorable time is unknown.` : undefined;
  },
  restoreProperties: (_config, sourceId, point) => ({ createMode: 'PointInTimeRestore', sourceDatabaseId: sourceId, restorePointInTime: point.toISOString() }),
  readiness: (database) => {
    const status = String(database.properties?.status ?? 'unknown');
    return { ready: status === 'Online', state: status };
  },
};

export const azureSqlProvider: DrillProvider = {
  name: 'azure-sql',
  open: (config) => new SqlDatabaseDrill(config, sqlDatabaseKind),
  newestBackup: (config, step) => pitrNewestBackup(sqlDatabaseKind, config, step),
};

class SqlDatabaseDrill extends PitrDrill {
  async probe(probe: ProbeSpec, step: StepContext): Promise<ProbeOutcome> {
    if (probe.type === 'http') return httpProbe(probe, step.signal);
    if (probe.type === 'command') return { status: 'unknown', detail: 'command probes run with the command provider only' };
    return {
      status: 'unknown',
      detail: `no SQL Server client here, so the ${probe.type} probe could not run against the restored database; probe it through an http health URL of an app pointed at it`,
    };
  }
}
