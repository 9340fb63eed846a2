import type { AltTest, AppComponentsPatch, ServerMetricsPatch } from './model';
import type { UploadFile } from './translate';

/**
 * What must leave the cloud test so that it holds what the YAML says, and no more. Without this, a file, an app
 * component or a metric removed from the YAML stays on the test for ever. The rules are the official client's
 * (Azure/load-testing, CreateAndRunHelper.ts: getAllFileNamesTobeDeleted, getPayloadForAppcomponents,
 * mergeExistingServerCriteria).
 */

/**
 * Files the test holds that the YAML no longer names, to delete before uploading: a user properties file, and
 * configuration files and zip artifacts (listed in additionalFileInfo). The test script is replaced by its upload.
 */
export function staleFiles(held: AltTest['inputArtifacts'], wanted: UploadFile[]): string[] {
  const named = new Set(wanted.map((f) => f.fileName));
  const candidates = [held?.userPropFileInfo, ...(held?.additionalFileInfo ?? [])];
  return [...new Set(candidates.filter((f) => f && !named.has(f.fileName)).map((f) => f!.fileName))];
}

/** App components the service holds for resources the YAML no longer lists (or under another key): sent as null. */
export function withRemovedComponents(wanted: AppComponentsPatch, held: AppComponentsPatch | undefined): AppComponentsPatch {
  const components = { ...wanted.components };
  const wantedKeys = new Set(Object.keys(wanted.components));
  for (const [key, component] of Object.entries(held?.components ?? {})) {
    if (!wantedKeys.has(key) && component !== null) components[key] = null;
  }
  return { components };
}

/**
 * Server metrics: a component with no `metrics` in the YAML keeps what the service holds (its default metrics); a
 * component whose YAML entry lists metrics gets exactly those, so every other metric of that resource, the
 * service's defaults included, is sent as null.
 */
export function withReplacedMetrics(wanted: ServerMetricsPatch, held: ServerMetricsPatch | undefined,
  explicitMetricResources: string[]): ServerMetricsPatch {
  const metrics = { ...wanted.metrics };
  const explicit = new Set(explicitMetricResources.map((r) => r.toLowerCase()));
  for (const [key, metric] of Object.entries(held?.metrics ?? {})) {
    if (metric && !(key in metrics) && explicit.has(metric.resourceId.toLowerCase())) metrics[key] = null;
  }
  return { metrics };
}
