/**
 * Response variables of URL tests: `JSONExtractor` (a JSON path) and `RegularExpression`. Azure Load Testing also
 * lists `XPathExtractor`; the local engine refuses it at load time (see urlTest.ts).
 *
 * The JSON path subset: `$`, `.name`, `['name']`, `[index]`, e.g. `$.items[0].id` or `$['access-token']`. Enough
 * for pulling a token or an id out of a response; filters and wildcards are not supported and are rejected when
 * the plan loads, so a typo never silently extracts nothing.
 */
export type Extractor =
  | { kind: 'json'; variableName: string; expression: string; steps: (string | number)[] }
  | { kind: 'regex'; variableName: string; expression: string; pattern: RegExp };

/** Returns the steps of a JSON path, or an error message. */
export function compileJsonPath(expression: string): (string | number)[] | string {
  const text = expression.trim();
  let i = text.startsWith('$') ? 1 : 0;
  const steps: (string | number)[] = [];
  if (i === 0 && text && !text.startsWith('.') && !text.startsWith('[')) {
    // `token.value` without `$.` is common in hand-written plans; read it as `$.token.value`.
    return compileJsonPath(`$.${text}`);
  }
  while (i < text.length) {
    const rest = text.slice(i);
    let m: RegExpMatchArray | null;
    if ((m = rest.match(/^\.([A-Za-z_$][\w$-]*)/))) steps.push(m[1]);
    else if ((m = rest.match(/^\[(\d+)\]/))) steps.push(Number(m[1]));
    else if ((m = rest.match(/^\[\s*'([^']*)'\s*\]/) ?? rest.match(/^\[\s*"([^"]*)"\s*\]/))) steps.push(m[1]);
    else return `unsupported JSON path at "${rest}"; use $.name, $['name'] or [index] steps`;
    i += m[0].length;
  }
  return steps;
}

/** Extracts from a response body; undefined when nothing matched (the variable keeps its previous value). */
export function extractValue(extractor: Extractor, body: string): string | undefined {
  if (extractor.kind === 'regex') {
    const m = extractor.pattern.exec(body);
    return m ? (m[1] ?? m[0]) : undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const step of extractor.steps) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[step];
  }
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
