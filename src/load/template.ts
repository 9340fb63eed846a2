/**
 * `${name}` placeholders in URL-test requests (JMeter's variable syntax, which Azure Load Testing's URL tests
 * use for env, CSV and response variables). A template is compiled once at load time; rendering is a string
 * concatenation, with no parsing on the hot path.
 */
export interface Template {
  /** Literal text around the placeholders: parts.length === names.length + 1. */
  parts: string[];
  names: string[];
  /** Apply encodeURIComponent to substituted values (query parameter values). */
  encode: boolean;
}

const PLACEHOLDER = /\$\{([A-Za-z_][\w.-]*)\}/g;

export function compileTemplate(text: string, encode = false): Template {
  const parts: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    parts.push(text.slice(last, match.index));
    names.push(match[1]);
    last = match.index! + match[0].length;
  }
  parts.push(text.slice(last));
  // Query parameter values are written raw (as in the Azure portal), so their literal text is encoded too.
  return { parts: encode ? parts.map(encodeURIComponent) : parts, names, encode };
}

/** Replaces the placeholders whose values are known now (env, secrets); the others stay for run time. */
export function bindTemplate(t: Template, known: Readonly<Record<string, string>>): Template {
  const parts = [t.parts[0]];
  const names: string[] = [];
  t.names.forEach((name, i) => {
    if (Object.prototype.hasOwnProperty.call(known, name)) {
      parts[parts.length - 1] += (t.encode ? encodeURIComponent(known[name]) : known[name]) + t.parts[i + 1];
    } else {
      names.push(name);
      parts.push(t.parts[i + 1]);
    }
  });
  return { parts, names, encode: t.encode };
}

export function isConstant(t: Template): boolean {
  return t.names.length === 0;
}

/** Unset variables render as an empty string (for example a response variable before its first extraction). */
export function renderTemplate(t: Template, vars: Readonly<Record<string, string | undefined>>): string {
  if (t.names.length === 0) return t.parts[0];
  let out = t.parts[0];
  for (let i = 0; i < t.names.length; i++) {
    const value = vars[t.names[i]] ?? '';
    out += (t.encode ? encodeURIComponent(value) : value) + t.parts[i + 1];
  }
  return out;
}
