import * as tl from 'azure-pipelines-task-lib/task';
import { createAzureDevOpsClient, type AzureDevOpsClient } from '../../src/azdo/client';
import { pipelineContextFrom } from '../../src/azdo/pipelineContext';
import { proxyFetch } from '../../src/azdo/proxy';
import { optionalInput } from './inputs';

/** The agent's environment with the job token, which task-lib moves out of the environment when it loads. */
export function agentEnv(): Record<string, string | undefined> {
  return { ...process.env, SYSTEM_ACCESSTOKEN: tl.getEndpointAuthorizationParameter('SYSTEMVSSCONNECTION', 'ACCESSTOKEN', true) ?? process.env.SYSTEM_ACCESSTOKEN };
}

/** Azure DevOps REST with the job token, or undefined when the job has no token. The token is masked first. */
export function azureDevOpsClient(): AzureDevOpsClient | undefined {
  const env = agentEnv();
  if (!env.SYSTEM_ACCESSTOKEN) return undefined;
  const context = pipelineContextFrom(env);
  tl.setSecret(context.accessToken);
  return createAzureDevOpsClient({
    collectionUri: context.collectionUri,
    project: context.project,
    accessToken: context.accessToken,
    publisher: optionalInput('publisher') ?? 'production-readiness',
    extensionId: optionalInput('extensionId') ?? 'production-readiness',
    extensionDataUri: process.env.READINESS_EXTENSION_DATA_URI || undefined,
    fetch: proxyFetch(tl.getHttpProxyConfiguration() ?? undefined),
  });
}
