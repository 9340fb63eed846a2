import * as tl from 'azure-pipelines-task-lib/task';

/**
 * The job's access token, from the SystemVssConnection endpoint the agent hands every task step (keyed
 * SYSTEMVSSCONNECTION: azure-pipelines-agent, src/Agent.Worker/Handlers/Handler.cs, AddEndpointsToEnvironment).
 * Microsoft's tasks read it there (azure-pipelines-tasks-common-packages, artifacts-common/webapi.ts); the
 * System.AccessToken variable exists only when the job enables it.
 *
 * Read through getEndpointAuthorization rather than getEndpointAuthorizationParameter: the latter writes the value
 * to the debug stream, and masking it is then left to the agent. The value is marked secret before anything else.
 */
export function jobAccessToken(): string | undefined {
  const auth = tl.getEndpointAuthorization('SYSTEMVSSCONNECTION', true);
  const parameters = (auth?.parameters ?? {}) as Record<string, string>;
  const token = Object.entries(parameters).find(([key]) => key.toLowerCase() === 'accesstoken')?.[1] || undefined;
  if (token) tl.setSecret(token);
  return token;
}
