import type { CloudRunOptions } from '../../src/azure/runCloudTest';
import { ConfigError } from '../../src/errors';
import { azureConnectionFromInput } from '../common/azureConnection';
import { requiredInput } from '../common/inputs';

/**
 * What the main step leaves for the post-job step (post.ts). The agent starts each step as a new process, so the two
 * share only task variables: `##vso[task.settaskvariable]` in the main step reaches the post-job step as the
 * environment variable `VSTS_TASKVARIABLE_<NAME>` (azure-pipelines-agent, src/Agent.Worker/Handlers/Handler.cs,
 * AddTaskVariablesToEnvironment), which task-lib's getTaskVariable reads.
 */
export const CLOUD_RUN_ID = 'READINESS_CLOUD_RUN_ID';
/** Set once the main step reached the end of the cloud run (or chose not to wait for it): nothing is left to stop. */
export const CLOUD_RUN_DONE = 'READINESS_CLOUD_RUN_DONE';

export type AzureTarget = Pick<CloudRunOptions, 'resource' | 'credential' | 'armEndpoint'>;

/** The Azure Load Testing resource named by the task's inputs, with the service connection's credential. */
export function azureTargetFromInputs(): AzureTarget {
  const { credential, armEndpoint, subscriptionId } = azureConnectionFromInput('connectedServiceNameARM');
  if (!subscriptionId) {
    throw new ConfigError(`The service connection given in "azureSubscription" has no subscription id; use a subscription-scoped Azure Resource Manager connection.`);
  }
  const resource = { subscriptionId, resourceGroup: requiredInput('resourceGroup'), name: requiredInput('loadTestResource') };
  return { resource, armEndpoint, credential };
}
