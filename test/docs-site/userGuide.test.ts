import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

export interface Snippet { page: string; line: number; source: string; lines: string[] }

/** Fenced blocks preceded by `<!-- example: <repo path> -->`: copies of part of that file. */
export function exampleSnippets(page: string, markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const found: Snippet[] = [];
  lines.forEach((text, i) => {
    const marker = /^<!-- example: (\S+) -->$/.exec(text.trim());
    if (!marker) return;
    const open = lines[i + 1] ?? '';
    assert.match(open, /^```/, `${page}:${i + 1}: an example marker must be followed by a fenced block`);
    const end = lines.findIndex((l, j) => j > i + 1 && l.startsWith('```'));
    found.push({ page, line: i + 2, source: marker[1], lines: lines.slice(i + 2, end) });
  });
  return found;
}

/** True when the snippet is a run of consecutive lines of the file, shifted left by the same indentation. */
export function isExcerptOf(snippet: string[], file: string[]): boolean {
  const indentOf = (s: string) => s.length - s.trimStart().length;
  for (let i = 0; i + snippet.length <= file.length; i++) {
    const shift = indentOf(file[i]) - indentOf(snippet[0]);
    if (shift < 0 || file[i].trim() !== snippet[0].trim()) continue;
    const pad = ' '.repeat(shift);
    if (snippet.every((s, k) => (s.trim() === '' ? file[i + k].trim() === '' : file[i + k] === pad + s))) return true;
  }
  return false;
}

const pages = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
const snippets = pages.flatMap((page) => exampleSnippets(page, readFileSync(path.join(ROOT, page), 'utf8')));

describe('docs: YAML in the user guide is taken from examples/', () => {
  it('docs/user-guide.md: shows the pipeline, load test, drill and policy from examples/pipelines/', () => {
    const sources = new Set(snippets.filter((s) => s.page === 'docs/user-guide.md').map((s) => s.source));
    for (const file of ['azure-pipelines.yml', 'loadtest/loadtest.yaml', 'drill.yaml', 'readiness.yml']) {
      assert.ok(sources.has(`examples/pipelines/${file}`), `no snippet of examples/pipelines/${file}`);
    }
  });

  it('docs/user-guide.md: every yaml block -> marked as an example of a real file', () => {
    const text = readFileSync(path.join(ROOT, 'docs', 'user-guide.md'), 'utf8').split('\n');
    const unmarked = text.map((l, i) => [l, i] as const).filter(([l, i]) => l.startsWith('```yaml') && !/<!-- example: /.test(text[i - 1] ?? ''));
    assert.deepEqual(unmarked.map(([, i]) => i + 1), []);
  });

  for (const s of snippets) {
    it(`${s.page}:${s.line}: block marked as from ${s.source} -> consecutive lines of that file`, () => {
      const file = path.join(ROOT, s.source);
      assert.ok(existsSync(file), `${s.source} does not exist`);
      assert.ok(isExcerptOf(s.lines, readFileSync(file, 'utf8').split('\n')), `the block at ${s.page}:${s.line} no longer matches ${s.source}; copy it again`);
    });
  }

  it('isExcerptOf: a changed line or a reordered block -> not an excerpt', () => {
    const file = ['a:', '  b: 1', '  c: 2', 'd: 3'];
    assert.equal(isExcerptOf(['b: 1', 'c: 2'], file), true);
    assert.equal(isExcerptOf(['b: 1', 'c: 3'], file), false);
    assert.equal(isExcerptOf(['c: 2', 'b: 1'], file), false);
  });
});
