import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkDocs } from '../../src/docs/checkDocs';
import { readMarkdown } from '../../src/docs/markdown';
import { runGateDetailed } from '../../src/gate/run';

const ROOT = path.join(__dirname, '..', '..');
/** README.md, every page of docs/, and the READMEs of examples/ that the docs link to. */
const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`),
  'examples/pipelines/README.md',
  'examples/release-gate/README.md',
];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const heading of readMarkdown(markdown).headings) {
    const base = heading.text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n ? `${base}-${n}` : base);
  }
  return anchors;
}

describe('docs: this repository passes its own documentation check', () => {
  it('readiness.yml (service production-readiness-extension): the gate over this repository -> ready, no documentation findings', async () => {
    const result = await runGateDetailed({ policyFile: path.join(ROOT, 'readiness.yml'), policyName: 'readiness.yml', environment: 'production', evidence: [] });
    const findings = result.docs.flatMap((d) => d.metrics.findings).filter((f) => f.severity === 'error');
    assert.deepEqual(findings.map((f) => `${f.file}:${f.line ?? ''} ${f.rule}: ${f.message}`), []);
    assert.equal(result.policy.service, 'production-readiness-extension');
    assert.equal(result.gate.metrics.status, 'ready', result.gate.metrics.checks.map((c) => `${c.id}: ${c.reason}`).join('\n'));
  });

  it('readiness.yml: requires README, CONTRIBUTING, CODEOWNERS and docs/operations.md with Rollback, Escalation, Monitoring within 180 days', async () => {
    const result = await runGateDetailed({ policyFile: path.join(ROOT, 'readiness.yml'), environment: 'production', evidence: [] });
    const docs = result.policy.checks.find((c) => c.type === 'docs');
    assert.ok(docs && docs.type === 'docs');
    const files = docs.rule.files.flat();
    for (const f of ['README.md', 'CONTRIBUTING.md', 'CODEOWNERS']) assert.ok(files.includes(f), `${f} is not required`);
    assert.deepEqual(docs.rule.headings['docs/operations.md'], ['Rollback', 'Escalation', 'Monitoring']);
    assert.equal(docs.rule.reviewedWithinDays, 180);
    assert.ok(docs.rule.links && (docs.rule.minContentChars ?? 0) > 0);
  });

  it('README.md, CONTRIBUTING.md and docs/*.md: every relative link -> resolves (the product checker, links on)', async () => {
    const evidence = await checkDocs({
      root: ROOT,
      rule: { root: '.', files: PAGES.map((p) => [p]), headings: {}, reviewed: [], links: true },
      service: 'production-readiness-extension',
      environment: 'docs',
    });
    assert.ok(evidence.metrics.filesChecked.length >= PAGES.length);
    assert.deepEqual(evidence.metrics.findings.map((f) => `${f.file}:${f.line ?? ''} ${f.message}`), []);
  });

  it('README.md, CONTRIBUTING.md and docs/*.md: every #anchor of a link to a Markdown page -> a heading of that page', () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      for (const link of readMarkdown(readFileSync(path.join(ROOT, page), 'utf8')).links) {
        const [file, anchor] = link.target.split('#');
        if (anchor === undefined || /^[a-z]+:/i.test(file) || (file && !file.endsWith('.md'))) continue;
        const target = file ? path.join(path.dirname(page), file) : page;
        if (!anchorsOf(readFileSync(path.join(ROOT, target), 'utf8')).has(anchor)) broken.push(`${page}:${link.line} ${link.target}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('anchorsOf: punctuation, code and numbering -> GitHub anchors', () => {
    const anchors = anchorsOf('# 1. Try it locally first\n### The job\'s token\n### `roles`\n## Roles\n');
    assert.deepEqual([...anchors], ['1-try-it-locally-first', 'the-jobs-token', 'roles', 'roles-1']);
  });
});
