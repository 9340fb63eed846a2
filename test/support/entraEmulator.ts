import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AltEmulator } from './altEmulator';
import { send, signedByClientCertificate } from './altEmulatorParts';

/**
 * The identity side of the emulator: Microsoft Entra ID's OpenID metadata and v2.0 token endpoint (client secret,
 * certificate assertion, federated assertion), and the Azure DevOps OIDC request endpoint. Error bodies carry the
 * AADSTS codes Entra ID uses, so the client's remedies can be tested.
 */
/** OpenID Provider metadata: learn.microsoft.com, "OpenID Connect on the Microsoft identity platform". */
export function openIdMetadata(emu: AltEmulator, res: ServerResponse, path: string): void {
  const tenant = path.split('/')[1];
  const base = `${emu.baseUrl}/${tenant}`;
  send(res, 200, {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    issuer: `${base}/v2.0`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
  });
}

/**
 * The v2.0 token endpoint, client credentials grant with a secret or a client assertion: learn.microsoft.com,
 * "Microsoft identity platform and the OAuth 2.0 client credentials flow"; error codes from "Microsoft Entra
 * authentication and authorization error codes".
 */
export function token(emu: AltEmulator, res: ServerResponse, body: string): void {
  const form = new URLSearchParams(body);
  const grantType = form.get('grant_type') ?? '';
  const assertion = form.get('client_assertion') ?? undefined;
  emu.tokenRequests.push({ grantType, assertion, scope: form.get('scope') ?? '' });
  const fail = (code: string, description: string) =>
    send(res, 401, { error: 'invalid_client', error_description: `${code}: ${description}`, error_codes: [Number(code.slice(6))] });
  if (grantType !== 'client_credentials' || form.get('client_id') !== emu.options.clientId) {
    return fail('AADSTS700016', `Application with identifier '${form.get('client_id')}' was not found in the directory.`);
  }
  if (emu.options.secretExpired) {
    return fail('AADSTS7000222', `The provided client secret keys for app '${emu.options.clientId}' are expired.`);
  }
  if (assertion !== undefined) {
    const federated = emu.oidcTokens.includes(assertion);
    if (!federated && !signedByClientCertificate(assertion)) return fail('AADSTS700213', 'No matching federated identity record found.');
  } else if (form.get('client_secret') !== emu.options.clientSecret) {
    return fail('AADSTS7000215', 'Invalid client secret provided.');
  }
  const accessToken = `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ scp: form.get('scope'), n: randomUUID() })).toString('base64url')}.sig`;
  emu.issuedTokens.add(accessToken);
  send(res, 200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: accessToken });
}

export function oidc(emu: AltEmulator, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (req.method !== 'POST' || req.headers.authorization !== `Bearer ${emu.options.systemAccessToken}`) {
    return send(res, 401, { message: 'The job access token is missing or wrong.' });
  }
  if (url.searchParams.get('api-version') !== '7.1' || url.searchParams.get('serviceConnectionId') !== emu.options.serviceConnectionId) {
    return send(res, 400, { message: 'Unknown service connection or api-version.' });
  }
  const token = `eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ sub: 'sc://org/project/conn', n: randomUUID() })).toString('base64url')}.oidc`;
  emu.oidcTokens.push(token);
  send(res, 200, { oidcToken: token });
}

/**
 * The App Service managed identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER, api-version 2019-08-01): the
 * simplest managed identity source to point at a local server.
 */
export function managedIdentity(emu: AltEmulator, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (req.headers['x-identity-header'] !== emu.options.systemAccessToken) return send(res, 401, { error: 'invalid identity header' });
  const resource = url.searchParams.get('resource') ?? '';
  emu.managedIdentityRequests.push({ resource, clientId: url.searchParams.get('client_id') ?? undefined });
  const accessToken = `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ aud: resource, n: randomUUID() })).toString('base64url')}.mi`;
  emu.issuedTokens.add(accessToken);
  send(res, 200, { access_token: accessToken, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource, token_type: 'Bearer' });
}
