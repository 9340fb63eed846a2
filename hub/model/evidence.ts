import { isWebUrl } from '../../src/evidence/links';
import type { Evidence, EvidenceKind } from '../../src/evidence/types';
import { validateEvidence } from '../../src/evidence/validate';

/**
 * Evidence arrives from storage written by other versions and other hands, so the hub checks each
 * document before a view touches it. A document that fails is shown as invalid with the reason; it
 * never reaches a view that would crash on a missing field.
 */
export type CheckedEvidence =
  | { valid: true; evidence: Evidence }
  | { valid: false; id: string; service?: string; environment?: string; reason: string };

const KINDS: EvidenceKind[] = ['loadtest', 'drill', 'docs', 'gate', 'environment', 'capacity'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fields each kind's views read; the full JSON Schema lives in src/evidence. */
const METRIC_FIELDS: Record<EvidenceKind, Array<[string, 'object' | 'array' | 'number' | 'string']>> = {
  loadtest: [['totals', 'object'], ['requests', 'array'], ['timeline', 'array']],
  drill: [['targets', 'object'], ['steps', 'array'], ['probes', 'array'], ['cleanup', 'object']],
  docs: [['findings', 'array']],
  gate: [['checks', 'array'], ['status', 'string']],
  environment: [['checks', 'array']],
  capacity: [['steps', 'array'], ['outcome', 'string'], ['provenRps', 'number'], ['serviceLevel', 'array']],
};

type Shape = Record<string, 'object' | 'array' | 'number' | 'string'>;

/**
 * What the views read inside each list or object of metrics (DrillView, LoadTestView): the first paint uses
 * this check alone, so a document that passes it must not make a view throw.
 */
const NESTED: Partial<Record<EvidenceKind, Array<{ field: string; list: boolean; shape: Shape }>>> = {
  loadtest: [
    { field: 'totals', list: false, shape: { latencyMs: 'object' } },
    { field: 'requests', list: true, shape: { name: 'string', latencyMs: 'object' } },
    { field: 'timeline', list: true, shape: { latencyMs: 'object' } },
  ],
  drill: [
    { field: 'targets', list: false, shape: { rtoSeconds: 'number', rpoSeconds: 'number' } },
    { field: 'steps', list: true, shape: { name: 'string', durationMs: 'number', status: 'string' } },
    { field: 'probes', list: true, shape: { name: 'string', status: 'string', durationMs: 'number' } },
    { field: 'cleanup', list: false, shape: { status: 'string', leftBehind: 'array' } },
  ],
  docs: [{ field: 'findings', list: true, shape: { file: 'string', severity: 'string', message: 'string' } }],
  environment: [{ field: 'checks', list: true, shape: { name: 'string', type: 'string', status: 'string', detail: 'string' } }],
  capacity: [{ field: 'steps', list: true, shape: { phase: 'string', offeredRps: 'number', achievedRps: 'number', latencyMs: 'object', signals: 'array' } }],
};

function nestedProblems(kind: EvidenceKind, metrics: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const { field, list, shape } of NESTED[kind] ?? []) {
    const value = metrics[field];
    const items = list ? (Array.isArray(value) ? value : []) : isObject(value) ? [value] : [];
    items.forEach((item, i) => {
      const where = list ? `metrics.${field}[${i}]` : `metrics.${field}`;
      if (!isObject(item)) {
        problems.push(`"${where}" must be an object`);
        return;
      }
      for (const [key, type] of Object.entries(shape)) {
        if (!typeOk(item[key], type)) problems.push(`"${where}.${key}" must be ${type === 'array' ? 'a list' : type === 'object' ? 'an object' : `a ${type}`}`);
      }
    });
    // One broken list reports its first few items; the rest say the same.
    if (problems.length > 5) return [...problems.slice(0, 5), `and ${problems.length - 5} more problems in metrics`];
  }
  return problems;
}

function typeOk(value: unknown, type: 'object' | 'array' | 'number' | 'string'): boolean {
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return isObject(value);
  return typeof value === type;
}

/**
 * Checks a stored document against the evidence JSON Schema (src/evidence/validate.ts). The store adds
 * `__etag`, which is not part of the evidence, so it is set aside first. Should the schema validator be
 * unusable in the host page (it compiles code at run time, which a strict CSP forbids), the structural
 * check below still keeps broken documents away from the views.
 */
