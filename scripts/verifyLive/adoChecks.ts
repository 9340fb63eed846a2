import { createAzureDevOpsClient } from '../../src/azdo/client';
import { ConfigError } from '../../src/errors';
import type { CheckResult } from './assumptions';
import type { Settings } from './settings';

/**
 * The Azure DevOps items of platform-facts.md's "Unknown until tried" list. They are about the **job token**, so run
 * `npm run verify:live` inside a pipeline step with `READINESS_LIVE_ADO_TOKEN: $(System.AccessToken)`; a personal
 * access token proves nothing about the job token. The calls are the product's own (src/azdo/client.ts), plus two
 * reads the product does not make yet (timeline and approvals).
 */
const COLLECTION = 'readiness-verify-live';

export async function runAdoChecks(s: Settings): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const note = (id: string, outcome: CheckResult['outcome'], detail: string): void => {
    results.push({ id, outcome, detail });
  };
  const token = s.READINESS_LIVE_ADO_TOKEN!;
  const collectionUri = s.READINESS_LIVE_ADO_COLLECTION_URI!.replace(/\/?$/, '/');
  const project = s.READINESS_LIVE_ADO_PROJECT!;
  const client = createAzureDevOpsClient({
    collectionUri, project, accessToken: token,
    publisher: s.READINESS_LIVE_ADO_PUBLISHER ?? 'production-readiness', extensionId: s.READINESS_LIVE_ADO_EXTENSION ?? 'production-readiness',
    extensionDataUri: s.READINESS_LIVE_ADO_EXTENSION_DATA_URI, identityUri: s.READINESS_LIVE_ADO_IDENTITY_URI, maxRetries: 1,
  });

  try {
    const id = `check-${Date.now()}`;
    await client.extensionData.setDocument(COLLECTION, { id, __etag: -1, writtenBy: 'npm run verify:live' });
    const back = await client.extensionData.getDocument<{ id: string; __etag: number; writtenBy?: string }>(COLLECTION, id);
    await client.extensionData.deleteDocument(COLLECTION, id);
    note('ado-job-token-extension-data', back?.writtenBy === 'npm run verify:live' ? 'confirmed' : 'refuted',
      back ? 'wrote, read back and deleted a document' : 'wrote a document but could not read it back');
  } catch (error) {
    note('ado-job-token-extension-data', refusal(error) ? 'refuted' : 'not checked', (error as Error).message);
  }

  const buildId = s.READINESS_LIVE_ADO_BUILD_ID;
  if (!buildId) {
    note('ado-job-token-approvals', 'not checked', 'set READINESS_LIVE_ADO_BUILD_ID to a run of the pipeline the token belongs to');
  } else {
    const base = `${collectionUri}${encodeURIComponent(project)}/_apis`;
    const reads = [`${base}/build/builds/${encodeURIComponent(buildId)}/timeline?api-version=7.1`,
      `${base}/pipelines/approvals?state=all&$expand=steps&api-version=7.1`];
    const statuses: number[] = [];
    for (const url of reads) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }).catch(() => undefined);
      statuses.push(response?.status ?? 0);
    }
    const ok = statuses.every((st) => st === 200);
    const refused = statuses.some((st) => st === 401 || st === 403);
    note('ado-job-token-approvals', ok ? 'confirmed' : refused ? 'refuted' : 'not checked', `timeline HTTP ${statuses[0]}, approvals HTTP ${statuses[1]}`);
  }

  const group = s.READINESS_LIVE_ADO_GROUP ?? `[${project}]\\Contributors`;
  try {
    const members = await client.listGroupMembers(group);
    note('ado-identities-org-scope', 'confirmed', `read ${members.length} member(s) of ${group}`);
  } catch (error) {
    // A group that does not exist is a question for the caller, not an answer about the token.
    note('ado-identities-org-scope', error instanceof ConfigError ? 'not checked' : refusal(error) ? 'refuted' : 'not checked', (error as Error).message);
  }
  return results;
}

function refusal(error: unknown): boolean {
  return /\b(401|403)\b|not authori[sz]ed|permission/i.test(error instanceof Error ? error.message : String(error));
}
