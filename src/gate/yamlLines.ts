import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

/** A path into a parsed document, e.g. `['checks', 2, 'rule', 'rto']`. */
export type DocPath = (string | number)[];

/**
 * A YAML file parsed with node positions kept, so a policy problem can name its line. YAML syntax errors come
 * back as problems (never thrown) so they are reported together with everything else.
 */
export interface LocatedYaml {
  data: unknown;
  syntaxProblems: string[];
  /** 1-based line of the value at `path`; a missing key resolves to its nearest existing parent. */
  lineOf(path: DocPath): number | undefined;
  /** 1-based line of the key itself (for "unknown key" problems), falling back to lineOf. */
  keyLineOf(path: DocPath): number | undefined;
}

export function parseLocatedYaml(text: string, displayName: string): LocatedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxProblems = doc.errors.map((e) => {
    const line = e.linePos?.[0]?.line ?? (e.pos?.[0] === undefined ? undefined : lineCounter.linePos(e.pos[0]).line);
    return `${line ? `${displayName}:${line}` : displayName}: YAML syntax: ${e.message.split('\n')[0]}`;
  });
  const toLine = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  return {
    data: syntaxProblems.length ? undefined : doc.toJS({ maxAliasCount: 100 }),
    syntaxProblems,
    lineOf: (path) => toLine(locate(doc, path, false)),
    keyLineOf: (path) => toLine(locate(doc, path, true)),
  };
}

function locate(doc: Document, path: DocPath, wantKey: boolean): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) return offset;
      const keyOffset = (pair.key as Node).range?.[0];
      node = pair.value;
      offset = last && wantKey ? (keyOffset ?? offset) : ((node as Node | null)?.range?.[0] ?? keyOffset ?? offset);
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

/** `checks[2].rule.rto`, as a user reads keys. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : out ? `.${step}` : step;
  return out;
}

/** The candidate closest to a misspelt word (edit distance), when close enough to be a likely typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
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

/** "; did you mean "x"?" or the list of valid choices, for the end of a problem sentence. */
export function suggestion(word: string, candidates: readonly string[]): string {
  const near = nearest(word, candidates);
  if (near) return `; did you mean "${near}"?`;
  return candidates.length ? `; expected one of: ${candidates.join(', ')}` : '';
}
