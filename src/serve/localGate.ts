import { readEvidenceDir } from '../evidence/files';
import type { Evidence } from '../evidence/types';
import { loadPolicy } from '../gate/policy';
import { Collections } from '../gate/records';
import { runGateDetailed } from '../gate/run';
import { DocumentExistsError, DocumentStore, StoredDocument } from '../store/documentStore';
import { publishPolicyRoles } from './policyDocument';
import { ensureLocalRun, latestRunApprovals, pipelinesOf } from './localPipelines';

/**
 * What `readiness serve --policy FILE --evidence DIR` does around the server: puts the evidence files into
 * the store's `evidence` collection (where the hub reads them), publishes the policy's roles, evaluates the
 * gate for every environment, and re-evaluates one subject whenever someone signs or waives in the hub.
 */
export interface LocalGateOptions {
  store: DocumentStore;
  policyFile?: string;
  evidenceDir?: string;
  log: (line: string) => void;
  /**
   * Group members the gate may rely on. Locally these are the groups the signed-in user declared (`--group`):
   * the server lets only that user write, so their sign-offs and waivers through a group can be checked.
   */
  members?: Record<string, string[]>;
}

/** Evidence is never rewritten: a document whose id is already stored is left as it is. */
async function storeEvidence(store: DocumentStore, evidence: Evidence[]): Promise<number> {
  let added = 0;
  for (const doc of evidence) {
    try {
      await store.createDocument(Collections.evidence, doc as unknown as StoredDocument);
      added++;
    } catch (error) {
      if (!(error instanceof DocumentExistsError)) throw error;
    }
  }
  return added;
}

export async function importEvidence(options: LocalGateOptions): Promise<Evidence[]> {
  if (!options.evidenceDir) return [];
  const { valid, invalid } = await readEvidenceDir(options.evidenceDir);
  for (const bad of invalid) options.log(`readiness serve: ${bad.file} is not valid evidence and is not shown: ${bad.errors.join('; ')}`);
  const added = await storeEvidence(options.store, valid);
  options.log(`readiness serve: ${valid.length} evidence document(s) from ${options.evidenceDir} (${added} new).`);
  return valid;
}

async function evaluate(options: LocalGateOptions, environment: string): Promise<void> {
  if (!options.policyFile) return;
  const { valid, invalid } = options.evidenceDir ? await readEvidenceDir(options.evidenceDir) : { valid: [], invalid: [] };
  // Sign-offs are the approvals of the newest local run, recorded by the server's Approvals API (approvalsApi.ts).
  const policy = await loadPolicy(options.policyFile);
  const pipelines = pipelinesOf(options.store);
  const approvals = pipelines ? await latestRunApprovals(pipelines, policy.service, environment) : undefined;
  const result = await runGateDetailed({
    approvals,
    run: approvals ? { runId: String(approvals.runId), pipeline: `${policy.service} (local)` } : undefined,
    policyFile: options.policyFile,
    environment,
    evidence: valid,
    invalidEvidence: invalid,
    store: options.store,
    members: options.members,
  });
  await storeEvidence(options.store, [...result.docs, result.gate]);
  options.log(`readiness serve: ${result.gate.service} in ${environment} is ${result.gate.metrics.status} (level ${result.gate.metrics.level ?? 'none'}).`);
}

/** Publishes the roles and evaluates every environment of the policy once, at start-up. */
export async function prepareLocalGate(options: LocalGateOptions): Promise<void> {
  const evidence = await importEvidence(options);
  if (!options.policyFile) return;
  const policy = await loadPolicy(options.policyFile);
  await publishPolicyRoles(options.store, policy);
  // One local run per set of evidence, with a pending approval per environment (localPipelines.ts).
  const pipelines = pipelinesOf(options.store);
  if (pipelines) {
    const run = await ensureLocalRun(pipelines, policy, options.policyFile, evidence.map((e) => e.id));
    options.log(`readiness serve: run ${run.runId} (commit ${run.sourceVersion.slice(0, 12)}) waits for approvals of ${policy.service}.`);
  }
  for (const environment of Object.keys(policy.environments)) await evaluate(options, environment);
}

/** The `onChange` hook for startServer: re-evaluates the subject that was signed or waived. */
export function reevaluateOnChange(options: LocalGateOptions): ((service: string, environment: string) => Promise<void>) | undefined {
  if (!options.policyFile) return undefined;
  const policyFile = options.policyFile;
  return async (service, environment) => {
    const policy = await loadPolicy(policyFile);
    if (policy.service !== service || !policy.environments[environment]) return;
    await evaluate(options, environment);
  };
}
