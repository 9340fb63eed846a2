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
export function quotedMessages(markdown: string): Array<{ line: number; message: string; exit?: number }> {
  const found: Array<{ line: number; message: string; exit?: number }> = [];
  const lines = markdown.split('\n');
  lines.forEach((text, i) => {
    const match = /^### `([^`]+)`/.exec(text);
    const exit = /^Exit (\d)\./m.exec(lines.slice(i + 1, i + 4).join('\n'))?.[1];
    if (match) found.push({ line: i + 1, message: match[1], exit: exit === undefined ? undefined : Number(exit) });
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

/** Exit codes of DESIGN.md by the error class that carries the message. */
const EXIT_OF: Record<string, number> = { ConfigError: 2, collector: 2, CheckFailedError: 1, InfrastructureError: 3 };
/**
 * Messages whose class is not written near them in the source. Each says where the class comes from.
 * - the 403 permission sentence is handed to refusal() in src/azdo/refusals.ts, which throws InfrastructureError.
 * - the size-cap sentence is built by oversizeProblem() in src/config/inputSize.ts; assertInputSize throws it as a
 *   ConfigError and parseYamlSource returns it as a problem.
 */
const EXIT_ELSEWHERE: Record<string, number> = { 'lacks the "View builds" permission': 3, 'over the … limit for a': 2 };

/** The error classes around each place a message is written: the nearest `new XError(` or problem collector before it. */
export function classesOf(message: string, sources: string[]): Set<string> {
  const piece = message.split('…')[0].trim();
  const found = new Set<string>();
  for (const text of sources) {
    for (let at = text.indexOf(piece); at >= 0; at = text.indexOf(piece, at + 1)) {
      const before = text.slice(Math.max(0, at - 900), at);
      const last = [...before.matchAll(/new (ConfigError|InfrastructureError|CheckFailedError)\(|problems\.push\(|\b(?:add|at|fail)\((?:\[|here)|this\.fail\(/g)].pop();
      if (last) found.add(last[1] ?? 'collector');
    }
  }
  return found;
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

  for (const { line, message, exit } of messages) {
    it(`docs/troubleshooting.md:${line} "${message}" -> the exit code it states is the one its error class gives`, () => {
      assert.ok(exit !== undefined, `the entry at line ${line} does not start with "Exit N."`);
      const exits = new Set([...classesOf(message, sources)].map((c) => EXIT_OF[c]));
      if (EXIT_ELSEWHERE[message] !== undefined) exits.add(EXIT_ELSEWHERE[message]);
      assert.ok(exits.size > 0, `cannot tell which error class carries this message; add it to EXIT_ELSEWHERE with the reason`);
      assert.ok(exits.has(exit), `the doc says exit ${exit}; the source gives ${[...exits].join(' or ')}`);
    });
  }

  it('occursIn: a message whose pieces appear out of order -> not found', () => {
    assert.equal(occursIn('b … a', 'a then b'), false);
    assert.equal(occursIn('a … b', 'a then b'), true);
    assert.equal(occursIn('gone message', 'a then b'), false);
  });
});
