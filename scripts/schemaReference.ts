/**
 * Generates docs/policy-reference.md (from src/gate/policySchema.ts, the schema the gate validates with and the one
 * written to examples/policy/readiness.schema.json) and docs/drill-reference.md (from src/dr/schema.ts), so the file
 * references list exactly the keys the validators accept. Run: `npx tsx scripts/schemaReference.ts`.
 * test/docs-site/schemaReference.test.ts fails when a checked-in page differs from what this produces.
 *
 * The schemas carry few descriptions and no defaults (the loaders apply defaults in code), so DESCRIPTIONS and
 * DEFAULTS below fill them in by key path. The test also fails when a key has no description or when an entry
 * below names a key the schema no longer has, so neither side can drift.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_TARGETS, DEFAULT_TIMEOUTS } from '../src/dr/config';
import { drillFileSchema } from '../src/dr/schema';
import { editorSchema, ruleSchemas } from '../src/gate/policySchema';

type Schema = Record<string, any>;
export interface SchemaRow { section: string; key: string; type: string; required: boolean; default: string; description: string }

const root = path.resolve(__dirname, '..');
const placeholders: Record<string, string> = { roles: '<role>', environments: '<environment>', headings: '<file>', disruptions: '<disruption>' };
const minutes = (seconds: number) => (seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`);

/** Descriptions by `section|key` for keys whose schema has none. */
export const DESCRIPTIONS: Record<string, string> = {
  'top|tier': 'A label shown with the verdict, e.g. `1` or `critical`.',
  'top|roles.<role>': 'One role (e.g. `operations`) and who may sign for it; also who may waive checks the role owns.',
  'top|checks': 'The checks, each a rule over evidence or sign-offs.',
  'top|checks[].id': 'Unique id; levels refer to it. Letters, digits, `.`, `_`, `-`.',
  'top|checks[].title': 'What the check asks for, in words; shown on the scorecard.',
  'top|checks[].owner': 'The role answerable for the check, and allowed to waive it.',
  'top|checks[].type': 'Which evidence the rule reads; picks the `rule` schema below.',
  'top|checks[].rule': 'The rule of the check type; see the sections below.',
  'top|levels': 'Levels, lowest first and cumulative: a level needs its checks and those of every lower level.',
  'top|levels[].name': 'Level name, e.g. `bronze`.',
  'top|levels[].checks': 'Ids of the checks this level adds.',
  'top|environments': 'Per environment: the level it requires and how the verdict is enforced.',
  'top|environments.<environment>': 'One environment, named as the gate is given it (e.g. `production`).',
  'top|environments.<environment>.requiredLevel': 'The level the environment needs to be ready.',
  'top|environments.<environment>.enforcement': '`block` fails the gate when the level is not reached; `warn` reports and lets the deployment continue.',
  'loadtest|passedWithinDays': 'The newest load test must have finished at most this many days ago (inclusive).',
  'loadtest|testId': 'Only evidence of this Azure Load Testing `testId` counts.',
  'drill|passedWithinDays': 'The newest drill must have finished at most this many days ago (inclusive).',
  'drill|rto': 'Longest acceptable measured recovery time: `90s`, `15m`, `1h30m`, or seconds.',
  'drill|rpo': 'Longest acceptable measured data-loss window: `90s`, `5m`, or seconds.',
  'drill|provider': 'Only drills of this provider count, e.g. `postgres`.',
  'docs|root': 'Folder the paths below are relative to, itself relative to the policy file. Must be relative.',
  'docs|files': 'Files that must exist; an entry that is a list is a set of alternatives, one is enough.',
  'docs|headings': 'Per file, headings that must be present and not empty.',
  'docs|headings.<file>': 'Required headings of one Markdown file, matched by their words (case and numbering ignored).',
  'docs|reviewed': 'Files whose `last_reviewed` front-matter date is checked.',
  'docs|reviewedWithinDays': 'Longest time since `last_reviewed`, in days (inclusive).',
  'docs|links': 'Relative links in the Markdown files read must resolve.',
  'docs|minContentChars': 'Least real content (non-space characters outside headings and placeholders) in each `headings` file.',
  'environment|passedWithinDays': 'The newest environment check must have finished at most this many days ago (inclusive).',
  'capacity|passedWithinDays': 'The newest capacity search must have finished at most this many days ago (inclusive).',
  'capacity|testId': 'Only capacity searches of this Azure Load Testing `testId` count.',
  'capacity|environments': 'Accept capacity searches from these environments only (default: any).',
  'signoff|roles': 'Roles that must each approve; each must be defined under `roles`.',
  'signoff|expiresAfterDays': 'Makes it an attestation that lapses this many days after it was given, and is not bound to a version.',
  'signoff|everyMember': 'Every member of the role (its users and group members) must have signed, not just one.',
  'top|service': 'The service the evidence is about.',
  'top|environment': 'The environment named in the evidence; required by `rollback` drills, which run only where `rollback.safeEnvironments` allows.',
  'top|provider': 'What the drill proves. A restore: a PostgreSQL server, PGlite in process, your own commands, or an Azure point-in-time restore (Azure Database for PostgreSQL flexible server, Azure SQL). `terraform`: the environment rebuilt from its Terraform configuration. `rollback`: the previous version deployed and the current one restored.',
  'top|disruption': 'Which `targets.disruptions` entry this drill is judged against.',
  'top|targets': 'RTO and RPO targets; for `terraform` drills `rto` is the environment RTO, for `rollback` drills `rollback` and `recover` apply.',
  'top|targets.rollback': '`rollback` drills: longest acceptable time to rollback (previous version deploy start until every probe passed against it).',
  'top|targets.recover': '`rollback` drills: longest acceptable time to recover (return to the current version until every probe passed again).',
  'top|terraform': 'The recreation drill\'s settings (`provider: terraform`); see that section below.',
  'top|rollback': 'The rollback drill\'s settings (`provider: rollback`); see that section below.',
  'top|timeouts.init': '`terraform` drills: limit of `terraform init`.',
  'top|timeouts.plan': '`terraform` drills: limit of each `terraform plan` (the first and the converge check).',
  'top|timeouts.apply': '`terraform` drills: limit of `terraform apply`; on expiry terraform is interrupted and the destroy still runs.',
  'top|timeouts.destroy': '`terraform` drills: limit of the destroy and the state check, which run even after a cancel.',
  'top|timeouts.deploy': '`rollback` drills: limit of each deploy command or slot swap (plus the probes\' own limits).',
  'probe:command|argv': 'A command as `[program, arg, ...]`, run without a shell from the drill file\'s folder; must exit 0. Give `command` or `argv`; `argv` is the only form `terraform` and `rollback` drills take. `${output.NAME}`, `${drill.suffix}` and `${drill.version}` are replaced per argument.',
  'terraform|terraform.variables.<name>': 'One input variable, e.g. `location: westeurope`; `${SECRET}` values are masked.',
  'terraform|terraform.backend.config.<name>': 'One backend setting, e.g. `storage_account_name: stdrillstate`; written to a file passed with `-backend-config`, never to the command line.',
  'terraform|terraform.prices.<name>': 'Price of one resource of this type per hour.',
  'terraform|terraform.leakProbe.name': 'Name of the leak probe in the evidence.',
  'terraform|terraform.leakProbe.timeout': 'Limit of the leak probe.',
  'terraform|target.connection': 'postgres:// URL the `select1` and `sql` probes use, e.g. `${output.database_url}`.',
  'rollback|rollback.slotSwap.resourceGroup': 'Resource group of the web app.',
  'rollback|rollback.slotSwap.pollInterval': 'How often the swap operation is polled.',
  'top|targets.rto': 'Longest acceptable recovery time (restore start until every probe passed).',
  'top|targets.rpo': 'Longest acceptable data-loss window (drill start minus the newest restored data).',
  'top|targets.disruptions': 'Targets per disruption type; a missing value falls back to the top-level one.',
  'top|targets.disruptions.<disruption>': 'Targets for one disruption type, e.g. `region`.',
  'top|targets.disruptions.<disruption>.rto': 'RTO target for this disruption.',
  'top|targets.disruptions.<disruption>.rpo': 'RPO target for this disruption.',
  'top|source': 'The database the backup comes from; keys depend on `provider` (below). Never written to without `allowWrites`.',
  'top|backup': 'The backup to restore; keys depend on `provider`.',
  'top|target': 'The scratch target restored into; keys depend on `provider`.',
  'top|restore': 'Restore options; keys depend on `provider`.',
  'top|start': 'How the restored copy is started; keys depend on `provider`.',
  'top|probes': 'Checks on the restored copy; at least one. A bare string is a probe with only a type.',
  'top|rpo': 'Where the newest data comes from; keys depend on `provider`. Without it, RPO is the backup age.',
  'top|cleanup': 'What happens after the drill, on failure and cancel too.',
  'top|cleanup.keep': 'Keep the scratch target for inspection; it is then reported as left behind.',
  'top|cleanup.command': 'Command provider: removes what `restore.command` created.',
  'top|timeouts': 'Per-step time limits; a step that times out fails the drill.',
  'top|timeouts.preflight': 'Limit of the preflight step.',
  'top|timeouts.backup': 'Limit of a fresh dump.',
  'top|timeouts.restore': 'Limit of the restore step.',
  'top|timeouts.start': 'Limit of the start step (and of the health polling).',
  'top|timeouts.probe': 'Default limit of each probe.',
  'top|timeouts.cleanup': 'Limit of the cleanup step.',
  'top|tools': 'Where the PostgreSQL client tools are.',
  'top|tools.binDir': 'Folder of pg_dump, pg_restore and pg_verifybackup.',
  'probe|type': 'What the probe proves; the keys it takes are listed per type below.',
  'probe|name': 'Name shown in the evidence and the JUnit case.',
  'probe|timeout': 'Limit of this probe; a probe that times out is `unknown`, which fails the drill.',
  'probe:rowcounts|tables': 'Tables whose row counts must equal those at backup time.',
  'probe:checksums|tables': 'Tables whose rows must equal those at backup time (order-independent md5).',
  'probe:sql|sql': 'A query; the first column of its first row is compared with `expect`.',
  'probe:sql|expect': 'The value expected.',
  'probe:http|url': 'The URL to request.',
  'probe:http|expectStatus': 'The HTTP status expected.',
  'probe:http|bodyContains': 'Text the body must contain.',
  'probe:command|command': 'A command that must exit 0; run through `/bin/sh -c` from the drill file\'s folder.',
  'postgres|source.connection': 'libpq URL of the source, e.g. `postgres://app:${PGPASSWORD}@db:5432/orders`.',
  'postgres|source.allowWrites': 'Opt-in to the only write a drill makes: the heartbeat row of `rpo.heartbeat.write`.',
  'postgres|backup.archive': 'An existing pg_dump archive (custom, tar or directory format).',
  'postgres|backup.fresh': 'Dump the source now (read-only snapshot) and restore that; the dump is timed apart from RTO.',
  'postgres|backup.baseBackup': 'A pg_basebackup folder, checked with pg_verifybackup.',
  'postgres|backup.checkpoint': 'JSON file of row counts and checksums at backup time (default `<archive>.checkpoint.json`).',
  'postgres|backup.directory': 'Folder the backup job writes to; its newest archive is restored.',
  'postgres|target.database': 'Scratch database the drill creates and drops; a name that exists is refused.',
  'postgres|target.connection': 'Server for the scratch database; set it to a separate server for production drills.',
  'postgres|restore.jobs': '`pg_restore --jobs`.',
  'postgres|rpo.query': 'SQL on the restored copy returning the newest data\'s time, e.g. `select max(updated_at) from orders`.',
  'postgres|rpo.heartbeat': 'A table the service writes a row into regularly.',
  'postgres|rpo.heartbeat.table': 'The heartbeat table.',
  'postgres|rpo.heartbeat.column': 'Its timestamp column.',
  'postgres|rpo.heartbeat.write': 'Insert a heartbeat right before the fresh dump (needs `source.allowWrites` and `backup.fresh`).',
  'embedded|source.seed': 'SQL file that builds the source in memory.',
  'embedded|source.allowWrites': 'Opt-in for the heartbeat write.',
  'embedded|backup.file': 'A PGlite `dumpDataDir()` tarball.',
  'embedded|backup.fresh': 'Dump the seeded source now.',
  'embedded|backup.checkpoint': 'JSON file of row counts and checksums at backup time.',
  'embedded|target.name': 'Label of the restored in-memory instance.',
  'embedded|rpo.query': 'SQL on the restored copy returning the newest data\'s time.',
  'embedded|rpo.heartbeat': 'A table the service writes a row into regularly.',
  'embedded|rpo.heartbeat.table': 'The heartbeat table.',
  'embedded|rpo.heartbeat.column': 'Its timestamp column.',
  'embedded|rpo.heartbeat.write': 'Insert a heartbeat before the fresh dump (needs `source.allowWrites`).',
  'command|source.description': 'Free text describing the source, for people.',
  'command|backup.newestCommand': 'Prints the newest backup\'s time (ISO 8601); used for RPO by backup age and freshness.',
  'command|target.name': 'Passed to your scripts as `DRILL_TARGET`.',
  'command|restore.command': 'Your restore script, timed as the restore step; a non-zero exit fails the drill.',
  'command|start.command': 'Optional script run after the restore (e.g. a failover).',
  'command|start.health': 'An HTTP health check polled until it answers.',
  'command|start.health.url': 'The URL polled.',
  'command|start.health.expectStatus': 'The status that means healthy.',
  'command|start.health.interval': 'Time between polls.',
  'command|rpo.command': 'Prints the newest data\'s time in the restored copy.',
};

