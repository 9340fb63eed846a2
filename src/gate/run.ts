import * as path from 'node:path';
import { checkDocs } from '../docs/checkDocs';
import { ConfigError, InfrastructureError } from '../errors';
import type { DocsEvidence, Evidence, GateEvidence, RunInfo } from '../evidence/types';
import { type DocumentStore, updateWithRetry } from '../store/documentStore';
import { evaluatePolicy } from './evaluate';
import { loadPolicy, type Policy } from './policy';
import { Collections, subjectKey, type SignOffEvent, type StatusDocument, type Waiver } from './records';
import { readSignOffHistory } from './signoffs';
import type { RunApprovals } from './approvals';
import { loadRepositoryWaivers } from './waivers';

export interface RunGateOptions {
  policyFile: string;
  /** How the policy file is named in messages and in the evidence (default: policyFile), e.g. repo-relative. */
  policyName?: string;
  environment: string;
  evidence: Evidence[];
  /** Evidence files that could not be parsed or lack required fields: reported, counted as missing. */
  invalidEvidence?: Array<{ file: string; errors: string[] }>;
  /** Where attestations are read and the (display-only) status document is written. */
  store?: DocumentStore;
  /** false: do not write the status document (the caller decides whether this run publishes). Default true. */
  writeStatus?: boolean;
  /** Extra sign-off events (e.g. `--signoffs FILE`), added to those of the store. */
  signoffs?: SignOffEvent[];
  /** Extra waivers, added to those of the repository file beside the policy (src/gate/waivers.ts). */
  waivers?: Waiver[];
  /** The run's approvals: the only source of release sign-offs (src/gate/approvals.ts). */
  approvals?: RunApprovals;
  version?: string;
  now?: Date;
  run?: RunInfo;
  /** Member user ids of an Azure DevOps group, for attestations every member must give. */
  lookupMembers?: (group: string) => Promise<string[]>;
  /** Static group memberships, used before lookupMembers. */
  members?: Record<string, string[]>;
  /** Folder docs checks are relative to (default: the policy file's folder). */
  docsBase?: string;
}

export interface GateRunResult {
  gate: GateEvidence;
  policy: Policy;
  /** Evidence the gate produced itself, one per docs check the policy has. */
  docs: DocsEvidence[];
  status?: StatusDocument;
}

/** Loads the policy, gathers sign-offs and waivers, runs the docs checks, evaluates and records the status. */
export async function runGate(options: RunGateOptions): Promise<GateEvidence> {
  return (await runGateDetailed(options)).gate;
}

export async function runGateDetailed(options: RunGateOptions): Promise<GateRunResult> {
  const policy = await loadPolicy(options.policyFile, options.policyName ?? options.policyFile);
  const now = options.now ?? new Date();
  // Checked before any I/O so a typo in the environment is bad input, not a store error.
  if (!policy.environments[options.environment]) evaluatePolicy({ policy, environment: options.environment, evidence: [], signoffs: [], waivers: [], now });

  const signoffs = [...(options.signoffs ?? [])];
  const waivers = [...(options.waivers ?? [])];
  // Waivers are read from the repository only: extension data records no writer (docs/security.md).
  waivers.push(...(await loadRepositoryWaivers(options.policyFile, options.environment, path.dirname(options.policyName ?? options.policyFile))));
  if (options.store) {
    // Attestations (warn-only) still come from extension data; a store we cannot read is an infrastructure error.
    signoffs.push(...(await readSignOffHistory(options.store, policy.service, options.environment)));
  }

  const members = await resolveMembers(policy, options);
  const base = options.docsBase ?? path.dirname(path.resolve(options.policyFile));
  const docs: DocsEvidence[] = [];
  for (const check of policy.checks) {
    if (check.type !== 'docs') continue;
    docs.push(
      await checkDocs({
        root: path.resolve(base, check.rule.root),
        rule: check.rule,
        service: policy.service,
        environment: options.environment,
        now,
        run: options.run,
      }),
    );
  }

  const gate = evaluatePolicy({
    policy,
    environment: options.environment,
    evidence: [...options.evidence, ...docs],
    invalidEvidence: options.invalidEvidence,
    signoffs,
    waivers,
    now,
    version: options.version,
    members,
    run: options.run,
    approvals: options.approvals,
  });

  const status = options.store && options.writeStatus !== false ? await writeStatusDocument(options.store, gate) : undefined;
  return { gate, policy, docs, status };
}

/** Writes the status document; a failure is an infrastructure error. */
export async function writeStatusDocument(store: DocumentStore, gate: GateEvidence): Promise<StatusDocument> {
  const doc = statusDocumentFrom(gate);
  try {
    return await updateWithRetry<StatusDocument>(store, Collections.status, doc.id, () => doc);
  } catch (error) {
    throw new InfrastructureError(`Could not write the status document ${Collections.status}/${doc.id}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The small document the hub reads to show the latest verdict without re-running the evaluation. Display only:
 * extension data records no writer, so no gate and no check decides from it (docs/security.md).
 */
export function statusDocumentFrom(gate: GateEvidence): StatusDocument {
  const doc: StatusDocument = {
    id: subjectKey(gate.service, gate.environment),
    service: gate.service,
    environment: gate.environment,
    status: gate.metrics.status,
    level: gate.metrics.level,
    requiredLevel: gate.metrics.requiredLevel,
    checks: gate.metrics.checks,
    evaluatedAt: gate.metrics.evaluatedAt,
    evidenceId: gate.id,
  };
  if (gate.run.url) doc.runUrl = gate.run.url;
  if (gate.metrics.version) doc.version = gate.metrics.version;
  if (gate.metrics.commit) doc.commit = gate.metrics.commit;
  if (gate.metrics.runId) doc.runId = gate.metrics.runId;
  return doc;
}

async function resolveMembers(policy: Policy, options: RunGateOptions): Promise<Record<string, string[]>> {
  const members: Record<string, string[]> = { ...(options.members ?? {}) };
  // Every group of a role a sign-off check uses: for everyMember attestations, and to re-check who signed.
  const groups = new Set(policy.checks.flatMap((c) => (c.type === 'signoff' ? c.rule.roles.flatMap((r) => policy.roles[r]?.groups ?? []) : [])));
  for (const group of groups) {
    if (members[group] || !options.lookupMembers) continue;
    try {
      members[group] = await options.lookupMembers(group);
    } catch (error) {
      // A group the policy names that does not exist is the policy's mistake (exit 2), not the service's.
      if (error instanceof ConfigError) throw error;
      throw new InfrastructureError(`Could not list the members of group "${group}": ${(error as Error).message}`, { cause: error });
    }
  }
  return members;
}
