import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkDocs } from '../../src/docs/checkDocs';
import { headingMatches, readMarkdown, realContentChars } from '../../src/docs/markdown';
import { validateEvidence } from '../../src/evidence/validate';
import { loadPolicy, type DocsRule } from '../../src/gate/policy';

const ROOT = path.resolve(__dirname, '../..');
const NOW = new Date('2026-11-26T12:00:00Z');

const goodRunbook = `---
owner: payments-oncall
last_reviewed: 2026-10-01
---
# Payments runbook

Payments accepts card authorisations and settles them nightly against the acquirer.

## Monitoring

Dashboards show authorisation latency and the settlement backlog; see [the alert list](alerts/README.md).

## Rollback

Redeploy the previous release from the pipeline history, then confirm the health endpoint answers 200.

## Escalation

Page the payments on-call first, then the team lead after fifteen minutes without progress.
`;

const template = `---
last_reviewed: 2026-11-01
---
# Runbook

## Monitoring

TODO

## Rollback

<describe the rollback here>

## Escalation

- TBD
`;

let dir: string;

async function write(files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), text);
  }
}

function rule(overrides: Partial<DocsRule> = {}): DocsRule {
  return {
    root: '.',
    files: [['README.md'], ['RUNBOOK.md'], ['CODEOWNERS', '.github/CODEOWNERS']],
    headings: { 'RUNBOOK.md': ['Rollback', 'Escalation', 'Monitoring'] },
    reviewed: ['RUNBOOK.md'],
    reviewedWithinDays: 90,
    links: true,
    minContentChars: 150,
    ...overrides,
  };
}

const check = (r: DocsRule = rule()) => checkDocs({ root: dir, rule: r, service: 'payments', environment: 'production', now: NOW });

