import { SSL_MODES } from './pgTls';
/**
 * The JSON Schema of `drill.yaml`. Provider-specific parts are `if/then` branches keyed on `provider`, so an
 * editor with YAML language support can use the same schema, and our own validation reports unknown keys against
 * the keys that provider actually takes. Probes written as a bare string (`- select1`) are turned into
 * `{ type: select1 }` before validation.
 */
const duration = {
  description: 'A duration: `90s`, `15m`, `1h30m`, `2d`, or a number of seconds.',
  anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?(ms|s|m|h|d)?\\s*)+$' }],
};
import { rollbackSettings, terraformSettings, terraformTarget } from './recreation/schema';

const nonEmpty = { type: 'string', minLength: 1 };
const targetPair = {
  type: 'object',
  additionalProperties: false,
  properties: { rto: duration, rpo: duration },
};
const tableList = { type: 'array', minItems: 1, items: nonEmpty };

export const PROBE_TYPES = ['select1', 'schema', 'rowcounts', 'checksums', 'sql', 'http', 'command'] as const;

const probeCommon = { type: { enum: [...PROBE_TYPES] }, name: nonEmpty, timeout: duration };
function probeOf(type: string, props: Record<string, unknown>, required: string[] = []) {
  return {
    if: { properties: { type: { const: type } }, required: ['type'] },
    then: { properties: { ...probeCommon, ...props }, required, additionalProperties: false },
  };
}

const probe = {
  type: 'object',
  required: ['type'],
  properties: probeCommon,
  allOf: [
    probeOf('select1', {}),
    probeOf('schema', {}),
    probeOf('rowcounts', { tables: tableList }, ['tables']),
    probeOf('checksums', { tables: tableList }, ['tables']),
    probeOf('sql', { sql: nonEmpty, expect: {} }, ['sql']),
    probeOf('http', { url: nonEmpty, expectStatus: { type: 'integer' }, bodyContains: { type: 'string' } }, ['url']),
    probeOf('command', { command: nonEmpty, argv: { type: 'array', minItems: 1, items: { type: 'string' } } }),
  ],
};

const sqlSource = {
  query: nonEmpty,
  heartbeat: {
    type: 'object',
    additionalProperties: false,
    required: ['table'],
    properties: { table: nonEmpty, column: nonEmpty, write: { type: 'boolean' } },
  },
};

function providerBranch(provider: string, parts: Record<string, unknown>, required: string[]) {
  return { if: { properties: { provider: { const: provider } }, required: ['provider'] }, then: { properties: parts, required } };
}

function closed(properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) {
  return { type: 'object', additionalProperties: false, properties, required, ...extra };
}

/** Keys the two Azure point-in-time-restore providers share (src/dr/providers/azureArm.ts). */
const described = (description: string, schema: Record<string, unknown> = nonEmpty) => ({ ...schema, description });
const azureSource = {
  subscription: described('Subscription id of the source server; defaults to the service connection\'s subscription.'),
  resourceGroup: described('Resource group of the source server; the scratch copy is created in the same group.'),
  server: described('Name of the source server. It is only read, never written.'),
};
const azureBackup = {
  logBackupInterval: { ...duration, description: 'How often Azure backs up the transaction log. The latest restorable time is taken as now minus this (Azure reports no latest time). Default 15m for flexible server, 10m for Azure SQL (the documented worst cases).' },
};
const azureRestore = {
  pointInTime: described('`latest` (default) or an ISO 8601 time with its zone, quoted, e.g. "2026-11-26T22:00:00Z". Must lie within the restore window.'),
  pollInterval: { ...duration, description: 'How often the restore and delete operations are polled (a Retry-After from Azure wins). Default 15s.' },
};

