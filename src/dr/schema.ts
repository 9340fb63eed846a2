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
    probeOf('command', { command: nonEmpty }, ['command']),
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

export const drillFileSchema = {
  $id: 'https://readiness.local/schemas/drill.json',
  title: 'Disaster-recovery drill',
  type: 'object',
  additionalProperties: false,
  required: ['service', 'provider', 'probes'],
  properties: {
    service: nonEmpty,
    environment: nonEmpty,
    provider: { enum: ['postgres', 'embedded', 'command'] },
    disruption: nonEmpty,
    targets: {
      type: 'object',
      additionalProperties: false,
      properties: { rto: duration, rpo: duration, disruptions: { type: 'object', additionalProperties: targetPair } },
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
    }),
    tools: closed({ binDir: nonEmpty }),
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
  ],
} as const;