/** Defaults applied by the loaders (src/gate/policy.ts, src/dr/config.ts), by `section|key`. */
export const DEFAULTS: Record<string, string> = {
  'docs|root': '`.`',
  'capacity|headroom': '`2`',
  'docs|reviewed': 'the `headings` files',
  'docs|links': '`true`',
  'top|environment': '`local` (CLI)',
  'top|targets.rto': `\`${minutes(DEFAULT_TARGETS.rto)}\``,
  'top|targets.rpo': `\`${minutes(DEFAULT_TARGETS.rpo)}\``,
  'top|cleanup.keep': '`false`',
  'top|tools.binDir': 'PATH, then `/usr/lib/postgresql/<newest>/bin`',
  ...Object.fromEntries(Object.entries(DEFAULT_TIMEOUTS).map(([step, s]) => [`top|timeouts.${step}`, `\`${minutes(s)}\``])),
  'probe|name': 'the type (and tables or URL)',
  'probe|timeout': '`timeouts.probe`',
  'probe:sql|expect': '`true`',
  'probe:http|expectStatus': '`200`',
  'postgres|source.allowWrites': '`false`',
  'postgres|backup.fresh': '`false`',
  'postgres|target.connection': "the source's server",
  'postgres|rpo.heartbeat.column': '`beat_at`',
  'postgres|rpo.heartbeat.write': '`false`',
  'embedded|source.allowWrites': '`false`',
  'embedded|backup.fresh': '`false`',
  'embedded|rpo.heartbeat.column': '`beat_at`',
  'embedded|rpo.heartbeat.write': '`false`',
  'command|start.health.expectStatus': '`200`',
  'command|start.health.interval': '`1s`',
  'top|targets.rollback': `\`${minutes(DEFAULT_TARGETS.rto)}\``,
  'top|targets.recover': `\`${minutes(DEFAULT_TARGETS.rto)}\``,
  'terraform|terraform.suffixVariable': '`name_suffix`',
  'terraform|terraform.backend.type': '`local`',
  'terraform|terraform.binary': '`terraform` on PATH',
  'terraform|terraform.interruptGrace': '`60s`',
  'terraform|terraform.currency': '`USD`',
  'terraform|terraform.leakProbe.name': '`leak probe <url or program>`',
  'terraform|terraform.leakProbe.timeout': '`30s`',
  'rollback|rollback.slotSwap.subscription': "the service connection's",
  'rollback|rollback.slotSwap.pollInterval': '`5s`',
};