describe('docs: checkDocs', () => {
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'docs-check-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('docs: complete documentation -> passed, valid evidence', async () => {
    await write({ 'README.md': '# Payments\n\nSee the [runbook](RUNBOOK.md).\n', 'RUNBOOK.md': goodRunbook, 'alerts/README.md': '# Alerts\n', '.github/CODEOWNERS': '* @payments\n' });
    const evidence = await check();
    assert.equal(evidence.verdict, 'passed', JSON.stringify(evidence.metrics.findings));
    assert.deepEqual(evidence.metrics.reviewed, [{ file: 'RUNBOOK.md', lastReviewed: '2026-10-01', ageDays: 56 }]);
    const validation = validateEvidence(evidence);
    assert.ok(validation.ok, JSON.stringify(validation));
  });

  it('docs: required file absent -> missing-file finding naming the alternatives', async () => {
    await write({ 'README.md': '# Payments\n', 'RUNBOOK.md': goodRunbook, 'alerts/README.md': '# Alerts\n' });
    const evidence = await check();
    assert.equal(evidence.verdict, 'failed');
    assert.deepEqual(evidence.metrics.findings.map((f) => [f.rule, f.message]), [['missing-file', 'none of CODEOWNERS, .github/CODEOWNERS exists']]);
  });

  it('docs: a single required file absent -> one finding on that file, its name not repeated in the message', async () => {
    await write({ 'RUNBOOK.md': goodRunbook, CODEOWNERS: '* @payments\n', 'alerts/README.md': '# Alerts\n' });
    const evidence = await check();
    const missing = evidence.metrics.findings.filter((f) => f.rule === 'missing-file');
    assert.deepEqual(missing.map((f) => [f.file, f.message]), [['README.md', 'the file is missing']]);
  });

  it('docs: required heading absent -> missing-heading finding', async () => {
    await write({ 'README.md': '# P\n', 'RUNBOOK.md': goodRunbook.replace('## Rollback', '## Roll forward'), CODEOWNERS: '*\n', 'alerts/README.md': 'x' });
    const evidence = await check();
    assert.deepEqual(evidence.metrics.findings.map((f) => `${f.file} ${f.rule} ${f.message}`), ['RUNBOOK.md missing-heading has no "Rollback" heading']);
  });

  it('docs: last_reviewed older than the limit -> stale finding on its line', async () => {
    await write({ 'README.md': '# P\n', 'RUNBOOK.md': goodRunbook.replace('2026-10-01', '2026-08-01'), CODEOWNERS: '*\n', 'alerts/README.md': 'x' });
    const evidence = await check();
    const stale = evidence.metrics.findings.find((f) => f.rule === 'stale')!;
    assert.equal(stale.line, 3);
    assert.match(stale.message, /last reviewed on 2026-08-01, 117 days ago, over the 90-day limit/);
  });

  it('docs: reviewed exactly the limit ago -> not stale (inclusive)', async () => {
    await write({ 'README.md': '# P\n', 'RUNBOOK.md': goodRunbook.replace('2026-10-01', '2026-08-28'), CODEOWNERS: '*\n', 'alerts/README.md': 'x' });
    const evidence = await checkDocs({ root: dir, rule: rule(), service: 'payments', environment: 'production', now: new Date('2026-11-26T00:00:00Z') });
    assert.equal(evidence.verdict, 'passed', JSON.stringify(evidence.metrics.findings));
    assert.equal(evidence.metrics.reviewed[0].ageDays, 90);
  });

  it('docs: no front matter -> front-matter finding saying what to add', async () => {
    await write({ 'README.md': '# P\n', 'RUNBOOK.md': goodRunbook.replace(/^---[\s\S]*?---\n/, ''), CODEOWNERS: '*\n', 'alerts/README.md': 'x' });
    const evidence = await check();
    assert.deepEqual(evidence.metrics.findings.map((f) => f.rule), ['front-matter']);
    assert.match(evidence.metrics.findings[0].message, /add "last_reviewed: YYYY-MM-DD"/);
  });

  it('docs: relative link to a missing file -> broken-link finding with its line', async () => {
    await write({ 'README.md': '# P\n\nSee [setup](docs/setup.md#install) and [site](https://example.com) and [top](#p).\n', 'RUNBOOK.md': goodRunbook, CODEOWNERS: '*\n', 'alerts/README.md': 'x' });
    const evidence = await check();
    assert.deepEqual(evidence.metrics.findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`), ['README.md:3 broken-link links to docs/setup.md#install, which does not exist']);
  });

  it('docs: links inside code blocks -> not checked', async () => {
    await write({ 'README.md': '# P\n\n```md\n[x](missing.md)\n```\n`[y](also-missing.md)`\n', 'RUNBOOK.md': goodRunbook, CODEOWNERS: '*\n', 'alerts/README.md': 'x' });
    assert.equal((await check()).verdict, 'passed');
  });

  it('docs: empty template -> too-short and empty-section findings', async () => {
    await write({ 'README.md': '# P\n', 'RUNBOOK.md': template, CODEOWNERS: '*\n' });
    const evidence = await check();
    const rules = evidence.metrics.findings.map((f) => f.rule).sort();
    assert.deepEqual(rules, ['empty-section', 'empty-section', 'empty-section', 'too-short']);
    const tooShort = evidence.criteria.find((c) => c.expression.includes('real content'))!;
    assert.equal(tooShort.actual, 0);
    assert.equal(tooShort.failed, true);
  });

  it('docs: missing root folder -> findings, not an exception', async () => {
    const evidence = await checkDocs({ root: path.join(dir, 'nope'), rule: rule(), service: 'payments', environment: 'production', now: NOW });
    assert.equal(evidence.verdict, 'failed');
    assert.ok(evidence.metrics.findings.every((f) => f.rule === 'missing-file'));
  });

  it('docs: the sample service -> passes its own policy', async () => {
    const policy = await loadPolicy(path.join(ROOT, 'examples/sample-service/readiness.yml'));
    const docsCheck = policy.checks.find((c) => c.type === 'docs')!;
    assert.equal(docsCheck.type, 'docs');
    const evidence = await checkDocs({ root: path.join(ROOT, 'examples/sample-service'), rule: docsCheck.rule as DocsRule, service: policy.service, environment: 'production', now: NOW });
    assert.equal(evidence.verdict, 'passed', JSON.stringify(evidence.metrics.findings));
  });
});

describe('docs: markdown reading', () => {
  const cases: Array<[string, string, boolean]> = [
    ['Rollback', 'Rollback', true],
    ['rollback procedure', 'Rollback', true],
    ['3. Rollback', 'Rollback', true],
    ['**Escalation**', 'Escalation', true],
    ['Rollbacks are rare', 'Rollback', false],
    ['Monitor', 'Monitoring', false],
  ];
  for (const [heading, required, expected] of cases) {
    it(`headings: "${heading}" for required "${required}" -> ${expected ? 'matches' : 'does not match'}`, () => {
      assert.equal(headingMatches(heading, required), expected);
    });
  }

  it('headings: ATX and setext headings found, not those in code fences', () => {
    const file = readMarkdown('Title\n=====\n\n```\n# not a heading\n```\n\n## Real one ##\n');
    assert.deepEqual(file.headings.map((h) => [h.text, h.level, h.line]), [['Title', 1, 1], ['Real one', 2, 8]]);
  });

  it('content: placeholders, headings and comments -> not counted', () => {
    const file = readMarkdown('# Head\n\nTODO\n<!-- fill me -->\n- [ ] <owner>\n{{service}}\nDescribe the rollback here.\nReal words.\n');
    assert.equal(realContentChars(file), 'Realwords.'.length);
  });
});
