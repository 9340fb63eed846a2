import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkDocs } from '../../src/docs/checkDocs';
import { parsePolicy, type DocsRule } from '../../src/gate/policy';

const ROOT = path.resolve(__dirname, '../..');

/** docs/docs-checks.md shows a rule, a template runbook and its findings; this runs them so the page cannot drift. */
describe('docs: docs/docs-checks.md examples', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'docs-page-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('docs page: the template runbook -> exactly the findings the page lists', async () => {
    const page = await fs.readFile(path.join(ROOT, 'docs/docs-checks.md'), 'utf8');
    const blocks = [...page.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2] }));
    const ruleYaml = blocks.find((b) => b.lang === 'yaml')!.text;
    const template = blocks.filter((b) => b.lang === 'markdown')[1].text;
    const expected = blocks.find((b) => b.lang === 'text')!.text.trim().split('\n');

    const policy = parsePolicy(
      `service: s\nchecks:\n${ruleYaml}levels: [{ name: l, checks: [docs] }]\nenvironments: { production: { requiredLevel: l, enforcement: block } }\nroles: { operations: { users: [o] } }\n`,
      'readiness.yml',
    );
    await fs.writeFile(path.join(dir, 'README.md'), '# Service\n');
    await fs.writeFile(path.join(dir, 'CODEOWNERS'), '* @team\n');
    await fs.writeFile(path.join(dir, 'RUNBOOK.md'), template);
    const evidence = await checkDocs({ root: dir, rule: policy.checks[0].rule as DocsRule, service: 's', environment: 'production', now: new Date('2026-11-26T00:00:00Z') });
    const found = evidence.metrics.findings.map((f) => `${f.file}${f.line ? `:${f.line}` : ''} ${f.rule}: ${f.message}`);
    assert.deepEqual(found, expected);
  });
});
