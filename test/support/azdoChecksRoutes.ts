import type { ServerResponse } from 'node:http';

/**
 * Environments and their check configurations, for test/support/azdoEmulator.ts. Each route follows its page in
 * learn.microsoft.com/rest/api/azure/devops (REST 7.1):
 * - distributedtask/environments/list: `GET {project}/_apis/distributedtask/environments?name=` answers
 *   `{ count, value: EnvironmentInstance[] }` (id is an integer);
 * - approvalsandchecks/check-configurations/list: `GET {project}/_apis/pipelines/checks/configurations
 *   ?resourceType=&resourceId=&$expand=` answers `{ count, value: CheckConfiguration[] }`; `settings` only with
 *   `$expand=settings` (CheckConfigurationExpandParameter none | settings);
 * - check-configurations/add: `POST .../configurations` with a CheckConfiguration; the service assigns `id`,
 *   `version`, `createdBy`/`createdOn`, `url`;
 * - check-configurations/update: `PATCH .../configurations/{id}` with the whole configuration; `version` goes up.
 * Check type ids are those the service documents or its official clients send (src/azdo/checkSetup.ts cites them);
 * an unknown type is refused as the service refuses a type it does not have.
 */
export interface EmulatedCheck {
  id: number;
  version: number;
  type: { id: string; name?: string };
  settings: Record<string, unknown>;
  resource: { type: string; id: string; name?: string };
  timeout?: number;
  isDisabled?: boolean;
  createdBy?: { id: string; displayName: string };
  modifiedBy?: { id: string; displayName: string };
}

const KNOWN_TYPES = new Set([
  '8c6f20a7-a545-4486-9777-f762fafe0d4d', // Approval
  '4020e66e-b0f3-47e1-bc88-48f3cc59b5f3', // ExtendsCheck (Required template)
  'fe1de3ee-a436-41b4-bb20-f6eb4cb879a7', // Task Check (Branch control, Invoke REST API, ...)
  '2ef31ad6-baa0-403a-8b45-2cbc9b4e5563', // Exclusive lock
]);

export interface ChecksState {
  environments: Map<number, { id: number; name: string }>;
  checks: Map<number, EmulatedCheck>;
  nextCheckId: number;
}

export function newChecksState(): ChecksState {
  return { environments: new Map(), checks: new Map(), nextCheckId: 1 };
}

type Reply = (res: ServerResponse, status: number, body: unknown) => void;
type Fail = (res: ServerResponse, status: number, typeKey: string, message: string) => void;

/**
 * Serves the routes above when `rest` (the path segments after `{project}/_apis/`, lower-cased) names them.
 * Returns false for any other path, so the emulator's other routes get it.
 */
export function handleChecksRoute(
  state: ChecksState,
  request: { method: string; rest: string[]; query: URLSearchParams; body: Buffer; baseUrl: string },
  res: ServerResponse,
  reply: Reply,
  fail: Fail,
): boolean {
  const { method, rest, query } = request;
  if (rest[0] === 'distributedtask' && rest[1] === 'environments' && rest.length === 2 && method === 'GET') {
    const name = query.get('name');
    const value = [...state.environments.values()].filter((e) => !name || e.name.toLowerCase() === name.toLowerCase());
    reply(res, 200, { count: value.length, value: value.map((e) => ({ ...e, createdOn: '2026-01-01T00:00:00Z' })) });
    return true;
  }
  if (rest[0] !== 'pipelines' || rest[1] !== 'checks' || rest[2] !== 'configurations' || rest.length > 4) return false;
  const expand = (query.get('$expand') ?? 'none').toLowerCase() === 'settings';
  const shape = (c: EmulatedCheck, withSettings: boolean) => {
    const { settings, ...rest } = structuredClone(c);
    return { ...rest, ...(withSettings ? { settings } : {}), url: `${request.baseUrl}/_apis/pipelines/checks/configurations/${c.id}` };
  };
  if (method === 'GET' && rest.length === 3) {
    const type = query.get('resourceType');
    const id = query.get('resourceId');
    const value = [...state.checks.values()].filter((c) => (!type || c.resource.type === type) && (!id || c.resource.id === id));
    reply(res, 200, { count: value.length, value: value.map((c) => shape(c, expand)) });
    return true;
  }
  let body: Partial<EmulatedCheck>;
  try {
    body = JSON.parse(request.body.toString('utf8'));
  } catch {
    fail(res, 400, 'ArgumentException', 'The request body is not JSON.');
    return true;
  }
  const problem = validate(state, body);
  if (problem) {
    fail(res, 400, 'InvalidCheckConfigurationException', problem);
    return true;
  }
  const who = { id: 'setup-user', displayName: 'Setup User' };
  if (method === 'POST' && rest.length === 3) {
    const check: EmulatedCheck = {
      id: state.nextCheckId++, version: 1, type: body.type!, settings: body.settings ?? {}, resource: body.resource!,
      timeout: body.timeout, isDisabled: body.isDisabled ?? false, createdBy: who, modifiedBy: who,
    };
    state.checks.set(check.id, check);
    reply(res, 200, shape(check, true));
    return true;
  }
  if (method === 'PATCH' && rest.length === 4) {
    const current = state.checks.get(Number(rest[3]));
    if (!current) {
      fail(res, 404, 'CheckConfigurationNotFoundException', `Check configuration ${rest[3]} does not exist.`);
      return true;
    }
    const updated: EmulatedCheck = {
      ...current, type: body.type!, settings: body.settings ?? {}, timeout: body.timeout ?? current.timeout,
      isDisabled: body.isDisabled ?? current.isDisabled, version: current.version + 1, modifiedBy: who,
    };
    state.checks.set(current.id, updated);
    reply(res, 200, shape(updated, true));
    return true;
  }
  fail(res, 405, 'MethodNotAllowed', `${method} is not supported here.`);
  return true;
}

function validate(state: ChecksState, body: Partial<EmulatedCheck>): string | undefined {
  if (!body || typeof body !== 'object') return 'The check configuration is missing.';
  if (typeof body.type?.id !== 'string' || !KNOWN_TYPES.has(body.type.id.toLowerCase())) return `Check type ${String(body.type?.id)} does not exist.`;
  if (body.resource?.type !== 'environment' || typeof body.resource.id !== 'string') return 'The check needs a resource { type, id }.';
  if (!state.environments.has(Number(body.resource.id))) return `Environment ${body.resource.id} does not exist.`;
  if (body.type.id.toLowerCase() === '8c6f20a7-a545-4486-9777-f762fafe0d4d') {
    const approvers = body.settings?.approvers;
    if (!Array.isArray(approvers) || approvers.length === 0) return 'An approval check needs at least one approver.';
  }
  return undefined;
}
