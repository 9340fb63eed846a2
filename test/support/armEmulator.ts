import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { createCredential } from '../../src/azure/credentials';
import { AltEmulator, emulatedConnection } from './altEmulator';
import { send } from './altEmulatorParts';
import { routeMonitor, type MonitorState } from './armMonitorRoutes';
import { listenHttps } from './tls';

/**
 * A local HTTPS emulator of the Azure Resource Manager calls the point-in-time-restore drills make, in memory:
 * - Microsoft.DBforPostgreSQL/flexibleServers (api-version 2022-12-01): GET, PUT with createMode
 *   PointInTimeRestore (201 + Azure-AsyncOperation), DELETE (202 + Azure-AsyncOperation + Location);
 * - Microsoft.Sql/servers/databases (api-version 2021-11-01): the same, with PUT answering 202 as SQL does;
 * - the async operation URLs, InProgress for a few polls, then Succeeded (or Failed when told to).
 * Bearer tokens are checked against those the identity emulator (altEmulator.ts) issued. A restored flexible
 * server's FQDN is `fqdn` (127.0.0.1 by default), so probes reach a real local PostgreSQL.
 */
export interface ArmFault {
  method?: string;
  path: RegExp;
  status: 403 | 409 | 500;
  times?: number;
}

export interface ArmEmulatorOptions {
  /** Tokens the identity emulator issued; anything else is 401. */
  tokens: Set<string>;
  /** Host name a restored flexible server reports. Default 127.0.0.1. */
  fqdn?: string;
  /** Operation polls answered InProgress before the outcome. Default 2. */
  pollsUntilDone?: number;
  /** The restore operation ends Failed with this message. */
  restoreFailure?: string;
  /** The restore operation stays InProgress until the resource is deleted (cancellation tests). */
  holdRestore?: boolean;
  /** The delete operation ends Failed with this message, and the resource stays. */
  deleteFailure?: string;
  faults?: ArmFault[];
  /** The first PUT creates the resource but answers 500, as when a response is lost; the client's retry then meets a taken name. */
  loseFirstPutAnswer?: boolean;
  /** Azure Monitor resources (alert rules, action groups, diagnostic settings, web tests, logs); see armMonitorRoutes.ts. */
  monitor?: MonitorState;
  /** A slot swap operation ends Failed with this message, and nothing is swapped. */
  swapFailure?: string;
}

interface Kind {
  apiVersion: string;
  namespace: string;
  stateField: 'state' | 'status';
  creating: string;
  ready: string;
  sourceField: string;
  pointField: string;
  putStatus: 201 | 202;
}

const FLEXIBLE: Kind = { apiVersion: '2022-12-01', namespace: 'Microsoft.DBforPostgreSQL', stateField: 'state', creating: 'Provisioning', ready: 'Ready',
  sourceField: 'sourceServerResourceId', pointField: 'pointInTimeUTC', putStatus: 201 };
const SQL: Kind = { apiVersion: '2021-11-01', namespace: 'Microsoft.Sql', stateField: 'status', creating: 'Creating', ready: 'Online',
  sourceField: 'sourceDatabaseId', pointField: 'restorePointInTime', putStatus: 202 };

type Json = Record<string, any>;

interface Operation {
  status: 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';
  polls: number;
  kind: 'restore' | 'delete' | 'swap';
  resourceId: string;
  /** swap: the slot swapped with production. */
  targetSlot?: string;
  error?: string;
}

export class ArmEmulator {
  readonly subscriptionId = '00000000-1111-2222-3333-444444444444';
  readonly resources = new Map<string, Json>();
  readonly operations = new Map<string, Operation>();
  /** App Service web apps by resource id (lower case): the version each slot serves. */
  readonly webApps = new Map<string, { production: string; slots: Record<string, string> }>();
  readonly requests: Array<{ method: string; path: string; apiVersion?: string; headers: IncomingMessage['headers']; body: string }> = [];
  private server?: Server;
  private closeServer?: () => Promise<void>;
  private lostAnswer = false;
  port = 0;

  constructor(readonly options: ArmEmulatorOptions) {
    options.faults = (options.faults ?? []).map((f) => ({ ...f }));
  }

  get baseUrl(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  flexibleServerId(resourceGroup: string, name: string): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
  }

