import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runLoadTest } from '../../src/load/runLoadTest';
import { startTarget, type Target } from '../support/httpTarget';

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples/loadtest');
const DOC = path.join(ROOT, 'docs/load-testing.md');

describe('load/examples', () => {
  let target: Target;
  beforeEach(async () => (target = await startTarget()));
  afterEach(async () => target.close());

  for (const name of fs.readdirSync(EXAMPLES).sort()) {
    it(`examples/loadtest/${name}: run for 2 s against a loopback target -> passes, counts match the server`, async () => {
      // The env override is how the task's `env` input points a committed file at the service under test.
      const evidence = await runLoadTest({ configFile: path.join(EXAMPLES, name, 'loadtest.yaml'), env: { baseUrl: target.url }, overrides: { durationSeconds: 2 } });
      assert.equal(evidence.verdict, 'passed', `${evidence.summary}\n${evidence.criteria.map((c) => c.explanation).join('\n')}`);
      assert.equal(evidence.metrics.totals.requests, target.total());
      assert.ok(evidence.metrics.totals.requests > 0);
    });
  }

  it('docs/load-testing.md: every block marked with a file -> equals that file, so the page cannot drift', () => {
    const text = fs.readFileSync(DOC, 'utf8');
    const blocks = [...text.matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)```/g)];
    assert.ok(blocks.length >= 3, `only ${blocks.length} file blocks`);
    for (const [, file, body] of blocks) assert.equal(body, fs.readFileSync(path.join(ROOT, file), 'utf8'), file);
  });

  it('docs/load-testing.md: every example folder -> shown or linked in the page', () => {
    const text = fs.readFileSync(DOC, 'utf8');
    for (const name of fs.readdirSync(EXAMPLES)) assert.ok(text.includes(`examples/loadtest/${name}/`), name);
  });
});