/** A short type name: enum values, list of X, map of name to X, duration. */
export function typeOf(s: Schema): string {
  if (s.enum) return `one of ${s.enum.map((v: unknown) => `\`${v}\``).join(', ')}`;
  if (s.anyOf) {
    if (s.anyOf.some((b: Schema) => typeof b.pattern === 'string' && b.pattern.includes('ms|s|m|h|d'))) return 'duration';
    return s.anyOf.map(typeOf).join(' or ');
  }
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (!types.length) return 'any';
  return types
    .map((t) => {
      if (t === 'array') {
        const item = s.items ? typeOf(s.items) : 'any';
        return `list of ${item.includes(' or ') ? `(${item})` : item}`;
      }
      if (t === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') return `map of name to ${typeOf(s.additionalProperties)}`;
      if (t === 'integer' && s.minimum !== undefined) return `integer ≥ ${s.minimum}${s.maximum !== undefined ? ` and ≤ ${s.maximum}` : ''}`;
      if (t === 'string' && s.pattern) return `string matching \`${s.pattern}\``;
      return t;
    })
    .join(' or ');
}

/** Rows for an object schema's keys, depth first; arrays of objects continue as `key[]`, maps as `key.<name>`. */
function walk(section: string, s: Schema, prefix: string, rows: SchemaRow[], stopAt: (key: string) => boolean = () => false): void {
  const required = new Set<string>(s.required ?? []);
  for (const [name, child] of Object.entries<Schema>(s.properties ?? {})) {
    const key = prefix ? `${prefix}.${name}` : name;
    const id = `${section}|${key}`;
    rows.push({ section, key, type: typeOf(child), required: required.has(name), default: DEFAULTS[id] ?? '', description: DESCRIPTIONS[id] ?? child.description ?? sectionNote(child) });
    if (stopAt(key)) continue;
    const items = child.type === 'array' && child.items?.properties ? child.items : undefined;
    if (items) walk(section, items, `${key}[]`, rows, stopAt);
    if (child.properties) walk(section, child, key, rows, stopAt);
    const map = child.additionalProperties;
    if (map && typeof map === 'object') {
      const inner = `${key}.${placeholders[name] ?? '<name>'}`;
      rows.push({ section, key: inner, type: typeOf(map), required: false, default: DEFAULTS[`${section}|${inner}`] ?? '', description: DESCRIPTIONS[`${section}|${inner}`] ?? map.description ?? '' });
      if (map.properties) walk(section, map, inner, rows, stopAt);
    }
  }
}