  sqlDatabaseId(resourceGroup: string, server: string, name: string): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Sql/servers/${server}/databases/${name}`;
  }

  /** A source flexible server with `retentionDays` of backups. */
  addFlexibleServer(resourceGroup: string, name: string, options: { retentionDays?: number; state?: string } = {}): string {
    const id = this.flexibleServerId(resourceGroup, name);
    const earliest = new Date(Date.now() - (options.retentionDays ?? 7) * 86_400_000).toISOString();
    this.resources.set(id.toLowerCase(), { id, name, location: 'westeurope', type: 'Microsoft.DBforPostgreSQL/flexibleServers',
      properties: { state: options.state ?? 'Ready', fullyQualifiedDomainName: `${name}.postgres.database.azure.com`, version: '15',
        backup: { backupRetentionDays: options.retentionDays ?? 7, geoRedundantBackup: 'Disabled', earliestRestoreDate: earliest } } });
    return id;
  }

  addSqlDatabase(resourceGroup: string, server: string, name: string, options: { retentionDays?: number } = {}): string {
    const id = this.sqlDatabaseId(resourceGroup, server, name);
    const earliest = new Date(Date.now() - (options.retentionDays ?? 7) * 86_400_000).toISOString();
    this.resources.set(id.toLowerCase(), { id, name, location: 'westeurope', type: 'Microsoft.Sql/servers/databases',
      properties: { status: 'Online', earliestRestoreDate: earliest, createMode: 'Default' } });
    return id;
  }

  webAppId(resourceGroup: string, name: string): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Web/sites/${name}`;
  }

  /** A web app serving `production` in its production slot and each of `slots` in a deployment slot. */
  addWebApp(resourceGroup: string, name: string, production: string, slots: Record<string, string>): { production: string; slots: Record<string, string> } {
    const app = { production, slots: { ...slots } };
    this.webApps.set(this.webAppId(resourceGroup, name).toLowerCase(), app);
    return app;
  }

  has(id: string): boolean {
    return this.resources.has(id.toLowerCase());
  }

  requestsTo(method: string, path: RegExp) {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  async start(): Promise<this> {
    const listening = await listenHttps((req, res, body) => this.route(req, res, body.toString('utf8')));
    this.server = listening.server;
    this.closeServer = listening.close;
    this.port = listening.port;
    return this;
  }

  async stop(): Promise<void> {
    await this.closeServer?.();
  }

  private route(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const path = decodeURIComponent(url.pathname);
    const method = req.method ?? 'GET';
    const apiVersion = url.searchParams.get('api-version') ?? undefined;
    this.requests.push({ method, path, apiVersion, headers: req.headers, body });
    if (!this.options.tokens.has((req.headers.authorization ?? '').replace(/^Bearer /, ''))) {
      return send(res, 401, { error: { code: 'AuthenticationFailed', message: 'Missing or unknown bearer token.' } });
    }
    const fault = this.options.faults!.find((f) => (!f.method || f.method === method) && f.path.test(path) && (f.times ?? 1) > 0);
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      const code = { 403: 'AuthorizationFailed', 409: 'Conflict', 500: 'InternalServerError' }[fault.status];
      return send(res, fault.status, { error: { code, message: `Emulated ${fault.status} for ${method}.` } });
    }
    if (this.options.monitor && routeMonitor(this.options.monitor, this.baseUrl, method, url, path, body, res)) return;
    // Async operation status (Azure-AsyncOperation and Location headers, then { status: InProgress|Succeeded|Failed }):
    // azure-resource-manager-rpc, "Asynchronous operations" (v1.0/async-api-reference.md).
    const op = path.match(/\/(azureAsyncOperation|operationResults)\/([^/]+)$/);
    if (op && method === 'GET') return this.operation(res, op[1], op[2]);
    const swap = path.match(/^(.*\/providers\/Microsoft\.Web\/sites\/[^/]+)\/slotsswap$/i);
    if (swap && method === 'POST') return this.swapSlots(res, swap[1], apiVersion, body);
    // Servers_Get / Servers_Create (createMode PointInTimeRestore) / Servers_Delete: azure-rest-api-specs,
    // specification/postgresql/resource-manager/Microsoft.DBforPostgreSQL/stable/2022-12-01 (examples
    // ServerCreatePointInTimeRestore.json). Databases_Get / _CreateOrUpdate (createMode PointInTimeRestore) / _Delete:
    // specification/sql/resource-manager/Microsoft.Sql/stable/2021-11-01 (examples CreateDatabasePITR.json).
    const kind = /\/flexibleServers\/[^/]+$/i.test(path) ? FLEXIBLE : /\/servers\/[^/]+\/databases\/[^/]+$/i.test(path) ? SQL : undefined;
    if (!kind) return send(res, 404, { error: { code: 'NoRoute', message: `No route for ${method} ${path}` } });
    if (apiVersion !== kind.apiVersion) return send(res, 400, { error: { code: 'InvalidApiVersionParameter', message: `api-version ${apiVersion}` } });
    const existing = this.resources.get(path.toLowerCase());
    if (method === 'GET') {
      // Reading the resource also moves its restore along, as time would (a client that lost the operation URL still sees it finish).
      for (const op of this.operations.values()) if (op.kind === 'restore' && op.resourceId.toLowerCase() === path.toLowerCase()) this.tick(op);
      return existing ? send(res, 200, existing) : send(res, 404, { error: { code: 'ResourceNotFound', message: `The Resource '${path.split('/').pop()}' was not found.` } });
    }
    if (method === 'PUT') return this.put(res, req, kind, path, existing, body);
    if (method === 'DELETE') return this.delete(res, path, existing);
    send(res, 405, {});
  }

  private put(res: ServerResponse, req: IncomingMessage, kind: Kind, path: string, existing: Json | undefined, body: string): void {
    if (existing && req.headers['if-none-match'] === '*') {
      return send(res, 412, { error: { code: 'PreconditionFailed', message: 'The resource already exists.' } });
    }
    const request = JSON.parse(body) as Json;
    const props = request.properties ?? {};
    const source = this.resources.get(String(props[kind.sourceField] ?? '').toLowerCase());
    if (props.createMode !== 'PointInTimeRestore' || !source) {
      return send(res, 400, { error: { code: 'InvalidRestoreRequest', message: `createMode PointInTimeRestore and an existing ${kind.sourceField} are required.` } });
    }
    const point = Date.parse(props[kind.pointField]);
    const earliest = Date.parse(source.properties.backup?.earliestRestoreDate ?? source.properties.earliestRestoreDate);
    if (!(point >= earliest && point <= Date.now())) {
      return send(res, 400, { error: { code: 'InvalidRestorePointInTime', message: `${kind.pointField} ${props[kind.pointField]} is outside the restore window.` } });
    }
    const name = path.split('/').pop()!;
    const resource: Json = { id: path, name, location: request.location, tags: request.tags ?? {}, type: source.type,
      properties: { [kind.stateField]: kind.creating, createMode: 'PointInTimeRestore' } };
    this.resources.set(path.toLowerCase(), resource);
    const headers = this.startOperation(path, 'restore', kind);
    if (this.options.loseFirstPutAnswer && !this.lostAnswer) {
      this.lostAnswer = true;
      return send(res, 500, { error: { code: 'InternalServerError', message: 'Emulated lost answer.' } });
    }
    send(res, kind.putStatus, kind.putStatus === 201 ? resource : undefined, headers);
  }

  /**
   * POST {site}/slotsswap?api-version=2022-03-01 with CsmSlotEntity `{ targetSlot, preserveVnet }`: swaps production
   * with targetSlot (azure-rest-api-specs specification/web/resource-manager/Microsoft.Web/stable/2022-03-01/
   * WebApps.json, WebApps_SwapSlotWithProduction: x-ms-long-running-operation, 200 or 202). Answers 202 with a
   * Location to poll; the swap takes effect when the operation completes.
   */
  private swapSlots(res: ServerResponse, site: string, apiVersion: string | undefined, body: string): void {
    if (apiVersion !== '2022-03-01') return send(res, 400, { error: { code: 'InvalidApiVersionParameter', message: `api-version ${apiVersion}` } });
    const app = this.webApps.get(site.toLowerCase());
    const targetSlot = (JSON.parse(body || '{}') as Json).targetSlot;
    if (!app || typeof targetSlot !== 'string' || !(targetSlot in app.slots)) {
      return send(res, 404, { error: { code: 'ResourceNotFound', message: `The web app or its slot '${targetSlot}' was not found.` } });
    }
    const id = randomUUID();
    this.operations.set(id, { status: 'InProgress', polls: 0, kind: 'swap', resourceId: site, targetSlot });
    send(res, 202, undefined, { location: `${this.baseUrl}/subscriptions/${this.subscriptionId}/providers/Microsoft.Web/locations/westeurope/operationResults/${id}?api-version=2022-03-01` });
  }

  private delete(res: ServerResponse, path: string, existing: Json | undefined): void {
    if (!existing) return send(res, 204);
    for (const op of this.operations.values()) {
      if (op.resourceId.toLowerCase() === path.toLowerCase() && op.kind === 'restore' && op.status === 'InProgress') op.status = 'Canceled';
    }
    const kind = existing.type === 'Microsoft.Sql/servers/databases' ? SQL : FLEXIBLE;
    send(res, 202, undefined, this.startOperation(path, 'delete', kind));
  }

  private startOperation(resourceId: string, kind: Operation['kind'], type: Kind): Record<string, string> {
    const id = randomUUID();
    this.operations.set(id, { status: 'InProgress', polls: 0, kind, resourceId });
    const base = `${this.baseUrl}/subscriptions/${this.subscriptionId}/providers/${type.namespace}/locations/westeurope`;
    return {
      'azure-asyncoperation': `${base}/azureAsyncOperation/${id}?api-version=${type.apiVersion}`,
      location: `${base}/operationResults/${id}?api-version=${type.apiVersion}`,
    };
  }

  private operation(res: ServerResponse, which: string, id: string): void {
    const op = this.operations.get(id);
    if (!op) return send(res, 404, { error: { code: 'OperationNotFound', message: id } });
    this.tick(op);
    if (which === 'operationResults') return op.status === 'InProgress' ? send(res, 202, undefined, {}) : send(res, op.status === 'Succeeded' ? 200 : 500, {});
    send(res, 200, { name: id, status: op.status, startTime: new Date().toISOString(),
      ...(op.error ? { error: { code: op.kind === 'restore' ? 'RestoreFailed' : 'DeleteFailed', message: op.error } } : {}) });
  }

  private tick(op: Operation): void {
    op.polls += 1;
    if (op.status === 'InProgress' && op.polls > (this.options.pollsUntilDone ?? 2) && !(op.kind === 'restore' && this.options.holdRestore)) {
      this.finish(op);
    }
  }

  private finish(op: Operation): void {
    const key = op.resourceId.toLowerCase();
    if (op.kind === 'swap') {
      const app = this.webApps.get(key)!;
      if (this.options.swapFailure) {
        op.status = 'Failed';
        op.error = this.options.swapFailure;
        return;
      }
      op.status = 'Succeeded';
      [app.production, app.slots[op.targetSlot!]] = [app.slots[op.targetSlot!], app.production];
      return;
    }
    const resource = this.resources.get(key);
    const failure = op.kind === 'restore' ? this.options.restoreFailure : this.options.deleteFailure;
    if (failure) {
      op.status = 'Failed';
      op.error = failure;
      if (resource && op.kind === 'restore') resource.properties[resource.type.includes('Sql') ? 'status' : 'state'] = 'Disabled';
      return;
    }
    op.status = 'Succeeded';
    if (op.kind === 'delete') {
      this.resources.delete(key);
    } else if (resource) {
      if (resource.type.includes('Sql')) resource.properties.status = 'Online';
      else Object.assign(resource.properties, { state: 'Ready', fullyQualifiedDomainName: this.options.fqdn ?? '127.0.0.1' });
    }
  }
}

