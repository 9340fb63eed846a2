import * as SDK from 'azure-devops-extension-sdk';
import { getClient } from 'azure-devops-extension-api';
import { BuildRestClient } from 'azure-devops-extension-api/Build';
import { EVIDENCE_ATTACHMENT_TYPE } from '../../src/evidence/types';
import { Collections, SignOffDocument, StatusDocument, WaiverDocument, subjectKey } from '../../src/gate/records';
import { DocumentStore, updateWithRetry } from '../../src/store/documentStore';
import { ApprovalsClient, AzureDevOpsApprovalsClient } from './ApprovalsClient';
import { HubError, toHubError } from './errors';
import { ExtensionDataStore } from './ExtensionDataStore';
import { BuildRef, HubCollections, HubUser, PolicyDocument, ReadinessClient, ReadinessData } from './ReadinessClient';

/**
 * The production client: extension data through the ExtensionManagement REST client, run evidence
 * through Build attachments, the user from the SDK handshake. Call only after `SDK.ready()`.
 * `readiness serve` answers the same handshake and REST routes, so this code also runs locally.
 */
export class AzureDevOpsReadinessClient implements ReadinessClient {
  private readonly store: DocumentStore;
  readonly approvals: ApprovalsClient = new AzureDevOpsApprovalsClient();

  constructor(store?: DocumentStore) {
    const extension = SDK.getExtensionContext();
    this.store = store ?? new ExtensionDataStore(extension.publisherId, extension.extensionId);
  }

  async currentUser(): Promise<HubUser> {
    const user = SDK.getUser() as ReturnType<typeof SDK.getUser> & { groups?: unknown };
    // Azure DevOps does not send group membership in the handshake; the local host may. Without it,
    // a policy names signers by user id (the only thing the gate can check in a stored sign-off).
    const groups = Array.isArray(user.groups) ? user.groups.filter((g): g is string => typeof g === 'string') : [];
    return { id: user.id, name: user.displayName || user.name, uniqueName: user.name, groups };
  }

  async loadAll(): Promise<ReadinessData> {
    const [statuses, evidence, signoffs, waivers, policies] = await Promise.all([
      this.store.getDocuments<StatusDocument>(Collections.status),
      this.store.getDocuments(Collections.evidence),
      this.store.getDocuments<SignOffDocument>(Collections.signoffs),
      this.store.getDocuments<WaiverDocument>(Collections.waivers),
      this.store.getDocuments<PolicyDocument>(HubCollections.policies),
    ]);
    return { statuses, evidence, signoffs, waivers, policies };
  }

  updateWaivers(
    service: string,
    environment: string,
    change: (current: WaiverDocument | undefined) => WaiverDocument,
  ): Promise<WaiverDocument> {
    return updateWithRetry(this.store, Collections.waivers, subjectKey(service, environment), change);
  }

  async runEvidence(build: BuildRef): Promise<unknown[]> {
    const what = `read the evidence attached to run ${build.buildId}`;
    let attachments;
    try {
      attachments = await getClient(BuildRestClient).getAttachments(build.project, build.buildId, EVIDENCE_ATTACHMENT_TYPE);
    } catch (error) {
      throw toHubError(error, 'build', what);
    }
    const token = await SDK.getAccessToken();
    const documents: unknown[] = [];
    for (const attachment of attachments) {
      const href = (attachment as { _links?: { self?: { href?: string } } })._links?.self?.href;
      if (!href) continue;
      let response: Response;
      try {
        response = await fetch(href, { headers: { Authorization: `Bearer ${token}` } });
      } catch (error) {
        throw toHubError(error, 'build', what);
      }
      if (!response.ok) throw toHubError({ status: response.status, message: response.statusText }, 'build', what);
      const text = await response.text();
      try {
        documents.push(JSON.parse(text));
      } catch {
        // Kept and shown as invalid evidence rather than hidden.
        documents.push({ invalidJson: true, name: attachment.name, text: text.slice(0, 200) });
      }
    }
    return documents;
  }
}

export { HubError };