/** A provider's section (`source`, `backup`, ...) is described by its keys, listed right below it. */
function sectionNote(s: Schema): string {
  if (s.type !== 'object' || !s.properties) return '';
  const keys = Object.keys(s.properties);
  return keys.length ? `Section with the keys below (${keys.map((k) => `\`${k}\``).join(', ')}).` : 'Takes no keys for this provider; leave it out.';
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
function table(rows: SchemaRow[], label = (r: SchemaRow) => r.key): string[] {
  return [
    '| Key | Type | Required | Default | Description |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| \`${cell(label(r))}\` | ${cell(r.type)} | ${r.required ? 'yes' : 'no'} | ${cell(r.default)} | ${cell(r.description)} |`),
    '',
  ];
}

export function policyRows(): SchemaRow[] {
  const rows: SchemaRow[] = [];
  walk('top', editorSchema(), '', rows, (key) => key === 'checks[].rule');
  for (const [type, schema] of Object.entries(ruleSchemas)) walk(type, schema, '', rows);
  return rows;
}

export function drillRows(): SchemaRow[] {
  const rows: SchemaRow[] = [];
  const s = drillFileSchema as Schema;
  walk('top', s, '', rows, (key) => key === 'probes');
  const probe = s.properties.probes.items as Schema;
  walk('probe', probe, '', rows);
  for (const branch of probe.allOf as Schema[]) {
    const type = branch.if.properties.type.const as string;
    const own = Object.fromEntries(Object.entries(branch.then.properties).filter(([k]) => !(k in probe.properties)));
    walk(`probe:${type}`, { properties: own, required: branch.then.required }, '', rows);
  }
  for (const branch of s.allOf as Schema[]) {
    const provider = branch.if.properties.provider.const as string;
    walk(provider, { properties: branch.then.properties, required: branch.then.required }, '', rows);
  }
  return rows;
}

