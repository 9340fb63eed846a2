import { ConfigError, InfrastructureError } from '../errors';
import { listOf } from './builds';
import { type AzdoHttp, describeUrl } from './http';
import { isAuthRefusal, refusal } from './refusals';
import { normaliseCollectionUri } from './urls';

/**
 * Who belongs to an Azure DevOps group, as identity ids (the GUID a sign-off stores in `by.id`, the same id
 * `SDK.getUser().id` gives the hub). The Identities API answers with identity ids directly, so no descriptor
 * translation is needed:
 * - `_apis/identities?searchFilter=General&filterValue=<name>&queryMembership=Direct` finds the group and its
 *   direct `memberIds`;
 * - `_apis/identities?identityIds=<ids>&queryMembership=Direct` says which members are users and which are
 *   nested groups (`isContainer`), and gives the nested groups' own `memberIds`.
 * Nested groups are followed to a bounded depth with a cycle guard: Azure DevOps allows groups within groups, and
 * a loop must never hang a gate.
 *
 * Verified only against the emulator in test/support/azdoEmulator.ts, not against a live organization.
 */
export const IDENTITY_READ =
  'the project build service identity needs permission to read identities ("View instance-level information" ' +
  'at the organization or collection level) to list group members';

/** How deep nested groups are followed. Deeper nesting is an error, not a silent truncation. */
export const MAX_GROUP_DEPTH = 8;
/** Identity ids per request: keeps the query string well under URL limits (a GUID is 36 characters). */
const IDS_PER_REQUEST = 50;

interface Identity {
  id: string;
  isContainer: boolean;
  isActive: boolean;
  memberIds: string[];
  names: string[];
}

/**
 * Identities live on the organization's SPS host on Azure DevOps Services: `vssps.dev.azure.com/{org}/` for
 * `dev.azure.com/{org}/`, `{org}.vssps.visualstudio.com/` for `{org}.visualstudio.com/`. Azure DevOps Server (and
 * the emulator) serve them under the collection URI.
 */
export function identityBaseUrl(collectionUri: string): string {
  const normalised = normaliseCollectionUri(collectionUri);
  const url = new URL(normalised);
  const host = url.hostname.toLowerCase();
  if (host === 'dev.azure.com') {
    const organization = url.pathname.split('/').filter(Boolean)[0];
    if (organization) return `https://vssps.dev.azure.com/${organization}/`;
  }
  const legacy = /^([a-z0-9-]+)\.visualstudio\.com$/.exec(host);
  if (legacy) return `https://${legacy[1]}.vssps.visualstudio.com/`;
  return normalised;
}

export class GroupsApi {
  constructor(
    private readonly http: AzdoHttp,
    private readonly identityUri: string,
    private readonly maxDepth = MAX_GROUP_DEPTH,
  ) {}

  /** The identity ids of every active user in `group`, directly or through nested groups, without duplicates. */
  async listGroupMembers(group: string): Promise<string[]> {
    const name = group.trim();
    if (!name) throw new ConfigError('A role names an empty group; use the group name as Azure DevOps shows it, e.g. "[Project]\\Group".');
    const root = await this.findGroup(name);
    const users = new Map<string, string>();
    const seen = new Set([root.id.toLowerCase()]);
    let pending = root.memberIds;
    for (let depth = 1; pending.length > 0; depth++) {
      const fresh = pending.filter((id) => !seen.has(id.toLowerCase()));
      for (const id of fresh) seen.add(id.toLowerCase());
      if (fresh.length === 0) break;
      // Members of the root are depth 1; a group at depth maxDepth may still hold users, but no further groups.
      const identities = await this.readIdentities(fresh, name);
      const nested: string[] = [];
      for (const identity of identities) {
        if (!identity.isActive) continue;
        if (!identity.isContainer) users.set(identity.id.toLowerCase(), identity.id);
        else if (identity.memberIds.length > 0) {
          if (depth >= this.maxDepth) {
            throw new InfrastructureError(
              `Group "${name}" nests groups more than ${this.maxDepth} levels deep (at ${identity.names[0] ?? identity.id}); ` +
                'flatten the nesting or list approvers under users.',
            );
          }
          nested.push(...identity.memberIds);
        }
      }
      pending = nested;
    }
    return [...users.values()];
  }

  /** The identity id of a group (the id an Approvals check lists as its approver), found by its exact name. */
  async findGroupId(group: string): Promise<string> {
    const name = group.trim();
    if (!name) throw new ConfigError('A role names an empty group; use the group name as Azure DevOps shows it, e.g. "[Project]\\Group".');
    return (await this.findGroup(name)).id;
  }

  private async findGroup(name: string): Promise<Identity> {
    const query = new URLSearchParams({ searchFilter: 'General', filterValue: name, queryMembership: 'Direct', 'api-version': '7.1' });
    const url = `${this.identityUri}_apis/identities?${query.toString()}`;
    const body = await this.read(url, `find group "${name}"`);
    const wanted = name.toLowerCase();
    const groups = listOf(body).map(toIdentity).filter((i): i is Identity => i !== undefined && i.isContainer);
    // The General search also matches partial and account names; a group is ours when one of its names is exact.
    const found = groups.find((g) => g.names.some((n) => n.toLowerCase() === wanted));
    if (!found) {
      throw new ConfigError(
        `Group "${name}" was not found in Azure DevOps at ${describeUrl(this.identityUri)}. Name it in the policy as ` +
          'Azure DevOps shows it, in the form [Project]\\Group (in YAML double quotes: "[Shop]\\\\Operations"), or list approvers under users.',
      );
    }
    return found;
  }

  private async readIdentities(ids: string[], group: string): Promise<Identity[]> {
    const identities: Identity[] = [];
    for (let i = 0; i < ids.length; i += IDS_PER_REQUEST) {
      const batch = ids.slice(i, i + IDS_PER_REQUEST);
      const query = new URLSearchParams({ identityIds: batch.join(','), queryMembership: 'Direct', 'api-version': '7.1' });
      const body = await this.read(`${this.identityUri}_apis/identities?${query.toString()}`, `read the members of group "${group}"`);
      // Unknown ids come back as null entries; a deleted member simply does not count.
      identities.push(...listOf(body).map(toIdentity).filter((x): x is Identity => x !== undefined));
    }
    return identities;
  }

  private async read(url: string, action: string): Promise<unknown> {
    const response = await this.http.send('GET', url);
    if (response.status === 200 && !isAuthRefusal(response)) return response.body;
    const error = refusal(this.http, response, { method: 'GET', url, action, permission: IDENTITY_READ });
    // A refused token is named by refusal(); the permission is added so the fix for a 401 is in one place too.
    if (isAuthRefusal(response)) throw new InfrastructureError(`${error.message} Also, ${IDENTITY_READ}.`);
    throw error;
  }
}

function toIdentity(item: unknown): Identity | undefined {
  if (!item || typeof item !== 'object') return undefined;
  const raw = item as Record<string, unknown>;
  if (typeof raw.id !== 'string' || raw.id === '') return undefined;
  const names = [raw.providerDisplayName, raw.customDisplayName, (raw.properties as any)?.Account?.$value]
    .filter((n): n is string => typeof n === 'string' && n !== '');
  return {
    id: raw.id,
    isContainer: raw.isContainer === true,
    isActive: raw.isActive !== false,
    memberIds: Array.isArray(raw.memberIds) ? raw.memberIds.filter((m): m is string => typeof m === 'string') : [],
    names,
  };
}