export const drillFileSchema = {
  $id: 'https://readiness.local/schemas/drill.json',
  title: 'Disaster-recovery drill',
  type: 'object',
  additionalProperties: false,
  required: ['service', 'provider', 'probes'],
  properties: {
    service: nonEmpty,
    environment: nonEmpty,
    provider: { enum: ['postgres', 'embedded', 'command', 'azure-postgres-flexible', 'azure-sql', 'terraform', 'rollback'] },
    disruption: nonEmpty,
    targets: {
      type: 'object',
      additionalProperties: false,
      properties: { rto: duration, rpo: duration, rollback: duration, recover: duration, disruptions: { type: 'object', additionalProperties: targetPair } },
    },
    source: { type: 'object' },
    backup: { type: 'object' },
    target: { type: 'object' },
    restore: { type: 'object' },
    start: { type: 'object' },
    probes: { type: 'array', items: probe },
    rpo: { type: 'object' },
    cleanup: closed({ keep: { type: 'boolean' }, command: nonEmpty }),
    timeouts: closed({
      preflight: duration,
      backup: duration,
      restore: duration,
      start: duration,
      probe: duration,
      cleanup: duration,
      init: duration,
      plan: duration,
      apply: duration,
      destroy: duration,
      deploy: duration,
    }),
    tools: closed({ binDir: nonEmpty }),
    terraform: { type: 'object' },
    rollback: { type: 'object' },
  },
  allOf: [
    providerBranch(
      'postgres',
      {
        source: closed({ connection: nonEmpty, allowWrites: { type: 'boolean' } }, ['connection']),
        backup: closed({
          archive: nonEmpty,
          fresh: { type: 'boolean' },
          baseBackup: nonEmpty,
          checkpoint: nonEmpty,
          directory: nonEmpty,
        }),
        target: closed({ database: { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$' }, connection: nonEmpty }, [
          'database',
        ]),
        restore: closed({ jobs: { type: 'integer', minimum: 1, maximum: 64 } }),
        start: closed({}),
        rpo: closed(sqlSource),
      },
      ['source', 'backup', 'target'],
    ),
    providerBranch(
      'embedded',
      {
        source: closed({ seed: nonEmpty, allowWrites: { type: 'boolean' } }),
        backup: closed({ file: nonEmpty, fresh: { type: 'boolean' }, checkpoint: nonEmpty }),
        target: closed({ name: nonEmpty }),
        restore: closed({}),
        start: closed({}),
        rpo: closed(sqlSource),
      },
      ['backup'],
    ),
    providerBranch(
      'command',
      {
        source: closed({ description: { type: 'string' } }),
        backup: closed({ newestCommand: nonEmpty }),
        target: closed({ name: nonEmpty }),
        restore: closed({ command: nonEmpty }, ['command']),
        start: closed({
          command: nonEmpty,
          health: closed({ url: nonEmpty, expectStatus: { type: 'integer' }, interval: duration }, ['url']),
        }),
        rpo: closed({ command: nonEmpty }),
      },
      ['restore'],
    ),
    providerBranch(
      'azure-postgres-flexible',
      {
        source: closed(azureSource, ['resourceGroup', 'server']),
        backup: closed({ ...azureBackup, checkpoint: described('A JSON file of row counts/checksums recorded at backup time, for rowcounts and checksums probes.') }),
        target: closed(
          {
            server: described('Name of the scratch server the drill creates and deletes. Must not exist: the drill never overwrites a server.', {
              type: 'string',
              pattern: '^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$',
            }),
            location: described('Azure region of the scratch server; defaults to the source server\'s.'),
            database: described('Database the probes connect to on the restored server. Default postgres.'),
            user: described('Login for the probes: the source server\'s administrator login (a restored server keeps its logins).'),
            password: described('Password for the probes, as ${VAR} from a secret variable; redacted from all output.'),
            port: described('PostgreSQL port of the restored server. Default 5432.', { type: 'integer', minimum: 1, maximum: 65535 }),
            sslmode: described('TLS for the probes, as libpq means it: require (default; encrypted, certificate not checked), verify-ca (certificate must chain to a trusted root), verify-full (chain and host name), or disable, allow, prefer.', { enum: [...SSL_MODES] }),
          },
          ['server', 'user'],
        ),
        restore: closed(azureRestore),
        start: closed({}),
        // No heartbeat write: the drill takes no backup of its own, so a heartbeat written now could not be in it.
        rpo: closed({
          query: described('SQL on the restored server returning the newest data\'s time, e.g. `select max(updated_at) from orders`; RPO is then measured from the data.'),
          heartbeat: described('A table the service writes a row into regularly; RPO from its newest row.', {
            type: 'object',
            additionalProperties: false,
            required: ['table'],
            properties: { table: described('The heartbeat table.'), column: described('Its timestamp column (default `beat_at`).') },
          }),
        }),
      },
      ['source', 'target'],
    ),
    providerBranch(
      'azure-sql',
      {
        source: closed({ ...azureSource, database: described('Name of the source database on the server.') }, ['resourceGroup', 'server', 'database']),
        backup: closed(azureBackup),
        target: closed({ database: described('Name of the scratch database the drill restores into on the same server and deletes. Must not exist.') }, ['database']),
        restore: closed(azureRestore),
        start: closed({}),
        rpo: closed({}),
      },
      ['source', 'target'],
    ),
    providerBranch('terraform', { terraform: terraformSettings, target: terraformTarget }, ['terraform']),
    providerBranch('rollback', { rollback: rollbackSettings }, ['rollback', 'environment']),
  ],
} as const;
