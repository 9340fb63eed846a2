import type { Evidence, GateStatus } from '../../src/evidence/types';
import { SignOffDocument, StatusDocument, WaiverDocument, subjectKey } from '../../src/gate/records';
import type { PolicyDocument, ReadinessData } from '../client/ReadinessClient';
import { CheckedEvidence, checkEvidence, newestFirst } from './evidence';
import { pendingSignOffRoles } from './approvals';
import { expiredBy } from '../../src/gate/verdict';

/** Everything known about one service in one environment, gathered from the five collections. */
export interface Subject {
  key: string;
  service: string;
  environment: string;
  /** `unknown` when the gate has not evaluated this subject yet. */
  status: GateStatus | 'unknown';
  statusDoc?: StatusDocument;
  evidence: Evidence[];
  invalidEvidence: Array<Extract<CheckedEvidence, { valid: false }>>;
  newestEvidenceAt?: string;
  policy?: PolicyDocument;
  signoffs?: SignOffDocument;
  waivers?: WaiverDocument;
  pendingSignOffs: string[];
  /** Set when evidence newer than the verdict arrived: the verdict no longer holds (src/gate/verdict.ts). */
  expiredBy?: Evidence;
}

export type StatusFilter = 'all' | GateStatus | 'unknown';

/**
 * `check` decides which evidence documents are valid. The hub first builds with the cheap structural check so
 * the overview paints at once, then again with the full JSON Schema (whose compilation costs a few hundred
 * milliseconds on a slow machine; see docs/performance.md).
 */
export function buildSubjects(data: ReadinessData, check: (raw: unknown) => CheckedEvidence = checkEvidence): Subject[] {
  const subjects = new Map<string, Subject>();
  const subject = (service: string, environment: string): Subject => {
    const key = subjectKey(service, environment);
    let found = subjects.get(key);
    if (!found) {
      found = { key, service, environment, status: 'unknown', evidence: [], invalidEvidence: [], pendingSignOffs: [] };
      subjects.set(key, found);
    }
    return found;
  };
  for (const doc of data.statuses) {
    const s = subject(doc.service, doc.environment);
    s.statusDoc = doc;
    s.status = doc.status;
  }
  for (const raw of data.evidence) {
    const checked = check(raw);
    if (checked.valid) subject(checked.evidence.service, checked.evidence.environment).evidence.push(checked.evidence);
    else if (checked.service && checked.environment) subject(checked.service, checked.environment).invalidEvidence.push(checked);
  }
  for (const doc of data.policies) subject(doc.service, doc.environment).policy = doc;
  for (const doc of data.signoffs) subject(doc.service, doc.environment).signoffs = doc;
  for (const doc of data.waivers) subject(doc.service, doc.environment).waivers = doc;
  for (const s of subjects.values()) {
    s.evidence = newestFirst(s.evidence);
    s.newestEvidenceAt = s.evidence[0]?.finishedAt;
    s.pendingSignOffs = pendingSignOffRoles(s.policy, s.statusDoc);
    if (s.statusDoc) s.expiredBy = expiredBy(s.statusDoc, s.evidence);
  }
  return [...subjects.values()].sort(
    (a, b) => a.environment.localeCompare(b.environment) || a.service.localeCompare(b.service),
  );
}

export function filterSubjects(subjects: Subject[], filter: StatusFilter): Subject[] {
  return filter === 'all' ? subjects : subjects.filter((s) => s.status === filter);
}

/** Evidence documents that did not pass the check, whatever subject they belong to. */
export function invalidWithoutSubject(
  data: ReadinessData,
  check: (raw: unknown) => CheckedEvidence = checkEvidence,
): Array<Extract<CheckedEvidence, { valid: false }>> {
  return data.evidence
    .map(check)
    .filter((c): c is Extract<CheckedEvidence, { valid: false }> => !c.valid && !(c.service && c.environment));
}

export const STATUS_LABEL: Record<Subject['status'], string> = {
  ready: 'Ready',
  'not-ready': 'Not ready',
  warn: 'Warn',
  unknown: 'Not evaluated',
};
