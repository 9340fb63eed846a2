import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { validateEvidence } from '../../src/evidence/validate';
import { explain, repoRoot, runBundledTask } from '../support/agentRunner';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { variant } from '../dr/drillFiles';

/** ReadinessDrDrill@1 run as the agent runs it, against a throwaway PostgreSQL cluster. */
describe('ReadinessDrDrill@1 (bundled, postgres provider)', function () {
  this.timeout(180_000);
  let pg: TestPostgres;
  const password = 'drill-task-pw-77';

  before(async () => {
    pg = await startPostgres();
    await pg.createDatabase('orders');
    await pg.query(
      `create table customers (id int primary key, name text not null);
       create table orders (id int primary key, customer_id int not null references customers(id),
                            total_cents int not null, updated_at timestamptz not null);
       insert into customers select g, 'c' || g from generate_series(1, 20) g;
       insert into orders select g, 1 + g % 20, g * 10, now() from generate_series(1, 500) g;`,
      [],
      'orders',
    );
  });
  after(() => pg?.stop());

  const env = () => ({ PGPORT: String(pg.port), PGPASSWORD: password });

  it('drill: fresh dump restored and probed -> Succeeded with rtoSeconds, rpoSeconds, passed and published evidence', async () => {
    const run = await runBundledTask('ReadinessDrDrillV1', {
      inputs: { drillFile: path.join(repoRoot, 'examples', 'drill', 'postgres-fresh.yaml') },
      env: env(),
    });
    assert.equal(run.result, 'Succeeded', explain(run));
    assert.equal(run.variables.passed?.value, 'true');
    assert.ok(Number(run.variables.rtoSeconds?.value) > 0);
    assert.ok(Number(run.variables.rpoSeconds?.value) >= 0);
    const attachment = run.attachments.find((a) => a.type === 'readiness.evidence');
    assert.ok(attachment, explain(run));
    const text = readFileSync(attachment.path, 'utf8');
    assert.ok(validateEvidence(JSON.parse(text)).ok);
    // ##vso[task.setsecret] is how the agent learns what to mask; the agent consumes it and never shows it.
    const shown = run.stdout.split('\n').filter((line) => !line.startsWith('##vso[task.setsecret]')).join('\n');
    assert.doesNotMatch(text + shown, new RegExp(password), 'the password must not reach the log or the evidence');
    assert.ok(run.secrets.includes(password), 'the agent is told to mask the password');
    assert.equal(run.testResults[0]?.type, 'JUnit');
    assert.match(readFileSync(run.summaries[0], 'utf8'), /RTO/);
    assert.equal(await pg.databaseExists('orders_drill'), false, 'the scratch database is dropped');
  });

  it('drill: backup archive missing -> Failed naming the backup, the source untouched', async () => {
    const drillFile = variant('postgres-archive.yaml', (drill) => {
      drill.backup.archive = '/nonexistent/orders.dump';
    });
    const run = await runBundledTask('ReadinessDrDrillV1', { inputs: { drillFile }, env: env() });
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /orders\.dump/);
    assert.equal(run.variables.passed?.value, 'false');
  });
});
