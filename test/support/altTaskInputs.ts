import type { AltEmulator } from './altEmulator';
import type { RunTaskOptions } from './agentRunner';

/**
 * ReadinessLoadTest@1's options for a run against the Azure Load Testing emulator, as the agent gives them: the
 * inputs with the azureSubscription alias resolved to connectedServiceNameARM, the service connection as an endpoint
 * (workload identity federation), System.OidcRequestUri as a variable, and the job token in SystemVssConnection.
 */
export function altTaskOptions(emu: AltEmulator, configFile: string, inputs: Record<string, string> = {}): RunTaskOptions {
  const o = emu.options;
  const connection = o.serviceConnectionId;
  return {
    inputs: { loadTestConfigFile: configFile, connectedServiceNameARM: connection, resourceGroup: o.resourceGroup, loadTestResource: o.resourceName,
      environment: 'staging', ...inputs },
    endpoints: [{ id: connection, url: `${emu.baseUrl}/`, scheme: 'WorkloadIdentityFederation',
      parameters: { tenantid: o.tenantId, serviceprincipalid: o.clientId },
      data: { subscriptionId: o.subscriptionId, environmentAuthorityUrl: `${emu.baseUrl}/` } }],
    variables: { 'System.OidcRequestUri': emu.oidcRequestUri },
    jobAccessToken: o.systemAccessToken,
    env: { NODE_EXTRA_CA_CERTS: emu.caFile() },
  };
}
