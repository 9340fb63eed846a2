import { createHash } from 'node:crypto';

/**
 * Tasks are identified by GUID in an organisation, so the dev build's tasks need ids of their own, or installing it
 * next to the release build would replace the release tasks (shared/reference/platform-facts.md). The dev id is a
 * name-based UUID (RFC 4122 version 5, SHA-1) of the release id: the same on every build, and never reused by
 * another task.
 */
const DEV_NAME = 'production-readiness-dev';

export function devTaskId(releaseId: string): string {
  const namespace = Buffer.from(releaseId.replace(/-/g, ''), 'hex');
  if (namespace.length !== 16) throw new Error(`"${releaseId}" is not a GUID.`);
  const hash = createHash('sha1').update(namespace).update(DEV_NAME).digest().subarray(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
