import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

/** A path into a parsed document, e.g. `['failureCriteria', 1]`. */
export type DocPath = (string | number)[];

/**
 * A YAML (or JSON, which YAML 1.2 reads too) file parsed with its positions kept, so every problem can name a
 * line. Syntax errors are returned as problems, never thrown.
 */
export interface YamlSource {
  file: string;
  data: unknown;
  /** 1-based line of the value at `path` (for a map key that does not hold a value, the key's line). */
  lineOf(path: DocPath): number | undefined;
  syntaxProblems: string[];
}

export function parseYamlSource(file: string, text: string, displayName = file): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxProblems = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    const where = pos ? `${displayName}:${pos.line}:${pos.col}` : displayName;
    return `${where} YAML syntax: ${firstLine(e.message)}`;
  });
  const lineOf = (path: DocPath): number | undefined => {
    const offset = offsetOf(doc, path);
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  const data = syntaxProblems.length ? undefined : doc.toJS({ maxAliasCount: 100 });
  return { file, data, lineOf, syntaxProblems };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** Walks the node tree; the deepest node found gives the offset, so a missing key points at its parent. */
function offsetOf(doc: Document, path: DocPath): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) return offset;
      const key = pair.key as Node;
      node = pair.value;
      // The key's line: for a nested block the key is where a reader looks, and for a scalar it is the same line.
      offset = key.range?.[0] ?? (node as Node | null)?.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as Node | undefined;
      if (!item) return offset;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

/** `failureCriteria[1].value` style text for a path, as users see keys. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : out ? `.${step}` : step;
  return out || '(document)';
}

/**
 * Collects every problem of one file, each formatted `file:line key: message` (k6's habit: report them all at
 * once, so a user fixes a config in one pass).
 */
export class Problems {
  readonly list: string[] = [];
  constructor(
    private readonly displayName: string,
    private readonly lineOf: (path: DocPath) => number | undefined,
  ) {}

  add(path: DocPath, message: string): void {
    const line = this.lineOf(path);
    const where = line === undefined ? this.displayName : `${this.displayName}:${line}`;
    this.list.push(path.length ? `${where} ${formatPath(path)}: ${message}` : `${where}: ${message}`);
  }

  /** Adds the problem and returns `fallback`, so a checker can report and carry on in one line. */
  fail<T>(path: DocPath, message: string, fallback: T): T {
    this.add(path, message);
    return fallback;
  }
}

/** The valid key closest to a misspelt one (Levenshtein distance), if any is close enough to be a likely typo. */
export function nearestKey(key: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** Reports keys of `obj` that are not in `valid`, naming the nearest valid key. */
export function checkKeys(problems: Problems, path: DocPath, obj: Record<string, unknown>, valid: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (valid.includes(key)) continue;
    const near = nearestKey(key, valid);
    problems.add([...path, key], `unknown key "${key}"${near ? `; did you mean "${near}"?` : `; valid keys: ${valid.join(', ')}`}`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
