import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** Every .ts file under src/ and tasks/: where user-facing messages are written. */
function sourceFiles(dir: string, found: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) sourceFiles(full, found);
    else if (name.endsWith('.ts')) found.push(full);
  }
  return found;
}

/** The code span that opens each `### ` entry: the message as the user sees it, `…` where a value goes. */
export function quotedMessages(markdown: string): Array<{ line: number; message: string }> {
  const found: Array<{ line: number; message: string }> = [];
  markdown.split('\n').forEach((text, i) => {
    const match = /^### `([^`]+)`/.exec(text);
    if (match) found.push({ line: i + 1, message: match[1] });
  });
  return found;
}

/** True when the pieces between `…` all occur in one source file, in that order. */
export function occursIn(message: string, source: string): boolean {
  let from = 0;
  for (const piece of message.split('…').map((p) => p.trim()).filter(Boolean)) {
    const at = source.indexOf(piece, from);
    if (at < 0) return false;
    from = at + piece.length;
  }
  return true;
}

const doc = readFileSync(path.join(ROOT, 'docs', 'troubleshooting.md'), 'utf8');
const sources = [...sourceFiles(path.join(ROOT, 'src')), ...sourceFiles(path.join(ROOT, 'tasks'))].map((f) => readFileSync(f, 'utf8'));
const messages = quotedMessages(doc);

describe('docs: troubleshooting by error message', () => {
  it('docs/troubleshooting.md: lists at least 25 messages, each once', () => {
    assert.ok(messages.length >= 25, `only ${messages.length} entries`);
    assert.equal(new Set(messages.map((m) => m.message)).size, messages.length);
  });

  for (const { line, message } of messages) {
    it(`docs/troubleshooting.md:${line} "${message}" -> occurs in src/ or tasks/`, () => {
      assert.ok(sources.some((s) => occursIn(message, s)), `no source file contains this message; update the entry at line ${line}`);
    });
  }

  it('occursIn: a message whose pieces appear out of order -> not found', () => {
    assert.equal(occursIn('b … a', 'a then b'), false);
    assert.equal(occursIn('a … b', 'a then b'), true);
    assert.equal(occursIn('gone message', 'a then b'), false);
  });
});
