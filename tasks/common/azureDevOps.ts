import * as tl from 'azure-pipelines-task-lib/task';
import { createAzureDevOpsClient, type AzureDevOpsClient } from '../../src/azdo/client';
import { pipelineContextFrom, type PipelineContext } from '../../src/azdo/pipelineContext';
import { proxyFetch } from '../../src/azdo/proxy';
import { optionalInput } from './inputs';
import { jobAccessToken } from './jobToken';

/** The agent's environment with the job token, which task-lib moves out of the environment when it loads. */
export function agentEnv(): Record<string, string | undefined> {
  return { ...process.env, SYSTEM_ACCESSTOKEN: jobAccessToken() ?? process.env.SYSTEM_ACCESSTOKEN };
}

/**
 * Azure DevOps REST with the job token. Given no context, it reads the agent's and answers undefined when the job
 * has no token. The token is masked first, and goes only to the collection the agent runs for
 * (System.CollectionUri) and the hosts derived from it: no address is ever taken from a pipeline variable.
 */
export function azureDevOpsClient(context: PipelineContext): AzureDevOpsClient;
export function azureDevOpsClient(): AzureDevOpsClient | undefined;
export function azureDevOpsClient(given?: PipelineContext): AzureDevOpsClient | undefined {
  let context = given;
  if (!context) {
    const env = agentEnv();
    if (!env.SYSTEM_ACCESSTOKEN) return undefined;
    context = pipelineContextFrom(env);
  }
  tl.setSecret(context.accessToken);
  return createAzureDevOpsClient({
    collectionUri: context.collectionUri,
    project: context.project,
    accessToken: context.accessToken,
    publisher: optionalInput('publisher') ?? 'production-readiness',
    extensionId: optionalInput('extensionId') ?? 'production-readiness',
    fetch: proxyFetch(tl.getHttpProxyConfiguration() ?? undefined),
  });
}
