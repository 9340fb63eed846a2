import { checksForLevel, type Policy } from '../gate/policy';
import { subjectKey } from '../gate/records';
import type { DocumentStore, StoredDocument } from '../store/documentStore';

/**
 * What the hub needs to know about a policy to offer sign-offs: for each environment, the roles whose
 * sign-off its required level asks for, and who holds them (the policy's `roles.<name>` users and groups).
 * Stored in the `policies` collection under `subjectKey(service, environment)`, because the hub cannot
 * read the policy file from the repository.
 */
export const POLICY_ROLES_COLLECTION = 'policies';

export interface PolicyRolesDocument extends StoredDocument {
  service: string;
  environment: string;
  requiredLevel: string;
  /** The policy file it was derived from, for the people reading the document. */
  policyFile: string;
  /** Every role of the policy; `required` marks those whose sign-off the required level asks for. */
  roles: Array<{ role: string; description?: string; users: string[]; groups: string[]; required: boolean }>;
  /** Check id -> owner role: who may waive the check. */
  checkOwners: Record<string, string>;
}

export function policyRolesDocuments(policy: Policy): PolicyRolesDocument[] {
  return Object.entries(policy.environments).map(([environment, settings]) => {
    const required = new Set(checksForLevel(policy, settings.requiredLevel));
    const signOffTitle = new Map<string, string>();
    for (const check of policy.checks) {
      if (check.type !== 'signoff' || !required.has(check.id)) continue;
      for (const role of check.rule.roles) if (!signOffTitle.has(role)) signOffTitle.set(role, check.title);
    }
    const roles: PolicyRolesDocument['roles'] = Object.entries(policy.roles).map(([role, signers]) => ({
      role,
      ...(signOffTitle.has(role) ? { description: signOffTitle.get(role) } : {}),
      users: [...signers.users],
      groups: [...signers.groups],
      required: signOffTitle.has(role),
    }));
    return {
      id: subjectKey(policy.service, environment),
      service: policy.service,
      environment,
      requiredLevel: settings.requiredLevel,
      policyFile: policy.file,
      roles,
      checkOwners: Object.fromEntries(policy.checks.map((c) => [c.id, c.owner])),
    };
  });
}

/** Publishes (replaces) the roles documents; derived data, so the last writer wins (`__etag: -1`). */
export async function publishPolicyRoles(store: DocumentStore, policy: Policy): Promise<PolicyRolesDocument[]> {
  const docs = policyRolesDocuments(policy);
  for (const doc of docs) await store.setDocument(POLICY_ROLES_COLLECTION, { ...doc, __etag: -1 });
  return docs;
}
