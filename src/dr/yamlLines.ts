import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

export type YamlPath = Array<string | number>;

/** A YAML file parsed with positions kept, so each problem can name its line (k6's habit, see STYLE.md). */
export interface ParsedYaml {
  data: unknown;
  syntaxProblems: string[];
  /** 1-based line of the node at `path`; for a key that is missing, the line of the nearest parent present. */
  lineOf(path: YamlPath): number;
  /** Line of the key itself (for "unknown key" problems, the key is what the user must change). */
  keyLineOf(path: YamlPath): number;
}

export function parseYaml(text: string, displayName: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxProblems = doc.errors.map((e) => {
    const line = e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line;
    return `${displayName}${line ? `:${line}` : ''} YAML syntax: ${e.message.split('\n')[0]}`;
  });
  const line = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  const walk = (path: YamlPath, wantKey: boolean): number => {
    let node: unknown = doc.contents;
    let offset = (node as Node | null)?.range?.[0];
    for (const step of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
        if (!pair) break;
        const keyOffset = (pair.key as Node).range?.[0];
        node = pair.value;
        offset = wantKey && step === path[path.length - 1] ? keyOffset : ((node as Node | null)?.range?.[0] ?? keyOffset);
      } else if (isSeq(node) && typeof step === 'number' && node.items[step]) {
        node = node.items[step];
        offset = (node as Node).range?.[0] ?? offset;
      } else {
        break;
      }
    }
    return line(offset);
  };
  return {
    data: syntaxProblems.length ? undefined : doc.toJS({ maxAliasCount: 100 }),
    syntaxProblems,
    lineOf: (path) => walk(path, false),
    keyLineOf: (path) => walk(path, true),
  };
}

/** `probes[1].tables` as a user reads it. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : out ? `.${step}` : step;
  return out || '(file)';
}

/** The closest candidate by edit distance, when it is close enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
