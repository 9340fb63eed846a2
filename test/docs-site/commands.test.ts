import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { commands } from '../../src/cli/commands';
import type { CliIO } from '../../src/cli/io';

const ROOT = path.join(__dirname, '..', '..');
const PAGES = ['README.md', 'CONTRIBUTING.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
/** npm's own commands that the docs may show (`npm ci`, `npm run x`); `npm test` and `npm start` also need a script. */
const NPM_COMMANDS = new Set(['ci', 'install', 'run', 'test', 'start', 'pack', 'exec']);

export interface Shown { page: string; line: number; text: string }

/** Code as the reader sees it: each line of a fenced block (continuations joined) and each inline code span. */
export function codeOf(page: string, markdown: string): Shown[] {
  const shown: Shown[] = [];
  let fenced = false;
  let pending: Shown | undefined;
  markdown.split('\n').forEach((raw, i) => {
    if (/^\s*(```|~~~)/.test(raw)) {
      fenced = !fenced;
      return;
    }
    if (fenced) {
      const text = pending ? `${pending.text} ${raw.trim()}` : raw.trim();
      pending = /\\$/.test(text) ? { page, line: pending?.line ?? i + 1, text: text.slice(0, -1) } : undefined;
      if (!pending) shown.push({ page, line: i + 1, text });
      return;
    }
    for (const m of raw.matchAll(/`([^`]+)`/g)) shown.push({ page, line: i + 1, text: m[1] });
  });
  return shown;
}

/** Shell words of one simple command: up to `&&`, `;`, `|`, a comment or a redirection. */
function words(text: string): string[] {
  const cut = text.split(/\s(?:&&|\|\||;|\||#|>|2>)\s?/)[0];
  return cut.trim().split(/\s+/);
}

/** `readiness <command> [flags]`, `node bin/readiness.js ...` and `npm run readiness -- ...` invocations. */
export function readinessCalls(text: string): string[][] {
  const calls: string[][] = [];
  for (const m of text.matchAll(/(?:^|&&\s*|;\s*|\$\s+)(?:npx\s+|node\s+bin\/readiness\.js\s+|npm run readiness --\s+|readiness\s+)/g)) {
    const rest = text.slice(m.index! + m[0].length);
    const prefix = m[0].trim().replace(/^(&&|;|\$)\s*/, '');
    if (prefix === 'npx' && !rest.startsWith('readiness ')) continue;
    const argv = words(prefix === 'npx' ? rest.slice('readiness '.length) : rest);
    if (argv[0] && /^[a-z-]+$/.test(argv[0]) && argv[0] !== 'readiness') calls.push(argv);
  }
  return calls;
}

/** `npm ...` invocations: [npm command, script or argument]. */
export function npmCalls(text: string): string[][] {
  return [...text.matchAll(/(?:^|&&\s*|;\s*|\$\s+)npm\s+([a-z:-]+)(?:\s+([\w:-]+))?/g)].map((m) => [m[1], m[2] ?? '']);
}

const helpCache = new Map<string, string>();
async function helpOf(command: string): Promise<string> {
  if (!helpCache.has(command)) {
    let out = '';
    const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (out += t), cwd: ROOT, env: {}, signal: new AbortController().signal };
    await commands[command](['--help'], io);
    helpCache.set(command, out);
  }
  return helpCache.get(command)!;
}

const shown = PAGES.flatMap((page) => codeOf(page, readFileSync(path.join(ROOT, page), 'utf8')));

describe('docs: every command shown in README.md, CONTRIBUTING.md and docs/ exists', () => {
  it('docs: show readiness commands at all -> at least one per CLI command, with flags', () => {
    const calls = shown.flatMap((s) => readinessCalls(s.text));
    assert.ok(calls.filter((c) => c.some((a) => a.startsWith('--'))).length >= 15, `only ${calls.length} calls found; is the extraction broken?`);
    const used = new Set(calls.map((c) => c[0]));
    for (const name of Object.keys(commands)) assert.ok(used.has(name), `no page shows "readiness ${name}"`);
  });

  it('readiness <command> --flag: every command is a CLI command and every flag is in its --help', async () => {
    const wrong: string[] = [];
    for (const s of shown) {
      for (const [name, ...args] of readinessCalls(s.text)) {
        if (!commands[name]) {
          wrong.push(`${s.page}:${s.line} readiness ${name}: no such command`);
          continue;
        }
        const help = await helpOf(name);
        for (const flag of args.filter((a) => /^--?[a-z]/.test(a)).map((a) => a.split('=')[0].replace(/[,.)]+$/, ''))) {
          if (!new RegExp(`(^|[\\s\\[])${flag}(?![\\w-])`, 'm').test(help)) wrong.push(`${s.page}:${s.line} readiness ${name} ${flag}: not in "readiness ${name} --help"`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('npm <command> / npm run <script>: every one is an npm command with a package.json script where it needs one', () => {
    const wrong: string[] = [];
    for (const s of shown) {
      for (const [command, script] of npmCalls(s.text)) {
        if (!NPM_COMMANDS.has(command)) wrong.push(`${s.page}:${s.line} npm ${command}: not an npm command the docs should use`);
        else if (command === 'run' && !scripts[script]) wrong.push(`${s.page}:${s.line} npm run ${script}: no such script in package.json`);
        else if ((command === 'test' || command === 'start') && !scripts[command]) wrong.push(`${s.page}:${s.line} npm ${command}: no such script`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('npx tsx <file> and npx mocha <file>: the file exists', () => {
    const wrong = shown.flatMap((s) =>
      [...s.text.matchAll(/npx (?:tsx|mocha) ((?:scripts|test|bench)\/[\w./-]+\.ts)\b/g)].filter((m) => !existsSync(path.join(ROOT, m[1]))).map((m) => `${s.page}:${s.line} ${m[1]}`),
    );
    assert.deepEqual(wrong, []);
  });

  it('examples/... and docs/... paths mentioned anywhere on the pages -> exist', () => {
    const wrong: string[] = [];
    for (const page of PAGES) {
      readFileSync(path.join(ROOT, page), 'utf8').split('\n').forEach((text, i) => {
        // A code span that shows Markdown link syntax (`[setup](docs/setup.md)`) illustrates someone else's files.
        const line = text.replace(/`[^`]*\]\s*[(:][^`]*`/g, '');
        for (const m of line.matchAll(/(?<![\w/.-])((?:examples|docs)\/[\w./-]*)/g)) {
          const p = m[1].replace(/[.,:;]+$/, '');
          if (!existsSync(path.join(ROOT, p))) wrong.push(`${page}:${i + 1} ${p}`);
        }
      });
    }
    assert.deepEqual(wrong, []);
  });

  const cases: Array<[string, string, string[][]]> = [
    ['a plain call', 'readiness gate --policy p.yml --at 2026-01-01T00:00:00Z', [['gate', '--policy', 'p.yml', '--at', '2026-01-01T00:00:00Z']]],
    ['after npm ci &&', 'npm ci && node bin/readiness.js demo --no-serve # smoke', [['demo', '--no-serve']]],
    ['through npm run', 'npm run readiness -- serve --port 0', [['serve', '--port', '0']]],
    ['a file name, not a command', 'readiness.yml', []],
    ['the word alone', 'readiness', []],
  ];
  for (const [name, text, expected] of cases) {
    it(`readinessCalls: ${name} -> ${JSON.stringify(expected)}`, () => assert.deepEqual(readinessCalls(text), expected));
  }
});
