import { ConfigError } from '../errors';
import type { ServiceConnection } from './credentials';

/**
 * Reads an Azure Resource Manager service connection through getters, so the task can pass azure-pipelines-task-lib's
 * functions while the engine never imports it (DESIGN.md). Field names are the endpoint's authorization parameters
 * and data keys as AzureLoadTest@1 reads them (reference §1.4): `serviceprincipalid`, `serviceprincipalkey`,
 * `tenantid`, `authenticationType`, `servicePrincipalCertificate`; data `SubscriptionId`, `environment`,
 * `environmentAuthorityUrl`; the endpoint URL is the Resource Manager URL.
 *
 * In the task:
 *   serviceConnectionFromEndpoint(id, {
 *     scheme: () => tl.getEndpointAuthorizationScheme(id, true),
 *     authParameter: (n) => tl.getEndpointAuthorizationParameter(id, n, true),
 *     dataParameter: (n) => tl.getEndpointDataParameter(id, n, true),
 *     url: () => tl.getEndpointUrl(id, true),
 *     variable: (n) => tl.getVariable(n),
 *     jobAccessToken, // tasks/common/jobToken.ts: the SystemVssConnection endpoint's AccessToken
 *   })
 */
export interface EndpointReader {
  scheme(): string | undefined;
  authParameter(name: string): string | undefined;
  dataParameter(name: string): string | undefined;
  url(): string | undefined;
  /** Pipeline variables: System.OidcRequestUri (workload identity federation). */
  variable(name: string): string | undefined;
  /**
   * The job's token, from the SystemVssConnection endpoint the agent gives every task. Not the System.AccessToken
   * variable: that exists only when the job enables it (classic: "Allow scripts to access the OAuth token";
   * azure-pipelines-agent src/Agent.Worker/JobRunner.cs). Microsoft's tasks read it the same way
   * (azure-pipelines-tasks-common-packages, artifacts-common/webapi.ts).
   */
  jobAccessToken(): string | undefined;
}

export interface EndpointDescription {
  connection: ServiceConnection;
  /** The connection's subscription (`SubscriptionId`), for building the resource id. */
  subscriptionId?: string;
}

export function serviceConnectionFromEndpoint(id: string, reader: EndpointReader, name = id): EndpointDescription {
  const scheme = reader.scheme();
  if (!scheme) {
    throw new ConfigError(`azureSubscription: the service connection "${name}" has no authorization data; check that the pipeline is authorised to use it.`);
  }
  const auth = (n: string) => reader.authParameter(n) || undefined;
  const data = (n: string) => reader.dataParameter(n) || undefined;
  const isFederated = scheme.toLowerCase() === 'workloadidentityfederation';
  const oidcRequestUri = reader.variable('System.OidcRequestUri');
  const systemAccessToken = reader.jobAccessToken();
  const isManagedIdentity = ['managedserviceidentity', 'managedidentity'].includes(scheme.toLowerCase());
  return {
    subscriptionId: data('SubscriptionId') ?? data('subscriptionId'),
    connection: {
      name,
      scheme,
      authenticationType: auth('authenticationType'),
      tenantId: auth('tenantid'),
      // A user-assigned managed identity's client id is the data parameter msiclientId
      // (azure-pipelines-tasks-common-packages, azure-arm-rest/azure-arm-endpoint.ts); absent, the system-assigned one.
      clientId: isManagedIdentity ? data('msiclientId') ?? data('msiClientId') : auth('serviceprincipalid'),
      secret: auth('serviceprincipalkey'),
      certificate: auth('servicePrincipalCertificate'),
      environment: data('environment'),
      authorityHost: data('environmentAuthorityUrl') ?? data('activeDirectoryAuthority'),
      resourceManagerUrl: reader.url() || undefined,
      ...(isFederated && oidcRequestUri && systemAccessToken
        ? { oidc: { requestUri: oidcRequestUri, systemAccessToken, serviceConnectionId: id } }
        : {}),
    },
  };
}
