import type { ErrorObject } from 'ajv';
import { hint as suggestion } from '../config/suggest';
import { formatPath, type DocPath } from '../config/yamlSource';

/** Turns ajv's errors into `file:line key: message` problems, naming the nearest valid key for typos. */
export function reportSchemaErrors(errors: ErrorObject[], prefix: DocPath, add: (p: DocPath, message: string, atKey?: boolean) => void): void {
  const seen = new Set<string>();
  for (const e of errors) {
    const at = [...prefix, ...pointerToPath(e.instancePath)];
    let problem: [DocPath, string, boolean?];
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const valid = Object.keys(((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object);
      problem = [[...at, key], `unknown key "${key}"${suggestion(key, valid)}`, true];
    } else if (e.keyword === 'required') {
      problem = [at, `missing required key "${(e.params as { missingProperty: string }).missingProperty}"`];
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      problem = [at, `"${String(e.data)}" is not allowed${suggestion(String(e.data), allowed)}`];
    } else if (e.keyword === 'type') {
      const wanted = String((e.params as { type: string | string[] }).type).split(',').map((t) => TYPE_WORDS[t] ?? t);
      problem = [at, `must be ${wanted.join(' or ')}`];
    } else if (e.keyword === 'anyOf') {
      problem = [at, 'must be a file path or a list of alternative paths'];
    } else if (e.keyword === 'pattern' && at[at.length - 1] === 'id') {
      problem = [at, 'a check id uses letters, digits, ".", "_" and "-", starting with a letter or digit'];
    } else {
      problem = [at, e.message ?? 'is not valid'];
    }
    // anyOf reports each branch too; keep one sentence per location.
    if (e.keyword !== 'anyOf' && errors.some((o) => o.keyword === 'anyOf' && o.instancePath === e.instancePath)) continue;
    const key = `${formatPath(problem[0])}|${problem[1]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    add(...problem);
  }
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping of keys to values',
  array: 'a list',
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
};

function pointerToPath(pointer: string): DocPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s));
}

