import { InfrastructureError } from '../errors';
import { type AzdoHttp, type AzdoResponse, describeUrl, serviceError } from './http';

/**
 * Turns an Azure DevOps refusal into a message phrased as a remedy (STYLE.md "Messages"). What each status means
 * for a pipeline job:
 * - 401, a 203 sign-in page, or a redirect to sign-in: the token was not accepted at all. For the job token that
 *   usually means the job was not given the OAuth token, or the build service identity is disabled.
 * - 403: the token is fine but its identity lacks a permission; `permission` names which one.
 */
export interface RequestContext {
  method: string;
  url: string;
  /** What we were doing, in the user's words: "read the build attachments of run 42". */
  action: string;
  /** The missing permission as a sentence, used for 403. */
  permission: string;
}

/** `expectsJson`: a JSON route that answers 200 with HTML served a sign-in page, not our data. */
export function isAuthRefusal(response: AzdoResponse, expectsJson = true): boolean {
  if (response.status === 401) return true;
  // Azure DevOps answers an unaccepted credential on some routes with 203 + an HTML sign-in page, or a redirect.
  if (response.status === 203 || (response.status >= 300 && response.status < 400)) return true;
  return expectsJson && response.status === 200 && /text\/html/i.test(response.contentType);
}

export function refusal(http: AzdoHttp, response: AzdoResponse, context: RequestContext): InfrastructureError {
  const where = describeUrl(context.url);
  const said = http.redact(serviceError(response.body).message);
  const quoted = said ? ` Azure DevOps said: "${said.slice(0, 300)}"` : '';
  if (isAuthRefusal(response)) {
    return new InfrastructureError(
      `Could not ${context.action}: the job's access token was refused (${response.status}) by ${where}. ` +
        "Make sure the job has access to the OAuth token (classic: 'Allow scripts to access the OAuth token'; " +
        'YAML: pass $(System.AccessToken)) and that the project build service identity is not disabled.' +
        quoted,
    );
  }
  if (response.status === 403) {
    return new InfrastructureError(
      `Could not ${context.action} (403 at ${where}): ${context.permission}.${quoted}`,
    );
  }
  return new InfrastructureError(
    `Could not ${context.action}: Azure DevOps answered ${response.status} to ${context.method} ${where}.` +
      (quoted || (typeof response.body === 'string' && response.body ? ` ${http.redact(response.body.slice(0, 200))}` : '')),
  );
}
