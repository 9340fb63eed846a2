import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { oversizeProblem, type InputKind } from './inputSize';
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

export function parseYamlSource(file: string, text: string, displayName = file, kind: InputKind = 'yaml'): YamlSource {
  // A text that never came from a file (a task input) gets the same cap as one read from disk.
  const oversize = oversizeProblem(displayName, Buffer.byteLength(text, 'utf8'), kind);
  if (oversize) return { file, data: undefined, lineOf: () => undefined, valueLineOf: () => undefined, syntaxProblems: [oversize] };
  const lineCounter = new LineCounter();
  // uniqueKeys off: the yaml package checks each key against every earlier key of its map (quadratic: a
  // 20,000-key map took seconds); duplicateKeys below does the same check with a Set.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return pos ? `${displayName}:${pos.line}:${pos.col}` : displayName;
  };
  const syntaxProblems = doc.errors.map((e) => `${at(e.pos[0])} YAML syntax: ${firstLine(e.message)}`);
  if (!syntaxProblems.length) {
    for (const { offset, key, firstLine: line } of duplicateKeys(doc, lineCounter)) {
      syntaxProblems.push(`${at(offset)} YAML syntax: Map keys must be unique; "${key}" is already set on line ${line}`);
    }
  }
  const toLine = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  const data = syntaxProblems.length ? undefined : doc.toJS({ maxAliasCount: 100 });
  const index = new PairIndex();
  return {
    file,
    data,
    lineOf: (path) => toLine(offsetOf(doc, path, 'key', index)),
    valueLineOf: (path) => toLine(offsetOf(doc, path, 'value', index)),
    syntaxProblems,
  };
}

/** Keys set twice in one map (YAML 1.2 §3.2.1.1: keys are unique), in one pass per map. */
function duplicateKeys(doc: Document, lineCounter: LineCounter): Array<{ offset: number; key: string; firstLine: number }> {
  const found: Array<{ offset: number; key: string; firstLine: number }> = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue; // complex keys are not used by any of our files
        const name = `${typeof pair.key.value}:${String(pair.key.value)}`;
        const offset = pair.key.range?.[0] ?? 0;
        const first = seen.get(name);
        if (first === undefined) seen.set(name, offset);
        else found.push({ offset, key: String(pair.key.value), firstLine: lineCounter.linePos(first).line });
      }
    },
  });
  return found.sort((a, b) => a.offset - b.offset);
}

/** Each map's pairs by key, built on first use, so looking up the line of many problems stays linear. */
class PairIndex {
  private readonly byMap = new WeakMap<object, Map<string, unknown>>();

  find(map: { items: unknown[] }, step: string | number): unknown {
    let pairs = this.byMap.get(map);
    if (!pairs) {
      pairs = new Map();
      for (const p of map.items) if (isPair(p) && isScalar(p.key) && !pairs.has(String(p.key.value))) pairs.set(String(p.key.value), p);
      this.byMap.set(map, pairs);
    }
    return pairs.get(String(step));
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Walks the node tree; the deepest node found gives the offset, so a missing key points at its parent. A map
 * entry resolves to its key (`prefer: 'key'`: for a nested block the key is where a reader looks, and for a scalar
 * it is the same line) or to its value (`prefer: 'value'`: the first line of a nested block).
 */
function offsetOf(doc: Document, path: DocPath, prefer: 'key' | 'value', index: PairIndex): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const step of path) {
    if (isMap(node)) {
      const pair = index.find(node, step) as { key: unknown; value: unknown } | undefined;
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
