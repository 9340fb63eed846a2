import { ConfigError } from '../errors';

/**
 * Where each Azure DevOps REST area lives. Build REST is under the collection URI. Extension data (the
 * ExtensionManagement area) is served by a separate host on Azure DevOps Services: `extmgmt.dev.azure.com/{org}/`
 * for `dev.azure.com/{org}/`, and `{org}.extmgmt.visualstudio.com/` for the legacy `{org}.visualstudio.com/`
 * (shared/reference/ado-extensions.md §4.1). Azure DevOps Server serves it under the collection URI itself.
 */

/** Ensures one trailing slash, so `${collectionUri}${project}/_apis/...` is always well formed. */
export function normaliseCollectionUri(collectionUri: string, field = 'collectionUri'): string {
  let parsed: URL;
  try {
    parsed = new URL(collectionUri.trim());
  } catch {
    throw new ConfigError(
      `${field}: "${collectionUri}" is not a URL; expected the collection URI, e.g. https://dev.azure.com/contoso/.`,
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError(`${field}: "${collectionUri}" must be an http(s) URL, e.g. https://dev.azure.com/contoso/.`);
  }
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString().replace(/\/*$/, '/');
}

export function defaultExtensionDataUri(collectionUri: string): string {
  const normalised = normaliseCollectionUri(collectionUri);
  const url = new URL(normalised);
  const host = url.hostname.toLowerCase();
  if (host === 'dev.azure.com') {
    const organization = url.pathname.split('/').filter(Boolean)[0];
    if (organization) return `https://extmgmt.dev.azure.com/${organization}/`;
  }
  const legacy = /^([a-z0-9-]+)\.visualstudio\.com$/.exec(host);
  if (legacy) return `https://${legacy[1]}.extmgmt.visualstudio.com/`;
  return normalised;
}

/** The route of one extension-data document, or of a collection's documents when `id` is omitted. */
export function extensionDocumentsUrl(
  extensionDataUri: string,
  publisher: string,
  extensionId: string,
  collection: string,
  id?: string,
): string {
  const segment = encodeURIComponent;
  const base =
    `${extensionDataUri}_apis/ExtensionManagement/InstalledExtensions/${segment(publisher)}/${segment(extensionId)}` +
    `/Data/Scopes/Default/Current/Collections/${segment(collection)}/Documents`;
  // api-version 7.1-preview.1: seen in current clients (ado-extensions.md §4.1) and the documented check URL.
  return `${base}${id === undefined ? '' : `/${segment(id)}`}?api-version=7.1-preview.1`;
}
