import { strict as assert } from 'node:assert';
import { parseDrillConfig } from '../../src/dr/config';
import { ConfigError } from '../../src/errors';

/** Drill files for the Azure providers: every problem at once, each with its line and key. */
describe('azure drill files', () => {
  const problemsOf = (text: string): string[] => {
    try {
      parseDrillConfig(text, '/x/drill.yaml', { PGPASSWORD: 'pw-value' });
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.problems;
    }
    return [];
  };

  const cases: Array<{ name: string; text: string; expect: RegExp[] }> = [
    {
      name: 'flexible server: a scratch server name Azure would refuse -> line and the naming rule',
      text: 'service: s\nprovider: azure-postgres-flexible\nsource: { resourceGroup: rg, server: pg }\ntarget:\n  server: Orders_Drill\n  user: admin\nprobes: [select1]\n',
      expect: [/^drill\.yaml:5 target\.server: "Orders_Drill" is not a server name Azure accepts/],
    },
    {
      name: 'flexible server: a restore point without a zone and a misspelt key -> both reported',
      text: 'service: s\nprovider: azure-postgres-flexible\nsource: { resourceGroup: rg, server: pg }\ntarget: { server: pg-drill, user: admin }\nrestore:\n  pointInTime: "2026-11-26 10:00"\n  polInterval: 5s\nprobes: [select1]\n',
      expect: [/^drill\.yaml:6 restore\.pointInTime: "2026-11-26 10:00" is not a time; write latest, or an ISO 8601 time with its zone/, /^drill\.yaml:7 restore\.polInterval: unknown key "polInterval"; did you mean "pollInterval"\?/],
    },
    {
      name: 'flexible server: no target.user and no source.server -> both missing keys named',
      text: 'service: s\nprovider: azure-postgres-flexible\nsource: { resourceGroup: rg }\ntarget: { server: pg-drill }\nprobes: [select1]\n',
      expect: [/^drill\.yaml:3 source: missing required key "server"/, /^drill\.yaml:4 target: missing required key "user"/],
    },
    {
      name: 'azure-sql: an rpo.query (no SQL client) and a missing source.database -> refused',
      text: 'service: s\nprovider: azure-sql\nsource: { resourceGroup: rg, server: sql }\ntarget: { database: d2 }\nprobes: [{ type: http, url: "http://127.0.0.1:1/" }]\nrpo:\n  query: select 1\n',
      expect: [/^drill\.yaml:3 source: missing required key "database"/, /^drill\.yaml:7 rpo\.query: unknown key "query"/],
    },
    {
      name: 'azure-sql: a log-backup interval that is not a duration -> line and the duration forms',
      text: 'service: s\nprovider: azure-sql\nsource: { resourceGroup: rg, server: sql, database: d }\ntarget: { database: d2 }\nbackup:\n  logBackupInterval: often\nprobes: [{ type: http, url: "http://127.0.0.1:1/" }]\n',
      expect: [/^drill\.yaml:6 backup\.logBackupInterval: "often" is not a duration/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const problems = problemsOf(c.text);
      for (const pattern of c.expect) assert.ok(problems.some((p) => pattern.test(p)), `${pattern}\nnot in:\n${problems.join('\n')}`);
      assert.equal(problems.length, c.expect.length, problems.join('\n'));
    });
  }

  it('flexible server: the probe password -> registered with the redactor, masked in any text', () => {
    const config = parseDrillConfig(
      'service: s\nprovider: azure-postgres-flexible\nsource: { resourceGroup: rg, server: pg }\ntarget: { server: pg-drill, user: admin, password: literal-pw-123 }\nprobes: [select1]\n',
      '/x/drill.yaml',
      {},
    );
    assert.equal(config.redactor.redact('login failed for admin with literal-pw-123'), 'login failed for admin with ***');
  });
});
