import type { AzureDevOpsClient } from '../azdo/client';
import { readEarlierEvidence, readRunEvidence } from '../azdo/runEvidence';
import { readEvidenceDir, type EvidenceDirContents } from '../evidence/files';

/**
 * Everything the gate may weigh in a pipeline, with provenance (docs/security.md): the `readiness.evidence`
 * attachments our own tasks published in this run, and in earlier or named runs of the release branch, each checked
 * against its run's timeline (src/azdo/runEvidence.ts). Folders on the agent are writable by any script step, so a
 * document found only in a folder is stray: it is reported and ignored. Malformed or unverifiable documents are kept
 * apart as invalid, never counted as passed.
 */
export interface GatherOptions {
  /** Folders to look through for stray documents (reported, never counted). */
  folders: string[];
  pipeline: {
    client: AzureDevOpsClient;
    buildId: number;
    definitionId: number;
    /** How many earlier runs of the release branch to search; 0 searches none. */
    earlierRuns: number;
    /** Earlier runs named by id, e.g. the run of a weekly drill. */
    namedRuns?: number[];
    service: string;
    /** Build.SourceBranch: the release branch whose runs count. */
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
  const pipeline = options.pipeline;
  add(await readRunEvidence(pipeline.client, pipeline.buildId));
  if (pipeline.earlierRuns > 0 || pipeline.namedRuns?.length) {
    add(
      await readEarlierEvidence(pipeline.client, {
        definitionId: pipeline.definitionId,
        service: pipeline.service,
        runs: pipeline.earlierRuns,
        namedRuns: pipeline.namedRuns,
        excludeBuildId: pipeline.buildId,
        branch: pipeline.branch,
      }),
    );
  }
  const counted = new Set(gathered.valid.map((e) => e.id));
  for (const folder of options.folders) {
    const found = await readEvidenceDir(folder);
    for (const e of found.valid) {
      if (!counted.has(e.id)) gathered.invalid.push({ file: `${folder} ${e.kind}-${e.id}`, errors: ['stray file: no task of ours attached it to this run or an earlier run of the release branch; ignored'] });
    }
    gathered.invalid.push(...found.invalid.map((i) => ({ ...i, errors: [...i.errors, 'ignored'] })));
  }
  gathered.valid.sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
  return gathered;
}
