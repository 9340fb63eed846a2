/**
 * What went wrong talking to the host, in words a person can act on. The SDK's REST layer throws
 * errors carrying `status` (HTTP) or the name `NetworkException` (fetch failed); both are mapped here.
 */
export type HubErrorKind = 'auth' | 'network' | 'not-found' | 'server';

export class HubError extends Error {
  constructor(
    message: string,
    readonly kind: HubErrorKind,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

/**
 * Scope each resource needs (the scopes table in docs/integrate/includes/scopes.md). A 401/403 means
 * the token lacks it, so the message names it.
 */
export const SCOPE_FOR = Object.freeze({
  'extension-data': 'vso.extension.data_write',
  build: 'vso.build',
  build_execute: 'vso.build_execute',
});

export function toHubError(error: unknown, resource: keyof typeof SCOPE_FOR, what: string): HubError {
  if (error instanceof HubError) return error;
  const status = typeof (error as { status?: unknown })?.status === 'number' ? (error as { status: number }).status : undefined;
  const name = (error as { name?: string })?.name;
  if (status === 401 || status === 403) {
    return new HubError(
      `Azure DevOps refused to ${what} (HTTP ${status}). The extension needs the scope "${SCOPE_FOR[resource]}": ` +
        'ask a project collection administrator to approve the extension\'s scopes, then reload.',
      'auth',
      status,
    );
  }
  if (name === 'NetworkException' || isFetchFailure(error)) {
    return new HubError(`Could not reach Azure DevOps to ${what}. Check the connection and retry.`, 'network');
  }
  if (status === 404) return new HubError(`Not found while trying to ${what}.`, 'not-found', status);
  const message = error instanceof Error && error.message ? error.message : String(error);
  return new HubError(`Failed to ${what}: ${message}`, 'server', status);
}

/**
 * `fetch` rejects with a TypeError when the request never got an answer ("Failed to fetch" in Chromium,
 * "NetworkError when attempting to fetch resource." in Firefox, "Load failed" in Safari, "fetch failed" in
 * Node). Any other TypeError is a bug or bad data, and calling it a network problem would send people
 * to check a connection that works.
 */
function isFetchFailure(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  return /failed to fetch|networkerror|load failed|fetch failed|network request failed/i.test(error.message);
}
