import { InfrastructureError } from '../errors';
import { DocumentExistsError, type DocumentStore, EtagConflictError, type StoredDocument } from '../store/documentStore';
import { type AzdoHttp, type AzdoResponse, describeUrl, serviceError } from './http';
import { isAuthRefusal, refusal } from './refusals';
import { listOf } from './builds';
import { extensionDocumentsUrl } from './urls';

/**
 * The extension-data document store over REST (ado-extensions.md §1.5, §4.1), in the `Default/Current` scope, so the
 * pipeline tasks share one document model with the hub and the local file store (src/store/documentStore.ts):
 * POST create, PUT set (upsert), PATCH update, GET get / list, DELETE.
 *
 * The service's refusals become the store's errors: a stale `__etag` (InvalidDocumentVersionException) becomes
 * EtagConflictError, creating an existing id (DocumentAlreadyExistsException) becomes DocumentExistsError, a missing
 * document is `undefined`, and a missing collection (404, collections exist only once they hold a document) is empty.
 */
export interface ExtensionDataLocation {
  extensionDataUri: string;
  publisher: string;
  extensionId: string;
}

const CONFLICT_TYPES = /InvalidDocumentVersion/i;
const EXISTS_TYPES = /DocumentAlreadyExists|DocumentExists/i;
/** A 404 about the document or its collection means "not there yet"; any other 404 is a setup problem. */
const ABSENT_TYPES = /DoesNotExist|NotFound/i;

export class ExtensionDataStore implements DocumentStore {
  constructor(
    private readonly http: AzdoHttp,
    readonly location: ExtensionDataLocation,
  ) {}

  /** The URL of one document; also what release gates and environment checks call (docs/gates-and-checks.md). */
  documentUrl(collection: string, id?: string): string {
    const { extensionDataUri, publisher, extensionId } = this.location;
    return extensionDocumentsUrl(extensionDataUri, publisher, extensionId, collection, id);
  }

  async getDocument<T extends StoredDocument>(collection: string, id: string): Promise<T | undefined> {
    const url = this.documentUrl(collection, id);
    const response = await this.http.send('GET', url);
    if (response.status === 200 && !isAuthRefusal(response)) return response.body as T;
    if (response.status === 404 && this.isAbsent(response)) return undefined;
    throw this.failure('GET', url, response, `read ${collection}/${id}`, 'read');
  }

  async getDocuments<T extends StoredDocument>(collection: string): Promise<T[]> {
    const url = this.documentUrl(collection);
    const response = await this.http.send('GET', url);
    if (response.status === 200 && !isAuthRefusal(response)) return listOf(response.body) as T[];
    if (response.status === 404 && this.isAbsent(response)) return [];
    throw this.failure('GET', url, response, `list ${collection}`, 'read');
  }

  async createDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T> {
    const url = this.documentUrl(collection);
    const response = await this.http.send('POST', url, { body: doc });
    if (isWritten(response)) return response.body as T;
    const { typeKey } = serviceError(response.body);
    if (EXISTS_TYPES.test(typeKey) || response.status === 409) throw new DocumentExistsError(collection, doc.id);
    throw this.failure('POST', url, response, `create ${collection}/${doc.id}`, 'write');
  }

  async updateDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T> {
    const url = this.documentUrl(collection);
    const response = await this.http.send('PATCH', url, { body: doc });
    if (isWritten(response)) return response.body as T;
    // A stale etag, and a document deleted under us, both mean: re-read and decide again.
    if (this.isConflict(response) || (response.status === 404 && this.isAbsent(response))) {
      throw new EtagConflictError(collection, doc.id);
    }
    throw this.failure('PATCH', url, response, `update ${collection}/${doc.id}`, 'write');
  }

  async setDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T> {
    const url = this.documentUrl(collection);
    const response = await this.http.send('PUT', url, { body: doc });
    if (isWritten(response)) return response.body as T;
    if (this.isConflict(response)) throw new EtagConflictError(collection, doc.id);
    throw this.failure('PUT', url, response, `write ${collection}/${doc.id}`, 'write');
  }

  async deleteDocument(collection: string, id: string): Promise<void> {
    const url = this.documentUrl(collection, id);
    const response = await this.http.send('DELETE', url);
    const deleted = response.status >= 200 && response.status < 300 && !isAuthRefusal(response, false);
    if (deleted || (response.status === 404 && this.isAbsent(response))) return;
    throw this.failure('DELETE', url, response, `delete ${collection}/${id}`, 'write');
  }

  private isConflict(response: AzdoResponse): boolean {
    const { typeKey } = serviceError(response.body);
    return CONFLICT_TYPES.test(typeKey) || (response.status === 409 && !EXISTS_TYPES.test(typeKey));
  }

  private isAbsent(response: AzdoResponse): boolean {
    const { typeKey } = serviceError(response.body);
    // An uninstalled extension, an unknown route or host is a setup problem, never an empty collection.
    if (/Extension|Route|Host/i.test(typeKey)) return false;
    if (ABSENT_TYPES.test(typeKey)) return true;
    // An untyped 404 with an empty or JSON body is the service's; an HTML page is some other server's.
    return typeKey === '' && !(typeof response.body === 'string' && response.body.trim() !== '');
  }

  private failure(method: string, url: string, response: AzdoResponse, what: string, access: 'read' | 'write'): InfrastructureError {
    const { publisher, extensionId } = this.location;
    const action = `${what} in the extension data of ${publisher}.${extensionId}`;
    if (response.status === 404) {
      return new InfrastructureError(
        `Could not ${action}: ${describeUrl(url)} answered 404 (${serviceError(response.body).typeKey || 'not found'}). ` +
          'Check that the extension is installed in this organization, that the publisher and extension id are right ' +
          '(the development build\'s "-dev" id keeps its data apart), and that the extension-data URI is right.',
      );
    }
    return refusal(this.http, response, {
      method,
      url,
      action,
      permission:
        `the project build service identity lacks permission to ${access} extension data of ${publisher}.${extensionId}. ` +
        'If your organization does not allow it, turn the status document off and read the status from the gate ' +
        "task's build attachment instead (docs/gates-and-checks.md)",
    });
  }
}

function isWritten(response: AzdoResponse): boolean {
  return response.status >= 200 && response.status < 300 && !isAuthRefusal(response);
}
