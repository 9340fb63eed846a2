import type { Evidence } from '../evidence/types';
import type { StatusDocument } from './records';

/**
 * A published verdict holds for the commit and the evidence it was reached with. It expires as soon as newer evidence
 * for the service arrives (a later load test, a later drill): from then on it says nothing about what that evidence
 * shows, and readers must show it as expired until the gate runs again. Returns the newest such evidence, or
 * undefined while the verdict is current. Gate documents are verdicts, not evidence, and never expire one.
 */
export function expiredBy(status: Pick<StatusDocument, 'service' | 'evaluatedAt'>, evidence: readonly Evidence[]): Evidence | undefined {
  const at = Date.parse(status.evaluatedAt);
  if (!Number.isFinite(at)) return undefined;
  const service = status.service.trim().toLowerCase();
  return evidence
    .filter((e) => e.kind !== 'gate' && e.service.trim().toLowerCase() === service && Date.parse(e.finishedAt) > at)
    .sort((a, b) => Date.parse(b.finishedAt) - Date.parse(a.finishedAt))[0];
}
