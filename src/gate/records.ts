import type { CheckOutcome, GateStatus } from '../evidence/types';

/**
 * Records people create (sign-offs, waivers) and the status document the gate publishes.
 * They are stored as extension-data documents (see src/store/documentStore.ts).
 *
 * Collections:
 * - `signoffs`: one document per subject (`subjectKey(service, environment)`), holding an append-only `history` of
 *   SignOffEvent; the current decision per role is derived from the history, never stored alone.
 * - `waivers`: one document per subject, holding an append-only list of Waiver.
 * - `status`: one StatusDocument per subject, written by the gate.
 * - `evidence`: evidence documents (src/evidence/types.ts), id = evidence id.
 * - `policies`: one document per subject with the policy's roles and who may sign (src/serve/policyDocument.ts).
 */
export const Collections = Object.freeze({
  signoffs: 'signoffs',
  waivers: 'waivers',
  status: 'status',
  evidence: 'evidence',
  policies: 'policies',
});

/**
 * Document id of a service in an environment. It appears in the extension-data REST URL that
 * release gates and environment checks call, so it uses only URL-safe characters.
 */
export function subjectKey(service: string, environment: string): string {
  const safe = (s: string) => s.trim().toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
  return `${safe(service)}.${safe(environment)}`;
}

export interface Person {
  id: string;
  name: string;
}

export interface SignOffSubject {
  service: string;
  environment: string;
  /** The version or run signed for; a sign-off is void when this changes. */
  version?: string;
  run?: string;
}

export interface SignOff {
  id: string;
  role: string;
  decision: 'approve' | 'reject';
  by: Person;
  at: string; // ISO 8601
  comment: string;
  for: SignOffSubject;
}

/** An entry of the audit trail: a decision, or the revocation of an earlier one. */
export type SignOffEvent =
  | ({ type: 'signoff' } & SignOff)
  | { type: 'revoke'; id: string; revokes: string; role: string; by: Person; at: string; comment: string };

export interface SignOffDocument {
  id: string; // subjectKey
  __etag?: number;
  service: string;
  environment: string;
  history: SignOffEvent[];
  [key: string]: unknown;
}

export interface Waiver {
  id: string;
  check: string;
  /** The owner role that waives (repository waivers, src/gate/waivers.ts); it must own the check. */
  role?: string;
  reason: string;
  by: Person;
  at: string;
  until: string; // ISO 8601; ignored everywhere once passed
}

export interface WaiverDocument {
  id: string;
  __etag?: number;
  service: string;
  environment: string;
  waivers: Waiver[];
  [key: string]: unknown;
}

export interface StatusDocument {
  id: string;
  __etag?: number;
  service: string;
  environment: string;
  status: GateStatus | 'not-ready';
  level: string | null;
  requiredLevel: string | null;
  checks: CheckOutcome[];
  evaluatedAt: string;
  evidenceId?: string;
  runUrl?: string;
  /** The version the verdict was reached for, when known (display only). */
  version?: string;
  /** The run and commit the verdict was reached for. Display only: no gate or check decides from this document. */
  runId?: number;
  commit?: string;
  [key: string]: unknown;
}