const header = (title: string, source: string, guide: string) => [
  `# ${title}`,
  '',
  `<!-- Generated by scripts/schemaReference.ts from ${source}. Do not edit by hand: run \`npx tsx scripts/schemaReference.ts\`. -->`,
  '',
  `Every key the validator accepts, with its type, whether it is required, the default the loader applies and what it means. ` +
    `Unknown keys are errors. For the concepts and worked examples, read ${guide}.`,
  '',
];

export function renderPolicyReference(): string {
  const rows = policyRows();
  const of = (section: string) => rows.filter((r) => r.section === section);
  const lines = [...header('Policy file reference (`readiness.yml`)', 'src/gate/policySchema.ts', '[policy.md](policy.md)')];
  lines.push('Editors can validate as you type with [examples/policy/readiness.schema.json](../examples/policy/readiness.schema.json), the same schema.', '');
  lines.push('## Top level', '', ...table(of('top')));
  for (const type of Object.keys(ruleSchemas)) {
    lines.push(`## \`rule\` of \`type: ${type}\``, '', ...table(of(type), (r) => `rule.${r.key}`));
  }
  return lines.join('\n');
}

export function renderDrillReference(): string {
  const rows = drillRows();
  const of = (section: string) => rows.filter((r) => r.section === section);
  const lines = [...header('Drill file reference (`drill.yaml`)', 'src/dr/schema.ts', '[drills.md](drills.md)')];
  lines.push('`${NAME}` in any value is replaced by the environment variable `NAME`; an unset variable is an error. Durations are `90s`, `15m`, `1h30m`, `2d`, or a number of seconds.', '');
  lines.push('**Commands** (every `command` key and `backup.newestCommand`) run with `/bin/sh -c` from the drill file\'s folder. In them `${NAME}` is never pasted into the command text: it is left for the shell, which gets `NAME` in its environment and expands it as data, so a value such as `$(rm -rf ~)` or `; curl …` is passed on as those characters and never runs. Write `"${NAME}"` in double quotes so a value with spaces stays one argument; inside single quotes the shell does not expand it.', '');
  lines.push('## Top level', '', ...table(of('top')));
  lines.push('## Probes', '', 'Keys every probe takes:', '', ...table(of('probe'), (r) => `probes[].${r.key}`));
  const probeTypes = [...new Set(rows.filter((r) => r.section.startsWith('probe:')).map((r) => r.section.slice(6)))];
  lines.push(`Types without keys of their own: ${(drillFileSchema as Schema).properties.probes.items.properties.type.enum.filter((t: string) => !probeTypes.includes(t)).map((t: string) => `\`${t}\``).join(', ')}.`, '');
  for (const type of probeTypes) lines.push(`### \`type: ${type}\``, '', ...table(of(`probe:${type}`), (r) => `probes[].${r.key}`));
  for (const provider of (drillFileSchema as Schema).properties.provider.enum as string[]) {
    lines.push(`## \`provider: ${provider}\``, '', ...table(of(provider)));
  }
  return lines.join('\n');
}

export const PAGES = { 'docs/policy-reference.md': renderPolicyReference, 'docs/drill-reference.md': renderDrillReference } as const;

if (require.main === module) {
  for (const [file, render] of Object.entries(PAGES)) {
    writeFileSync(path.join(root, file), render());
    console.log(`Wrote ${file}`);
  }
}
