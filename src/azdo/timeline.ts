import { devTaskId } from './devTaskIds';
import { InfrastructureError } from '../errors';
import { type AzdoHttp, describeUrl } from './http';
import { isAuthRefusal, refusal } from './refusals';

/**
 * A run's timeline (`GET {project}/_apis/build/builds/{id}/timeline`, Build REST 7.1, learn.microsoft.com/rest/api/
 * azure/devops/build/timeline/get): one record per stage, job, task step and check, written by the server and the
 * agent. Two facts the gate relies on:
 * - records of type `Checkpoint.Approval` are the run's approvals (their id is the approval id), under a
 *   `Checkpoint` record under the `Stage` they hold (platform-facts.md "Finding a run's approvals");
 * - a task step's record names the task (`task.id`, the GUID of task.json), and an attachment's `_links.self.href`
 *   carries `{timelineId}/{recordId}`: so the gate can tell which step published an attachment, and count only
 *   evidence our own tasks published (docs/security.md "Evidence provenance").
 */
export interface TimelineRecord {
  id: string;
  parentId: string | null;
  type: string;
  name?: string;
  identifier?: string;
  task?: { id: string; name?: string; version?: string };
}

/** Release GUIDs of the tasks that publish evidence (tasks/<Task>V1/task.json `id`; they never change). */
const RELEASE_EVIDENCE_TASKS: Readonly<Record<string, string>> = {
  '16931d32-4bdb-4ba1-948a-5220a77447ed': 'ReadinessLoadTest',
  'fcd81579-b524-4423-9422-4cf3ed6ad02b': 'ReadinessDrDrill',
  '9eacc05a-bac5-4f55-9e33-f0d06115c905': 'ReadinessEnvironmentCheck',
  // The gate publishes the docs evidence it produces.
  'af57cc57-560a-4d83-9ce9-031d93239207': 'ReadinessGate',
};

/**
 * Our evidence tasks by GUID, in both builds: the dev build ships the same tasks under ids derived from these
 * (src/azdo/devTaskIds.ts), and its gate must recognise its own tasks' attachments.
 */
export const EVIDENCE_TASKS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(RELEASE_EVIDENCE_TASKS).flatMap(([id, task]) => [[id, task], [devTaskId(id), task]])),
);

export async function readTimeline(http: AzdoHttp, projectUri: string, buildId: number): Promise<TimelineRecord[]> {
  const url = `${projectUri}_apis/build/builds/${buildId}/timeline?api-version=7.1`;
  const action = `read the timeline of run ${buildId}`;
  const response = await http.send('GET', url);
  if (response.status === 404) throw new InfrastructureError(`Could not ${action}: not found (404 at ${describeUrl(url)}).`);
  if (response.status !== 200 || isAuthRefusal(response)) {
    throw refusal(http, response, {
      method: 'GET',
      url,
      action,
      permission: 'the project build service identity needs "View builds" on this pipeline (scope vso.build) to read its timeline',
    });
  }
  const records = (response.body as { records?: unknown } | undefined)?.records;
  if (!Array.isArray(records)) return [];
  return records.filter((r): r is TimelineRecord => typeof (r as TimelineRecord)?.id === 'string' && typeof (r as TimelineRecord).type === 'string');
}

/** The stage a record sits in: the nearest `Stage` ancestor (bounded walk, so a malformed loop cannot hang). */
export function stageOf(records: TimelineRecord[], record: TimelineRecord): TimelineRecord | undefined {
  const byId = new Map(records.map((r) => [r.id, r]));
  let current: TimelineRecord | undefined = record;
  for (let depth = 0; current && depth < 16; depth++) {
    if (current.type === 'Stage') return current;
    current = current.parentId ? byId.get(current.parentId) : undefined;
  }
  return undefined;
}

/** The evidence kinds each of our tasks makes: a load-test step attaching a drill document is not believed. */
export const KINDS_BY_TASK: Readonly<Record<string, readonly string[]>> = Object.freeze({
  ReadinessLoadTest: ['loadtest', 'capacity'],
  ReadinessEnvironmentCheck: ['environment'],
  ReadinessDrDrill: ['drill'],
  ReadinessGate: ['docs', 'gate'],
});

/** The timeline record id an attachment link names: `.../builds/{id}/{timelineId}/{recordId}/attachments/...`. */
export function recordIdOfAttachment(href: string): string | undefined {
  try {
    const parts = new URL(href).pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const at = parts.lastIndexOf('attachments');
    return at >= 2 ? parts[at - 1] : undefined;
  } catch {
    return undefined;
  }
}
