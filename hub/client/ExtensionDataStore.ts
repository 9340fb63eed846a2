import { getClient } from 'azure-devops-extension-api';
import { ExtensionManagementRestClient } from 'azure-devops-extension-api/ExtensionManagement';
import {
  DocumentExistsError,
  DocumentStore,
  EtagConflictError,
  StoredDocument,
} from '../../src/store/documentStore';
import { toHubError } from './errors';

/**
 * The extension-data REST API (`_apis/ExtensionManagement/InstalledExtensions/{publisher}/{extension}
 * /Data/Scopes/Default/Current/Collections/{collection}/Documents`) behind the shared DocumentStore
 * interface, so the hub can use the same `updateWithRetry` as the CLI. Shared scope (`Default/Current`)
 * because sign-offs must be visible to everyone.
 */
const SCOPE_TYPE = 'Default';
const SCOPE_VALUE = 'Current';

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown })?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * A stale `__etag` is refused by the service. The exact status is not documented (data-storage.md only
 * says "an exception will be thrown"), so 409 and 412, and a 400 that names the document version or etag,
 * count as a conflict. (Not any 400 mentioning "version": an unsupported api-version must not be retried.)
 */
function isConflict(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 409 || status === 412) return true;
  const text = `${(error as Error)?.message ?? ''} ${JSON.stringify((error as { serverError?: unknown })?.serverError ?? '')}`;
  return status === 400 && /InvalidDocumentVersion|DocumentExists|__etag|document version/i.test(text);
}

export class ExtensionDataStore implements DocumentStore {
  private readonly rest: ExtensionManagementRestClient;

  constructor(
    private readonly publisher: string,
    private readonly extension: string,
    rest?: ExtensionManagementRestClient,
  ) {
    this.rest = rest ?? getClient(ExtensionManagementRestClient);
  }

  async getDocument<T extends StoredDocument>(collection: string, id: string): Promise<T | undefined> {
    try {
      return (await this.rest.getDocumentByName(this.publisher, this.extension, SCOPE_TYPE, SCOPE_VALUE, collection, id)) as T;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw toHubError(error, 'extension-data', `read ${collection}/${id}`);
    }
  }

  async getDocuments<T extends StoredDocument>(collection: string): Promise<T[]> {
    try {
      const result = (await this.rest.getDocumentsByName(this.publisher, this.extension, SCOPE_TYPE, SCOPE_VALUE, collection)) as
        | T[]
        | { value?: T[] };
      return Array.isArray(result) ? result : (result?.value ?? []);
    } catch (error) {
      // A collection exists only once its first document is written; until then the service answers 404.
      if (statusOf(error) === 404) return [];
      throw toHubError(error, 'extension-data', `read the ${collection} documents`);
    }
  }

  async createDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T> {
    try {
      return (await this.rest.createDocumentByName(doc, this.publisher, this.extension, SCOPE_TYPE, SCOPE_VALUE, collection)) as T;
    } catch (error) {
      if (isConflict(error)) throw new DocumentExistsError(collection, doc.id);
      throw toHubError(error, 'extension-data', `save ${collection}/${doc.id}`);
    }
  }

  async updateDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T> {
    try {
      return (await this.rest.updateDocumentByName(doc, this.publisher, this.extension, SCOPE_TYPE, SCOPE_VALUE, collection)) as T;
    } catch (error) {
      if (isConflict(error)) throw new EtagConflictError(collection, doc.id);
      throw toHubError(error, 'extension-data', `save ${collection}/${doc.id}`);
    }
  }

  async setDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T> {
    try {
      return (await this.rest.setDocumentByName(doc, this.publisher, this.extension, SCOPE_TYPE, SCOPE_VALUE, collection)) as T;
    } catch (error) {
      if (isConflict(error)) throw new EtagConflictError(collection, doc.id);
      throw toHubError(error, 'extension-data', `save ${collection}/${doc.id}`);
    }
  }

  async deleteDocument(collection: string, id: string): Promise<void> {
    try {
      await this.rest.deleteDocumentByName(this.publisher, this.extension, SCOPE_TYPE, SCOPE_VALUE, collection, id);
    } catch (error) {
      throw toHubError(error, 'extension-data', `delete ${collection}/${id}`);
    }
  }
}
