import type { SignOffDocument, StatusDocument, WaiverDocument } from '../../src/gate/records';
import type { StoredDocument } from '../../src/store/documentStore';
import type { ApprovalsClient } from './ApprovalsClient';

/**
 * Everything the hub reads or writes goes through this interface, so views never know whether they
 * run inside Azure DevOps or under `readiness serve` (DESIGN.md "One engine, three faces").
 */

/** The person using the hub. `groups` only carries what the host can tell us (the local host does). */
export interface HubUser {
  id: string;
  name: string;
  /** Unique name (usually the e-mail address) when the host knows it. */
  uniqueName?: string;
  groups: string[];
}

/**
 * The roles a subject's policy asks to sign, stored in the `policies` collection under
 * `subjectKey(service, environment)` so the hub can tell who may sign without reading the policy file.
 * Same shape as the policy's `roles.<name>` (src/gate/policy.ts `Signers`): `users` are user ids (the gate
 * compares them with the id stored in each sign-off), `groups` are group names, compared without case.
 */
export interface PolicyRole {
  role: string;
  description?: string;
  users: string[];
  groups: string[];
  /** The required level asks for this role's sign-off (default true); other roles only own checks. */
  required?: boolean;
}

/** Written by `readiness serve --policy` and by src/serve/policyDocument.ts `publishPolicyRoles`. */
export interface PolicyDocument extends StoredDocument {
  service: string;
  environment: string;
  roles: PolicyRole[];
  /** Check id -> owner role; only holders of the owner role may waive the check. */
  checkOwners?: Record<string, string>;
}

export const HubCollections = Object.freeze({ policies: 'policies' });

/** Which run a build-results tab shows. */
export interface BuildRef {
  project: string;
  buildId: number;
}

export interface ReadinessData {
  statuses: StatusDocument[];
  /** Raw documents: each one is checked against the evidence schema before a view uses it. */
  evidence: unknown[];
  signoffs: SignOffDocument[];
  waivers: WaiverDocument[];
  policies: PolicyDocument[];
}

export interface ReadinessClient {
  currentUser(): Promise<HubUser>;
  /** Everything the overview and the service page need, read in one go. */
  loadAll(): Promise<ReadinessData>;
  /**
   * Read-modify-write of a waiver document with `__etag` concurrency: when another writer got there
   * first, re-reads and re-applies `change`, so both writes land. (Sign-offs are approvals, decided
   * through `approvals`; the hub writes none to extension data.)
   */
  updateWaivers(
    service: string,
    environment: string,
    change: (current: WaiverDocument | undefined) => WaiverDocument,
  ): Promise<WaiverDocument>;
  /** The evidence documents attached to one pipeline run (attachment type `readiness.evidence`). */
  runEvidence(build: BuildRef): Promise<unknown[]>;
  /** Azure Pipelines approvals, decided as the signed-in user (hub/client/ApprovalsClient.ts). */
  readonly approvals: ApprovalsClient;
}
