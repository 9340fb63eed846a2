import { EVIDENCE_ATTACHMENT_TYPE, type Evidence } from '../evidence/types';
import { addEvidenceText } from '../evidence/files';
import type { AzureDevOpsClient } from './client';

/**
 * Evidence published as build attachments (type `readiness.evidence`), read back through Build REST: this run's,
 * for the gate later in the same run, and earlier runs', for evidence the policy lets the gate reuse (a drill run
 * weekly, a load test nightly). A malformed attachment is reported and left out, never counted as passed; the
 * same shape as readEvidenceDir (src/evidence/files.ts) so the gate treats files and attachments alike.
 */
export interface GatheredEvidence {
  /** Valid documents, oldest `finishedAt` first. */
  valid: Evidence[];
  /** Attachments that are not valid evidence: `file` reads `run 42 attachment loadtest-1.json`. */
  invalid: Array<{ file: string; errors: string[] }>;
}

export async function readRunEvidence(client: AzureDevOpsClient, buildId: number): Promise<GatheredEvidence> {
  const gathered: GatheredEvidence = { valid: [], invalid: [] };
  for (const attachment of await client.listBuildAttachments(buildId, EVIDENCE_ATTACHMENT_TYPE)) {
    const file = `run ${buildId} attachment ${attachment.name}`;
    addEvidenceText(gathered, file, (await client.getAttachmentContent(attachment.href)).toString('utf8'));
  }
  gathered.valid.sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
  return gathered;
}

export interface EarlierEvidenceQuery {
  /** The pipeline whose earlier runs are read (System.DefinitionId). */
  definitionId: number;
  /** Only evidence for this service (compared ignoring case). */
  service: string;
  /** How many completed runs to look back, newest first. Default 10: bounded, so a gate never crawls history. */
  runs?: number;
  /** The current run, already read with readRunEvidence. */
  excludeBuildId?: number;
  /** The branch being released (Build.SourceBranch): only earlier runs of that branch count. */
  branch?: string;
}

/**
 * Evidence for one service from the latest completed runs of a pipeline. Gate documents are left out: a verdict
 * is never evidence for the next verdict. Invalid attachments of earlier runs are reported like this run's.
 * Pull-request runs and runs of other branches are left out too: they run code that is not the code being
 * released, and could attach any "passed" document they like.
 */
export async function readEarlierEvidence(client: AzureDevOpsClient, query: EarlierEvidenceQuery): Promise<GatheredEvidence> {
  const listed = await client.listBuilds({ definitionId: query.definitionId, top: query.runs ?? 10, statusFilter: 'completed', branchName: query.branch });
  // Checked here as well, in case a server ignores the branch filter.
  const builds = listed.filter((b) => b.reason !== 'pullRequest' && (!query.branch || !b.sourceBranch || b.sourceBranch === query.branch));
  const gathered: GatheredEvidence = { valid: [], invalid: [] };
  const seen = new Set<string>();
  const service = query.service.trim().toLowerCase();
  for (const build of builds) {
    if (build.id === query.excludeBuildId) continue;
    const run = await readRunEvidence(client, build.id);
    gathered.invalid.push(...run.invalid);
    for (const evidence of run.valid) {
      if (evidence.kind === 'gate' || evidence.service.trim().toLowerCase() !== service || seen.has(evidence.id)) continue;
      seen.add(evidence.id);
      gathered.valid.push(evidence);
    }
  }
  gathered.valid.sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
  return gathered;
}