/**
 * The identity emulator (for tokens) and the Resource Manager emulator, with the AzureAccess the runner takes,
 * built through the product's own createCredential from a service connection pointing at them.
 */
export async function startAzureEmulators(options: Omit<ArmEmulatorOptions, 'tokens'> = {}) {
  const identity = await new AltEmulator().start();
  const arm = await new ArmEmulator({ ...options, tokens: identity.issuedTokens }).start();
  const marked: string[] = [];
  const { credential, armEndpoint } = createCredential(emulatedConnection(identity, 'ServicePrincipal', { resourceManagerUrl: arm.baseUrl }), {
    caCertificate: identity.ca,
    markSecret: (s) => marked.push(s),
  });
  return {
    identity,
    arm,
    /** Every secret the credential handed to the masker (the client secret and each token). */
    marked,
    access: { credential, armEndpoint, caCertificate: identity.ca, subscriptionId: arm.subscriptionId },
    stop: async () => {
      await arm.stop();
      await identity.stop();
    },
  };
}

/**
 * The drill file for `provider` exactly as docs/drills.md shows it, changed by `change` (the loopback overrides a
 * test needs), written to a temporary file. Tests run the documented example, so the docs cannot drift.
 */
export function docExample(provider: string, change: (drill: Record<string, any>) => void): string {
  const doc = readFileSync(resolve(__dirname, '../../docs/drills.md'), 'utf8');
  const block = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes(`provider: ${provider}\n`));
  if (!block) throw new Error(`docs/drills.md has no example with provider: ${provider}`);
  const drill = parse(block);
  change(drill);
  const file = join(mkdtempSync(join(tmpdir(), 'drill-azure-')), 'drill.yaml');
  writeFileSync(file, stringify(drill));
  return file;
}
