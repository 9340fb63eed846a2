import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { nearest } from './suggest';

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
  /** 1-based line of the value at `path`: for a nested block its first line rather than its key's. */
  valueLineOf(path: DocPath): number | undefined;
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
  const toLine = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  const data = syntaxProblems.length ? undefined : doc.toJS({ maxAliasCount: 100 });
  return {
    file,
    data,
    lineOf: (path) => toLine(offsetOf(doc, path, 'key')),
    valueLineOf: (path) => toLine(offsetOf(doc, path, 'value')),
    syntaxProblems,
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Walks the node tree; the deepest node found gives the offset, so a missing key points at its parent. A map
 * entry resolves to its key (`prefer: 'key'`: for a nested block the key is where a reader looks, and for a scalar
 * it is the same line) or to its value (`prefer: 'value'`: the first line of a nested block).
 */
function offsetOf(doc: Document, path: DocPath, prefer: 'key' | 'value'): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) return offset;
      const keyOffset = (pair.key as Node).range?.[0];
      node = pair.value;
      const valueOffset = (node as Node | null)?.range?.[0];
      offset = (prefer === 'key' ? (keyOffset ?? valueOffset) : (valueOffset ?? keyOffset)) ?? offset;
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

/** The valid key closest to a misspelt one, if any is close enough to be a likely typo. */
export function nearestKey(key: string, valid: readonly string[]): string | undefined {
  return nearest(key, valid);
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
