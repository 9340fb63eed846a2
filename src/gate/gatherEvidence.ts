import type { AzureDevOpsClient } from '../azdo/client';
import { readEarlierEvidence, readRunEvidence } from '../azdo/runEvidence';
import { readEvidenceDir, type EvidenceDirContents } from '../evidence/files';

/**
 * Everything the gate may weigh, from every place our tasks leave evidence: folders on this agent (the
 * results folder the tasks write to by default, or a downloaded artifact), this run's `readiness.evidence`
 * attachments, and earlier runs of the same pipeline and branch. Duplicates (the same document found in a
 * folder and as an attachment) count once; malformed documents are kept apart as invalid, never as passed.
 */
export interface GatherOptions {
  folders: string[];
  /** Azure DevOps access for attachments; without it only the folders are read. */
  pipeline?: {
    client: AzureDevOpsClient;
    buildId: number;
    definitionId: number;
    /** 0 reads this run only. */
    earlierRuns: number;
    service: string;
    /** Build.SourceBranch: earlier runs of other branches and pull-request runs are left out. */
    branch?: string;
  };
}

export async function gatherEvidence(options: GatherOptions): Promise<EvidenceDirContents> {
  const gathered: EvidenceDirContents = { valid: [], invalid: [] };
  const add = (from: EvidenceDirContents) => {
    const seen = new Set(gathered.valid.map((e) => e.id));
    gathered.valid.push(...from.valid.filter((e) => !seen.has(e.id)));
    gathered.invalid.push(...from.invalid);
  };
  for (const folder of options.folders) add(await readEvidenceDir(folder));
  const pipeline = options.pipeline;
  if (pipeline) {
    add(await readRunEvidence(pipeline.client, pipeline.buildId));
    if (pipeline.earlierRuns > 0) {
      add(
        await readEarlierEvidence(pipeline.client, {
          definitionId: pipeline.definitionId,
          service: pipeline.service,
          runs: pipeline.earlierRuns,
          excludeBuildId: pipeline.buildId,
          branch: pipeline.branch,
        }),
      );
    }
  }
  gathered.valid.sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
  return gathered;
}
