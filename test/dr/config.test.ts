import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { stepSignal } from '../../src/dr/abort';
import { parseDrillConfig, passwordOf } from '../../src/dr/config';
import { parseConnection } from '../../src/dr/pgConnection';
import { runDrill, timeoutKeyOf } from '../../src/dr/runner';
import { parseDuration } from '../../src/dr/duration';
import { Redactor } from '../../src/dr/redact';
import { ConfigError, ExitCode } from '../../src/errors';
import { EXAMPLES } from './drillFiles';
import { loadDrillConfig } from '../../src/dr/config';

function problemsOf(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseDrillConfig(yaml, '/drills/drill.yaml', env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    return error.problems;
  }
  assert.fail('expected the drill file to be refused');
}

const minimal = `service: orders
provider: postgres
source:
  connection: postgres://app@127.0.0.1:5432/orders
backup:
  fresh: true
target:
  database: orders_drill
probes: [select1]
`;

describe('drill file', () => {
  const cases: Array<{ name: string; yaml: string; env?: NodeJS.ProcessEnv; expect: RegExp[] }> = [
    {
      name: 'unknown key -> names the line and the nearest valid key',
      yaml: minimal.replace('target:\n  database: orders_drill', 'target:\n  databse: orders_drill'),
      expect: [/^drill\.yaml:8 target\.databse: unknown key "databse"; did you mean "database"\?/, /target: missing required key "database"/],
    },
    {
      name: 'bad duration -> says how to write one',
      yaml: `${minimal}targets:\n  rto: soon\n`,
      expect: [/^drill\.yaml:11 targets\.rto: "soon" is not a duration; write e\.g\. 90s, 15m/],
    },
    {
      name: 'unset environment variable -> names the variable and the line',
      yaml: minimal.replace('app@', 'app:${DB_PASSWORD}@'),
      expect: [/^drill\.yaml:4 source\.connection: environment variable DB_PASSWORD is not set/],
    },
    {
      name: 'heartbeat write without the opt-in -> refused',
      yaml: `${minimal}rpo:\n  heartbeat:\n    table: heartbeat\n    write: true\n`,
      expect: [/^drill\.yaml:13 rpo\.heartbeat\.write: writing a heartbeat changes the source; add source\.allowWrites: true/],
    },
    {
      name: 'unknown provider -> lists the known ones with a suggestion',
      yaml: minimal.replace('provider: postgres', 'provider: postgress'),
      expect: [/^drill\.yaml:2 provider: "postgress" is not one of postgres, embedded, command, azure-postgres-flexible, azure-sql, terraform, rollback; did you mean "postgres"\?/],
    },
    {
      name: 'unknown probe type and a rowcounts probe without tables -> both reported at once',
      yaml: minimal.replace('probes: [select1]', 'probes:\n  - selectone\n  - type: rowcounts'),
      expect: [/^drill\.yaml:10 probes\[0\]\.type: "selectone" is not one of .*did you mean "select1"\?/, /^drill\.yaml:11 probes\[1\]: missing required key "tables"/],
    },
    {
      name: 'scratch name that is not a plain identifier -> refused',
      yaml: minimal.replace('orders_drill', 'orders; drop database prod'),
      expect: [/target\.database: "orders; drop database prod" is not a plain database name/],
    },
    {
      name: 'YAML syntax error -> line of the error',
      yaml: 'service: [orders\nprovider: postgres\n',
      expect: [/^drill\.yaml:\d+:\d+ YAML syntax:/],
    },
    {
      name: 'both archive and fresh -> asks to choose',
      yaml: minimal.replace('fresh: true', 'fresh: true\n  archive: ./x.dump'),
      expect: [/backup\.fresh: choose one: archive .* or fresh: true/],
    },
    {
      name: 'no probes -> refused, since a drill without probes proves nothing',
      yaml: minimal.replace('probes: [select1]\n', ''),
      expect: [/^drill\.yaml:1 \(document\): missing required key "probes"; list at least one probe/],
    },
    {
      name: 'disruption without targets for it -> refused',
      yaml: `${minimal}disruption: region\n`,
      expect: [/^drill\.yaml:10 disruption: no targets\.disruptions\.region declared/],
    },
    {
      name: 'a timeout beyond what a timer can wait (30 days) -> refused with the 24h limit',
      yaml: `${minimal}timeouts:\n  restore: 30d\n`,
      expect: [/^drill\.yaml:11 timeouts\.restore: 30d is longer than the 24h allowed; use at most 24h/],
    },
    {
      name: 'a probe timeout over 24h -> refused naming the probe',
      yaml: minimal.replace('probes: [select1]', 'probes:\n  - type: select1\n    timeout: 25h'),
      expect: [/^drill\.yaml:\d+ probes\[0\]\.timeout: 25h is longer than the 24h allowed/],
    },
    {
      name: 'a health check polled with interval 0 -> refused with the minimum',
      yaml: 'service: s\nprovider: command\nrestore:\n  command: ./r.sh\nstart:\n  health:\n    url: http://127.0.0.1:1/\n    interval: 0\nprobes:\n  - type: command\n    command: "true"\n',
      expect: [/^drill\.yaml:8 start\.health\.interval: 0 is shorter than the 100ms minimum/],
    },
    {
      name: 'a connection password with a malformed percent-escape -> names the key, never the password',
      yaml: minimal.replace('postgres://app@', 'postgres://u:p%ZZsecret@'),
      expect: [/^drill\.yaml:4 source\.connection: the password in the connection URL has a "%" not followed by two hex digits/],
    },
  ];
  for (const c of cases) {
    it(`drill file: ${c.name}`, () => {
      const problems = problemsOf(c.yaml, c.env);
      for (const pattern of c.expect) assert.ok(problems.some((p) => pattern.test(p)), `${pattern} not in:\n${problems.join('\n')}`);
    });
  }

  it('drill file: defaults -> RTO 15m and RPO 5m, per-disruption targets override them', () => {
    const plain = parseDrillConfig(minimal, '/drills/drill.yaml', {});
    assert.deepEqual(plain.targets, { rtoSeconds: 900, rpoSeconds: 300 });
    const region = parseDrillConfig(`${minimal}disruption: az\ntargets:\n  rto: 10m\n  disruptions:\n    az: { rpo: 90s }\n`, '/d/drill.yaml', {});
    assert.deepEqual(region.targets, { rtoSeconds: 600, rpoSeconds: 90 });
  });

  it('drill file: a password from ${VAR} -> expanded for use and masked by the redactor', () => {
    const config = parseDrillConfig(minimal.replace('app@', 'app:${PGPASSWORD}@'), '/d/drill.yaml', { PGPASSWORD: 'hunter2-xyz' });
    assert.equal(config.source.connection, 'postgres://app:hunter2-xyz@127.0.0.1:5432/orders');
    assert.equal(config.redactor.redact(`failed: ${config.source.connection} (hunter2-xyz)`), 'failed: postgres://app:***@127.0.0.1:5432/orders (***)');
  });

  it('drill file: malformed percent-escape in a password -> the raw password appears in no problem, and is masked', async () => {
    const yaml = minimal.replace('postgres://app@', 'postgres://u:p%ZZsecret@');
    const problems = problemsOf(yaml);
    assert.ok(problems.every((p) => !p.includes('ZZsecret')), problems.join('\n'));
    const file = join(mkdtempSync(join(tmpdir(), 'drill-pw-')), 'drill.yaml');
    writeFileSync(file, yaml);
    await assert.rejects(runDrill({ configFile: file, env: {} }), (error: unknown) => error instanceof ConfigError && error.exitCode === ExitCode.badInput);
    // Used directly (a provider given a URL from elsewhere), parsing says what is wrong instead of "URI malformed".
    assert.throws(() => parseConnection('postgres://u:p%ZZsecret@127.0.0.1:1/db', 'target.connection'), /target\.connection: the password has a "%" not followed by two hex digits/);
    const r = new Redactor();
    r.addSecret(passwordOf('postgres://u:p%ZZsecret@127.0.0.1:1/db'));
    assert.equal(r.redact('login with p%ZZsecret failed'), 'login with *** failed');
  });

  it('step timeouts: the probes and rpo steps name the key that bounds them, timeouts.probe', () => {
    assert.equal(timeoutKeyOf('probes'), 'timeouts.probe');
    assert.equal(timeoutKeyOf('rpo'), 'timeouts.probe');
    assert.equal(timeoutKeyOf('restore'), 'timeouts.restore');
  });

  it('step timeouts: a budget beyond what setTimeout can hold (30 days) does not fire at once', async () => {
    const { signal, dispose } = stepSignal(new AbortController().signal, 30 * 86400);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(signal.aborted, false);
    dispose();
  });

  it('drill file: every example in examples/drill -> loads without problems', () => {
    const env = { PGPORT: '5432', PGPASSWORD: 'x', BACKUP_ARCHIVE: '/tmp/x.dump', HEALTH_PORT: '8080', SERVICE_DIR: '/tmp/orders', SERVICE_PORT: '8081', PG_PORT: '5433', HTTP_PORT: '8082' };
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 4);
    for (const file of files) loadDrillConfig(join(EXAMPLES, file), env);
  });
});

describe('durations and redaction', () => {
  const durations: Array<[unknown, number | undefined]> = [['90s', 90], ['15m', 900], ['1h30m', 5400], ['2d', 172800], [45, 45], ['200ms', 0.2], ['soon', undefined], ['-5m', undefined]];
  for (const [text, seconds] of durations) it(`duration: ${JSON.stringify(text)} -> ${seconds}`, () => assert.equal(parseDuration(text), seconds));

  it('redaction: a libpq keyword password and URL userinfo -> masked', () => {
    const r = new Redactor();
    assert.equal(r.redact('host=db password=abc123 user=x; postgres://u:p4ss@h/db'), 'host=db password=*** user=x; postgres://u:***@h/db');
  });
});
