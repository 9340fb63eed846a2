import type { Evidence, EvidenceKind } from '../evidence/types';

/**
 * A minimal structural check of an evidence document: enough that the gate can never read a half-written or
 * hand-edited file as a pass. The full JSON Schema lives in src/evidence/; this only guards the fields the gate
 * reads, so a document failing here is counted as missing.
 */
const KINDS: readonly EvidenceKind[] = ['loadtest', 'drill', 'docs', 'gate'];

export function evidenceProblems(doc: unknown): string[] {
  if (!isRecord(doc)) return ['not a JSON object'];
  const problems: string[] = [];
  const need = (ok: boolean, message: string) => {
    if (!ok) problems.push(message);
  };
  need(doc.schemaVersion === 1, 'schemaVersion must be 1');
  need(typeof doc.id === 'string' && doc.id.length > 0, 'id must be a non-empty string');
  need(KINDS.includes(doc.kind as EvidenceKind), `kind must be one of ${KINDS.join(', ')}`);
  need(typeof doc.service === 'string' && doc.service.length > 0, 'service must be a non-empty string');
  need(typeof doc.environment === 'string', 'environment must be a string');
  need(isDate(doc.finishedAt), 'finishedAt must be an ISO 8601 date');
  need(['passed', 'failed', 'error'].includes(doc.verdict as string), 'verdict must be passed, failed or error');
  need(isRecord(doc.metrics), 'metrics must be an object');
  if (!isRecord(doc.metrics)) return problems;
  const m = doc.metrics;
  if (doc.kind === 'loadtest') {
    need(isRecord(m.totals) && isRecord(m.totals.latencyMs), 'metrics.totals.latencyMs must be an object');
  } else if (doc.kind === 'drill') {
    need(isNumberOrNull(m.rtoSeconds), 'metrics.rtoSeconds must be a number or null');
    need(isNumberOrNull(m.rpoSeconds), 'metrics.rpoSeconds must be a number or null');
  } else if (doc.kind === 'docs') {
    need(Array.isArray(m.findings), 'metrics.findings must be a list');
  }
  return problems;
}

export function isWellFormedEvidence(doc: unknown): doc is Evidence {
  return evidenceProblems(doc).length === 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDate(value: unknown): boolean {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && Number.isFinite(Date.parse(value));
}

function isNumberOrNull(value: unknown): boolean {
  return value === null || (typeof value === 'number' && Number.isFinite(value));
}
