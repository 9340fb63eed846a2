import { ConfigError, InfrastructureError } from '../errors';
import { listOf } from './builds';
import { type AzdoHttp, type AzdoResponse, describeUrl, serviceError } from './http';
import { isAuthRefusal } from './refusals';

/**
 * Environments and their checks, over REST 7.1 (learn.microsoft.com/rest/api/azure/devops):
 * - Environments - List: `GET {project}/_apis/distributedtask/environments?name=<name>` (7.1-preview.1) finds the
 *   environment's numeric id, which checks are keyed by (`resource: { type: 'environment', id: '<id>' }`);
 * - Check Configurations - List: `GET {project}/_apis/pipelines/checks/configurations?resourceType=environment
 *   &resourceId=<id>&$expand=settings` (7.1-preview.1, scope vso.build);
 * - Check Configurations - Add: `POST {project}/_apis/pipelines/checks/configurations` (scope vso.build_execute or
 *   vso.pipelineresources_manage);
 * - Check Configurations - Update: `PATCH {project}/_apis/pipelines/checks/configurations/{id}` with the whole
 *   configuration (id, type, settings, resource, timeout).
 *
 * This module is called with a person's PAT by `readiness setup`, never with a job token, so its refusals name
 * PAT scopes and environment permissions. Verified only against test/support/azdoEmulator.ts.
 */
const API_VERSION = '7.1-preview.1';

export interface CheckType {
  id: string;
  name?: string;
}

export interface CheckConfiguration {
  id?: number;
  version?: number;
  type: CheckType;
  settings: Record<string, unknown>;
  resource: { type: 'environment'; id: string; name?: string };
  /** Minutes. */
  timeout?: number;
}

export interface PipelineEnvironment {
  id: number;
  name: string;
}

/** How the person running setup fixes a refusal; the PAT is the credential, so its scopes come first. */
export const SETUP_PERMISSIONS =
  'Create the PAT with the scopes "Environment (Read & manage)" (vso.environment_manage), "Build (Read & execute)" ' +
  '(vso.build_execute) and "Identity (Read)" (vso.identity), and make sure its user is an Administrator of the ' +
  'environment (Pipelines > Environments > the environment > Security)';

export class ChecksApi {
  constructor(
    private readonly http: AzdoHttp,
    private readonly collectionUri: string,
    private readonly project: string,
  ) {}

  async findEnvironment(name: string): Promise<PipelineEnvironment> {
    const query = new URLSearchParams({ name, 'api-version': API_VERSION });
    const url = `${this.projectUri()}_apis/distributedtask/environments?${query.toString()}`;
    const body = await this.read(url, `look up environment "${name}" in project ${this.project}`);
    // The name filter is a match on the name; the exact one (ignoring case, as Azure DevOps names do) is ours.
    const found = listOf(body).find(
      (e): e is { id: number; name: string } =>
        !!e && typeof (e as { id?: unknown }).id === 'number' && String((e as { name?: unknown }).name).toLowerCase() === name.toLowerCase(),
    );
    if (!found) {
      throw new ConfigError(
        `Environment "${name}" was not found in project ${this.project}. Create it in Pipelines > Environments (or run ` +
          'the deployment job once, which creates it), or pass the name the deployment job uses with --pipeline-environment.',
      );
    }
    return { id: found.id, name: found.name };
  }

  async listChecks(environment: PipelineEnvironment): Promise<CheckConfiguration[]> {
    const query = new URLSearchParams({ resourceType: 'environment', resourceId: String(environment.id), $expand: 'settings', 'api-version': API_VERSION });
    const url = `${this.configurationsUri()}?${query.toString()}`;
    const body = await this.read(url, `list the checks of environment "${environment.name}"`);
    return listOf(body).filter(isCheckConfiguration);
  }

  async addCheck(check: CheckConfiguration): Promise<CheckConfiguration> {
    const url = `${this.configurationsUri()}?api-version=${API_VERSION}`;
    return this.write('POST', url, check, `add a check to environment "${check.resource.name ?? check.resource.id}"`);
  }

  async updateCheck(id: number, check: CheckConfiguration): Promise<CheckConfiguration> {
    const url = `${this.configurationsUri()}/${id}?api-version=${API_VERSION}`;
    return this.write('PATCH', url, { ...check, id }, `update check ${id} of environment "${check.resource.name ?? check.resource.id}"`);
  }

  private async write(method: 'POST' | 'PATCH', url: string, check: CheckConfiguration, action: string): Promise<CheckConfiguration> {
    const response = await this.http.send(method, url, { body: check });
    if (response.status >= 200 && response.status < 300 && !isAuthRefusal(response) && isCheckConfiguration(response.body)) return response.body;
    throw this.refusal(response, method, url, action);
  }

  private async read(url: string, action: string): Promise<unknown> {
    const response = await this.http.send('GET', url);
    if (response.status === 200 && !isAuthRefusal(response)) return response.body;
    throw this.refusal(response, 'GET', url, action);
  }

  private refusal(response: AzdoResponse, method: string, url: string, action: string): InfrastructureError {
    const where = describeUrl(url);
    const said = this.http.redact(serviceError(response.body).message);
    const quoted = said ? ` Azure DevOps said: "${said.slice(0, 300)}"` : '';
    if (isAuthRefusal(response)) {
      return new InfrastructureError(
        `Could not ${action}: the personal access token was refused (${response.status}) by ${where}. It may be ` +
          'expired or revoked, or made for another organization; create a new one in User settings > Personal access ' +
          `tokens for this organization and pass it in AZURE_DEVOPS_EXT_PAT or --token-file. ${SETUP_PERMISSIONS}.${quoted}`,
      );
    }
    if (response.status === 403) {
      return new InfrastructureError(`Could not ${action} (403 at ${where}): the PAT's user is not allowed to. ${SETUP_PERMISSIONS}.${quoted}`);
    }
    return new InfrastructureError(`Could not ${action}: Azure DevOps answered ${response.status} to ${method} ${where}.${quoted}`);
  }

  private projectUri(): string {
    return `${this.collectionUri}${encodeURIComponent(this.project)}/`;
  }

  private configurationsUri(): string {
    return `${this.projectUri()}_apis/pipelines/checks/configurations`;
  }
}

function isCheckConfiguration(value: unknown): value is CheckConfiguration {
  if (!value || typeof value !== 'object') return false;
  const raw = value as Partial<CheckConfiguration>;
  return typeof raw.type?.id === 'string' && !!raw.resource && typeof raw.resource === 'object';
}
