/**
 * "Did you mean" help for misspelt aggregates, metrics, actions and keys. A suggestion is offered only when the
 * word is close enough to be a likely typo (k6 and cargo use the same habit of naming the nearest valid word).
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  // An abbreviation (`Avg` for `Average`) is a likely intent even when the edit distance is large.
  if (word.length >= 2) {
    const prefixed = candidates.find((c) => c.toLowerCase().startsWith(word.toLowerCase()));
    if (prefixed) return prefixed;
  }
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  // Words like `response_time` vs `response_time_ms` differ by a suffix; allow a third of the longer word.
  const allowed = Math.max(2, Math.floor(Math.max(word.length, best?.length ?? 0) / 3));
  return best !== undefined && bestDistance <= allowed ? best : undefined;
}

/** Levenshtein distance with one rolling row. */
export function editDistance(a: string, b: string): number {
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

/** `; did you mean "x"?` or, when nothing is close, the full list of valid words, for the end of a problem sentence. */
export function hint(word: string, candidates: readonly string[]): string {
  const near = nearest(word, candidates);
  if (near) return `; did you mean "${near}"?`;
  return candidates.length ? `; expected one of: ${candidates.join(', ')}` : '';
}
