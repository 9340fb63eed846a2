/**
 * Only http(s) addresses are links. A `javascript:` or `data:` URI is a valid URI, so it passes a plain "uri" format
 * check, and would run in the hub's frame when clicked (docs/security.md S14). The evidence schema uses the same rule.
 */
export const WEB_URL_PATTERN = '^[Hh][Tt][Tt][Pp][Ss]?://';

export function isWebUrl(url: unknown): url is string {
  return typeof url === 'string' && new RegExp(WEB_URL_PATTERN).test(url);
}
