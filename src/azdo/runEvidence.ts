import { ConfigError } from '../errors';
import { EVIDENCE_ATTACHMENT_TYPE, type Evidence } from '../evidence/types';
import { addEvidenceText } from '../evidence/files';
import type { AzureDevOpsClient } from './client';
import { EVIDENCE_TASKS, KINDS_BY_TASK, recordIdOfAttachment } from './timeline';

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

/**
 * This run's evidence attachments, each checked for provenance against the run's timeline (server-recorded): the
 * step that published it must be one of our tasks (EVIDENCE_TASKS, by task GUID), and the document must say it was
 * made in this run. A `readiness.evidence` attachment from a script step, or one replayed from another run, is
 * reported as invalid and never counted.
 */
export async function readRunEvidence(client: AzureDevOpsClient, buildId: number): Promise<GatheredEvidence> {
  const gathered: GatheredEvidence = { valid: [], invalid: [] };
  const attachments = await client.listBuildAttachments(buildId, EVIDENCE_ATTACHMENT_TYPE);
  if (!attachments.length) return gathered;
  const records = new Map((await client.runTimeline(buildId)).map((r) => [r.id.toLowerCase(), r]));
  for (const attachment of attachments) {
    const file = `run ${buildId} attachment ${attachment.name}`;
    const record = records.get(recordIdOfAttachment(attachment.href)?.toLowerCase() ?? '');
    const task = record?.task?.id ? EVIDENCE_TASKS[record.task.id.toLowerCase()] : undefined;
    if (!task) {
      const step = record ? `step "${record.name ?? record.id}"${record.task?.name ? ` (task ${record.task.name})` : ''}` : 'a step the timeline does not show';
      gathered.invalid.push({ file, errors: [`published by ${step}, not by one of our tasks; stray evidence is ignored`] });
      continue;
    }
    const one: GatheredEvidence = { valid: [], invalid: [] };
    addEvidenceText(one, file, (await client.getAttachmentContent(attachment.href)).toString('utf8'));
    gathered.invalid.push(...one.invalid);
    for (const evidence of one.valid) {
      if (evidence.run?.runId !== String(buildId)) {
        gathered.invalid.push({ file, errors: [`made in run ${evidence.run?.runId ?? '(none)'} but attached to run ${buildId}; a replayed document is ignored`] });
      } else if (!KINDS_BY_TASK[task]?.includes(evidence.kind)) {
        gathered.invalid.push({ file, errors: [`${/^[aeiou]/.test(evidence.kind) ? 'an' : 'a'} ${evidence.kind} document attached by ${task}, which does not make ${evidence.kind} evidence; ignored`] });
      } else gathered.valid.push(evidence);
    }
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
  /** Runs named explicitly (e.g. the weekly drill's run); each must be a completed, non-PR run of `branch`. */
  namedRuns?: number[];
}

/**
 * Evidence for one service from the latest completed runs of a pipeline. Gate documents are left out: a verdict
 * is never evidence for the next verdict. Invalid attachments of earlier runs are reported like this run's.
 * Pull-request runs and runs of other branches are left out too: they run code that is not the code being
 * released, and could attach any "passed" document they like.
 */
export async function readEarlierEvidence(client: AzureDevOpsClient, query: EarlierEvidenceQuery): Promise<GatheredEvidence> {
  const listed = (query.runs ?? 10) > 0 ? await client.listBuilds({ definitionId: query.definitionId, top: query.runs ?? 10, statusFilter: 'completed', branchName: query.branch }) : [];
  for (const id of query.namedRuns ?? []) if (!listed.some((b) => b.id === id)) listed.push(await client.getBuild(id));
  // Checked here as well, in case a server ignores the branch filter.
  // Only this pipeline's runs (a pipeline in another project or another definition is someone else's code).
  const builds = listed.filter((b) => b.reason !== 'pullRequest' && (!query.branch || b.sourceBranch === query.branch) && b.definitionId === query.definitionId);
  for (const b of listed.filter((x) => !builds.includes(x) && query.namedRuns?.includes(x.id))) {
    const what = b.definitionId !== query.definitionId ? `a run of another pipeline (${b.definitionId ?? 'unknown'})` : b.reason === 'pullRequest' ? 'a pull-request run' : `a run of ${b.sourceBranch ?? 'an unknown branch'}`;
    throw new ConfigError(`Run ${b.id} is ${what}; evidence counts only from runs of this pipeline on ${query.branch ?? 'the release branch'}.`);
  }
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
