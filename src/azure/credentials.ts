import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import { rootCertificates } from 'node:tls';
import { ConfigError, InfrastructureError } from '../errors';
import { AzureHttp, createAzurePipeline } from './http';
import { redactSecrets, rememberSecret, type MarkSecret } from './secrets';

/**
 * Token credentials from an Azure Resource Manager service connection, for every scheme teams use
 * (reference §1.4): service principal with secret or certificate, workload identity federation (the OIDC token
 * is requested from the pipeline and exchanged as a client assertion), and managed identity. No Azure CLI.
 *
 * The task fills `ServiceConnection` from azure-pipelines-task-lib; the engine never imports it.
 */
export interface ServiceConnection {
  /** The service connection's name or id, used in messages. */
  name?: string;
  /** `getEndpointAuthorizationScheme`: ServicePrincipal | WorkloadIdentityFederation | ManagedServiceIdentity. */
  scheme: string;
  /** For ServicePrincipal: `spnKey` (secret) or `spnCertificate`. Inferred from which of secret/certificate is set. */
  authenticationType?: string;
  tenantId?: string;
  /** `serviceprincipalid`; for a user-assigned managed identity, its client id (data parameter `msiclientId`). */
  clientId?: string;
  secret?: string;
  /** PEM with the private key and the certificate (`servicePrincipalCertificate`). */
  certificate?: string;
  /** `environment`: AzureCloud | AzureUSGovernment | AzureChinaCloud. */
  environment?: string;
  /** `environmentAuthorityUrl`, e.g. https://login.microsoftonline.us/. Wins over `environment`. */
  authorityHost?: string;
  /** The endpoint URL of the connection: the Resource Manager URL. Wins over `environment`. */
  resourceManagerUrl?: string;
  /** Workload identity federation: `System.OidcRequestUri`, the job token (SystemVssConnection) and the connection's id. */
  oidc?: { requestUri: string; systemAccessToken: string; serviceConnectionId: string };
}

export interface CredentialOptions {
  /** Called with every secret and token so the task can mask it (tl.setSecret). */
  markSecret?: MarkSecret;
  /** Extra CA to trust (the local emulator's). */
  caCertificate?: string;
}

export interface ConnectionCredential {
  credential: TokenCredential;
  /** Resource Manager endpoint of the connection's cloud. */
  armEndpoint: string;
}

const CLOUDS: Record<string, { authorityHost: string; armEndpoint: string }> = {
  azurecloud: { authorityHost: 'https://login.microsoftonline.com', armEndpoint: 'https://management.azure.com' },
  azureusgovernment: { authorityHost: 'https://login.microsoftonline.us', armEndpoint: 'https://management.usgovcloudapi.net' },
  azurechinacloud: { authorityHost: 'https://login.chinacloudapi.cn', armEndpoint: 'https://management.chinacloudapi.cn' },
};
// login.windows.net is the older alias some service connections still carry as environmentAuthorityUrl.
const KNOWN_AUTHORITY_HOSTS = new Set([...Object.values(CLOUDS).map((c) => c.authorityHost), 'https://login.windows.net']);

export function createCredential(connection: ServiceConnection, options: CredentialOptions = {}): ConnectionCredential {
  const who = `service connection${connection.name ? ` "${connection.name}"` : ''}`;
  const cloud = CLOUDS[(connection.environment ?? 'AzureCloud').toLowerCase()];
  if (!cloud && !(connection.authorityHost && connection.resourceManagerUrl)) {
    throw new ConfigError(`azureSubscription: the ${who} names the unknown cloud "${connection.environment}"; its authority and Resource Manager URLs are needed.`);
  }
  const authorityHost = trimSlash(connection.authorityHost ?? cloud.authorityHost);
  const armEndpoint = trimSlash(connection.resourceManagerUrl ?? cloud.armEndpoint);
  const common = {
    authorityHost,
    // Instance discovery only knows the public clouds; a custom authority (a private cloud or the emulator) is trusted as given.
    disableInstanceDiscovery: !KNOWN_AUTHORITY_HOSTS.has(authorityHost),
    tlsOptions: options.caCertificate ? { ca: [...rootCertificates, options.caCertificate] } : undefined,
  };
  const mark = (value?: string) => rememberSecret(value, options.markSecret);
  const scheme = connection.scheme.toLowerCase();
  const problems: string[] = [];
  const need = (value: string | undefined, field: string) => {
    if (!value) problems.push(`azureSubscription: the ${who} has no ${field}; edit the service connection and fill it in.`);
    return value ?? '';
  };

  let credential: TokenCredential;
  if (scheme === 'serviceprincipal') {
    const tenantId = need(connection.tenantId, 'tenant id');
    const clientId = need(connection.clientId, 'service principal id');
    const useCertificate = connection.authenticationType === 'spnCertificate' || (!connection.secret && !!connection.certificate);
    if (useCertificate) {
      const pem = need(connection.certificate, 'certificate');
      if (pem && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
        problems.push(`azureSubscription: the ${who}'s certificate has no private key in PEM form; upload a PEM holding both the key and the certificate.`);
      }
      mark(pem);
      if (problems.length) throw new ConfigError(problems);
      credential = new ClientCertificateCredential(tenantId, clientId, { certificate: pem }, common);
    } else {
      const secret = need(connection.secret, 'service principal key (client secret)');
      mark(secret);
      if (problems.length) throw new ConfigError(problems);
      credential = new ClientSecretCredential(tenantId, clientId, secret, common);
    }
  } else if (scheme === 'workloadidentityfederation') {
    const tenantId = need(connection.tenantId, 'tenant id');
    const clientId = need(connection.clientId, 'service principal id');
    const oidc = connection.oidc;
    if (!oidc?.requestUri || !oidc.systemAccessToken || !oidc.serviceConnectionId) {
      problems.push(`azureSubscription: workload identity federation needs System.OidcRequestUri and the job's access token (the SystemVssConnection endpoint); run it as a task on an Azure Pipelines agent.`);
    }
    if (problems.length) throw new ConfigError(problems);
    mark(oidc!.systemAccessToken);
    const getAssertion = () => requestOidcToken(oidc!, options, who);
    credential = new ClientAssertionCredential(tenantId, clientId, getAssertion, common);
  } else if (scheme === 'managedserviceidentity' || scheme === 'managedidentity') {
    credential = connection.clientId
      ? new ManagedIdentityCredential({ clientId: connection.clientId, ...common })
      : new ManagedIdentityCredential({ ...common });
  } else {
    throw new ConfigError(
      `azureSubscription: the ${who} uses the "${connection.scheme}" scheme; use ServicePrincipal (secret or certificate), WorkloadIdentityFederation or ManagedServiceIdentity.`,
    );
  }
  return { credential: new MaskedCredential(credential, who, options.markSecret), armEndpoint };
}

