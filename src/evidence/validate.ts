import type { ErrorObject } from 'ajv';
import { validatorFor } from './precompiledValidators';
import { EVIDENCE_KINDS } from './schema';
import type { Evidence, EvidenceKind } from './types';

export type EvidenceValidation = { ok: true; evidence: Evidence } | { ok: false; errors: string[] };

/** At most this many messages: a badly broken file should not flood a log. */
const MAX_ERRORS = 20;

/**
 * Checks a parsed JSON value against the evidence schema. Errors read `metrics.totals.p95: must be a number
 * (found "fast")`: a path a person can follow, what was expected, and what was there.
 */
export function validateEvidence(doc: unknown): EvidenceValidation {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { ok: false, errors: [`(document): must be a JSON object (found ${describe(doc)})`] };
  }
  const kind = (doc as { kind?: unknown }).kind;
  if (!EVIDENCE_KINDS.includes(kind as EvidenceKind)) {
    const found = kind === undefined ? 'missing' : `found ${describe(kind)}`;
    return { ok: false, errors: [`kind: must be one of ${EVIDENCE_KINDS.join(', ')} (${found})`] };
  }
  const validate = validatorFor(kind as EvidenceKind);
  if (validate(doc)) return { ok: true, evidence: doc as Evidence };
  const messages = [...new Set((validate.errors ?? []).map((e) => readable(e, doc)))];
  const errors = messages.slice(0, MAX_ERRORS);
  if (messages.length > MAX_ERRORS) errors.push(`... and ${messages.length - MAX_ERRORS} more problems`);
  return { ok: false, errors };
}

function readable(error: ErrorObject, doc: unknown): string {
  const path = toPath(error.instancePath);
  const found = `found ${describe(valueAt(doc, error.instancePath))}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${path}: missing required property "${String(params.missingProperty)}"`;
    case 'additionalProperties':
      return `${path}: unknown property "${String(params.additionalProperty)}"`;
    case 'enum':
      return `${path}: must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')} (${found})`;
    case 'const':
      return `${path}: must be ${JSON.stringify(params.allowedValue)} (${found})`;
    case 'type':
      return `${path}: must be ${String(params.type).replace(',', ' or ')} (${found})`;
    case 'format':
      return `${path}: must be a ${String(params.format)} (${found})`;
    default:
      return `${path}: ${error.message ?? 'is not valid'} (${found})`;
  }
}

/** `/metrics/requests/0/latencyMs` -> `metrics.requests[0].latencyMs`. */
function toPath(pointer: string): string {
  if (!pointer) return '(document)';
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const step = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(step) ? `[${step}]` : out ? `.${step}` : step;
  }
  return out;
}

function valueAt(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const step = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const shown = JSON.stringify(value);
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}