export function checkEvidence(raw: unknown): CheckedEvidence {
  if (!isObject(raw)) return structuralCheck(raw);
  if (raw.invalidJson) {
    return { valid: false, id: String(raw.name ?? '(attachment)'), reason: `the attachment is not valid JSON (it starts with ${JSON.stringify(String(raw.text ?? '').slice(0, 40))})` };
  }
  const { __etag: _etag, ...doc } = raw;
  let result: ReturnType<typeof validateEvidence>;
  try {
    result = validateEvidence(doc);
  } catch {
    return structuralCheck(doc);
  }
  if (result.ok) return { valid: true, evidence: result.evidence };
  return {
    valid: false,
    id: typeof doc.id === 'string' ? doc.id : '(no id)',
    service: typeof doc.service === 'string' ? doc.service : undefined,
    environment: typeof doc.environment === 'string' ? doc.environment : undefined,
    reason: result.errors.join('; '),
  };
}

export function structuralCheck(raw: unknown): CheckedEvidence {
  if (!isObject(raw)) return { valid: false, id: '(unknown)', reason: 'the document is not a JSON object' };
  const id = typeof raw.id === 'string' ? raw.id : '(no id)';
  const service = typeof raw.service === 'string' ? raw.service : undefined;
  const environment = typeof raw.environment === 'string' ? raw.environment : undefined;
  const problems: string[] = [];
  if (raw.invalidJson) problems.push('the attachment is not valid JSON');
  for (const field of ['id', 'service', 'environment', 'startedAt', 'finishedAt', 'summary']) {
    if (typeof raw[field] !== 'string') problems.push(`"${field}" must be a string`);
  }
  if (raw.schemaVersion !== 1) problems.push(`"schemaVersion" must be 1, found ${JSON.stringify(raw.schemaVersion)}`);
  if (!KINDS.includes(raw.kind as EvidenceKind)) problems.push(`"kind" must be one of ${KINDS.join(', ')}`);
  if (!['passed', 'failed', 'error'].includes(raw.verdict as string)) problems.push('"verdict" must be passed, failed or error');
  if (!Array.isArray(raw.criteria)) problems.push('"criteria" must be a list');
  else {
    raw.criteria.forEach((c, i) => {
      if (!isObject(c) || typeof c.expression !== 'string' || typeof c.failed !== 'boolean') {
        problems.push(`"criteria[${i}]" needs an expression and a failed flag`);
      }
    });
  }
  if (!isObject(raw.metrics)) problems.push('"metrics" must be an object');
  else if (KINDS.includes(raw.kind as EvidenceKind)) {
    for (const [field, type] of METRIC_FIELDS[raw.kind as EvidenceKind]) {
      if (!typeOk(raw.metrics[field], type)) problems.push(`"metrics.${field}" must be ${type === 'array' ? 'a list' : type === 'object' ? 'an object' : `a ${type}`}`);
    }
    problems.push(...nestedProblems(raw.kind as EvidenceKind, raw.metrics));
  }
  // Links are rendered as anchors: anything but http(s) (javascript:, data:) makes the document invalid.
  const links = Array.isArray(raw.links) ? raw.links : [];
  links.forEach((l, i) => {
    if (!isObject(l) || !isWebUrl(l.url)) problems.push(`"links[${i}].url" must be an http(s) address`);
  });
  if (isObject(raw.run) && raw.run.url !== undefined && !isWebUrl(raw.run.url)) problems.push('"run.url" must be an http(s) address');
  if (typeof raw.finishedAt === 'string' && Number.isNaN(Date.parse(raw.finishedAt))) {
    problems.push('"finishedAt" is not a date');
  }
  if (problems.length > 0) return { valid: false, id, service, environment, reason: problems.join('; ') };
  return { valid: true, evidence: { run: {}, links: [], ...(raw as object) } as unknown as Evidence };
}

export function newestFirst<T extends { finishedAt: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => Date.parse(b.finishedAt) - Date.parse(a.finishedAt));
}

/** "3 h ago": how fresh a piece of evidence is. */
export function ago(iso: string | undefined, now: number): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}