/**
 * Asks Azure DevOps for an OIDC token for the service connection (azure-devops-docs release notes, sprint 240):
 * POST {System.OidcRequestUri}?api-version=7.1&serviceConnectionId=<id> with the job's token -> { oidcToken }.
 */
export async function requestOidcToken(
  oidc: NonNullable<ServiceConnection['oidc']>,
  options: CredentialOptions = {},
  who = 'service connection',
): Promise<string> {
  const http = new AzureHttp(createAzurePipeline({ caCertificate: options.caCertificate, maxRetries: 3, retryDelayMs: 1000 }));
  const separator = oidc.requestUri.includes('?') ? '&' : '?';
  const url = `${oidc.requestUri}${separator}api-version=7.1&serviceConnectionId=${encodeURIComponent(oidc.serviceConnectionId)}`;
  const response = await http.send('POST', url, {
    headers: { authorization: `Bearer ${oidc.systemAccessToken}` },
    contentType: 'application/json',
    body: '{}',
  });
  const token = (response.body as { oidcToken?: string } | undefined)?.oidcToken;
  if (response.status !== 200 || !token) {
    throw new InfrastructureError(
      `Azure DevOps did not issue an OIDC token for the ${who} (HTTP ${response.status} from ${url.split('?')[0]}). ` +
        'Check that the pipeline is authorised to use the service connection.',
    );
  }
  rememberSecret(token, options.markSecret);
  return token;
}

/** Masks every token it hands out and turns Entra ID failures into sentences with a remedy. */
class MaskedCredential implements TokenCredential {
  constructor(
    private readonly inner: TokenCredential,
    private readonly who: string,
    private readonly markSecret?: MarkSecret,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    let token: AccessToken | null;
    try {
      token = await this.inner.getToken(scopes, options);
    } catch (error) {
      throw explainTokenFailure(error, this.who);
    }
    if (token) rememberSecret(token.token, this.markSecret);
    return token;
  }
}

/** AADSTS codes seen when service connections go stale (Microsoft Entra error code reference). */
const REMEDIES: Array<[RegExp, string]> = [
  [/AADSTS7000222/, 'its client secret has expired. Create a new secret for the app registration and update the service connection'],
  [/AADSTS7000215/, 'its client secret is wrong. Copy the secret value (not the secret id) into the service connection'],
  [/AADSTS700016/, 'its application was not found in the tenant. Check the service principal id and tenant id of the service connection'],
  [/AADSTS70021|AADSTS700213|AADSTS700211/, 'no federated credential on the app registration matches the pipeline. Add the issuer and subject shown on the service connection to the app registration'],
  [/AADSTS700027|AADSTS700024/, 'its certificate or assertion was refused. Upload the current certificate to the app registration and to the service connection'],
];

export function explainTokenFailure(error: unknown, who: string): Error {
  if (error instanceof InfrastructureError || error instanceof ConfigError) return error;
  const raw = redactSecrets(error instanceof Error ? error.message : String(error));
  const remedy = REMEDIES.find(([pattern]) => pattern.test(raw));
  const code = raw.match(/AADSTS\d+/)?.[0];
  const firstLine = raw.split('\n').find((l) => l.trim()) ?? raw;
  return new InfrastructureError(
    remedy
      ? `Sign-in with the ${who} failed (${code}): ${remedy[1]}.`
      : `Sign-in with the ${who} failed: ${firstLine.slice(0, 400)}`,
    { detail: raw },
  );
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
