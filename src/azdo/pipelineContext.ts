import { ConfigError } from '../errors';

/**
 * Where a task is running, from the agent's predefined variables as they appear in a task's environment
 * (System.CollectionUri -> SYSTEM_COLLECTIONURI, ...). Pure: it reads only the map it is given, so the task passes
 * `process.env` and tests pass a literal.
 *
 * The token: scripts get it only when mapped (`env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`); a Node task gets
 * it through the SYSTEMVSSCONNECTION endpoint (ado-extensions.md §3.2, §4.2). azure-pipelines-task-lib moves
 * `ENDPOINT_AUTH_*` variables into its vault when it loads, so a task using it should pass
 * `tl.getEndpointAuthorizationParameter('SYSTEMVSSCONNECTION', 'ACCESSTOKEN', false)` as SYSTEM_ACCESSTOKEN.
 */
export interface PipelineContext {
  collectionUri: string;
  project: string;
  buildId: number;
  definitionId: number;
  accessToken: string;
}

export function pipelineContextFrom(env: Record<string, string | undefined>): PipelineContext {
  const value = (...names: string[]) => names.map((n) => env[n]?.trim()).find((v) => v) ?? '';
  const problems: string[] = [];

  const collectionUri = value('SYSTEM_COLLECTIONURI', 'SYSTEM_TEAMFOUNDATIONCOLLECTIONURI');
  if (!collectionUri) problems.push('SYSTEM_COLLECTIONURI (System.CollectionUri): not set; run inside an Azure Pipelines job.');
  const project = value('SYSTEM_TEAMPROJECT');
  if (!project) problems.push('SYSTEM_TEAMPROJECT (System.TeamProject): not set; run inside an Azure Pipelines job.');

  const buildId = wholeNumber(value('BUILD_BUILDID'), 'BUILD_BUILDID (Build.BuildId)', problems);
  const definitionId = wholeNumber(value('SYSTEM_DEFINITIONID'), 'SYSTEM_DEFINITIONID (System.DefinitionId)', problems);

  const accessToken = value('SYSTEM_ACCESSTOKEN', 'ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN');
  if (!accessToken) {
    problems.push(
      "SYSTEM_ACCESSTOKEN (System.AccessToken): the job's token is not available. In YAML add " +
        "`env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)` to the step; in a classic job tick 'Allow scripts to access the OAuth token'.",
    );
  }
  if (problems.length) throw new ConfigError(problems);
  return { collectionUri: collectionUri.endsWith('/') ? collectionUri : `${collectionUri}/`, project, buildId, definitionId, accessToken };
}

function wholeNumber(text: string, name: string, problems: string[]): number {
  if (!text) {
    problems.push(`${name}: not set; this needs a pipeline run (a build or YAML pipeline job).`);
    return 0;
  }
  const number = Number(text);
  if (!Number.isInteger(number) || number <= 0) problems.push(`${name}: "${text}" is not a positive whole number.`);
  return number;
}
