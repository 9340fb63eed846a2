import * as fs from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { rootCertificates } from 'node:tls';
import type { TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type HttpMethods,
  type Pipeline,
  type PipelinePolicy,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { CancelledError, InfrastructureError, ReadinessError } from '../errors';
import { removePartialFile } from './partialFile';
import { redactSecrets } from './secrets';

/**
 * The one HTTP pipeline shape every Azure call here goes through: retries on 408/5xx and network faults
 * (exponential, bounded), 429/503 honouring Retry-After (capped, so a huge value cannot hang the pipeline), an
 * optional extra trusted CA (for the local emulator; TLS verification is never turned off), and a bearer token for
 * the given scope. SAS downloads use a pipeline without the token: a SAS URL carries its own authorisation and the
 * storage service rejects an unexpected Authorization header.
 */
export interface HttpOptions {
  credential?: TokenCredential;
  scope?: string;
  /** PEM of an extra CA to trust on top of the usual roots (tests point this at the emulator's throwaway CA). */
  caCertificate?: string;
  /** Retries after the first attempt. Default 4. */
  maxRetries?: number;
  /** First back-off for 5xx and network faults. Default 2000 ms, doubling, at most 30 s. */
  retryDelayMs?: number;
  /** Upper bound on any Retry-After the service sends. Default 60 s. */
  maxRetryAfterSeconds?: number;
}

const DEFAULTS = Object.freeze({ maxRetries: 4, retryDelayMs: 2000, maxRetryDelayMs: 30_000, maxRetryAfterSeconds: 60 });

export function createAzurePipeline(options: HttpOptions): Pipeline {
  const pipeline = createPipelineFromOptions({
    retryOptions: {
      maxRetries: options.maxRetries ?? DEFAULTS.maxRetries,
      retryDelayInMs: options.retryDelayMs ?? DEFAULTS.retryDelayMs,
      maxRetryDelayInMs: DEFAULTS.maxRetryDelayMs,
    },
    tlsOptions: options.caCertificate ? { ca: [...rootCertificates, options.caCertificate] } : undefined,
    userAgentOptions: { userAgentPrefix: 'production-readiness-azure-pipelines' },
  });
  // Runs inside the retry loop, so the retry policy sees the adjusted header.
  pipeline.addPolicy(boundedRetryAfterPolicy(options.maxRetryAfterSeconds ?? DEFAULTS.maxRetryAfterSeconds), {
    afterPhase: 'Retry',
  });
  if (options.credential && options.scope) {
    pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: options.scope }));
  }
  return pipeline;
}

/**
 * A 429 without Retry-After would not be retried by the stock strategies, and one with `Retry-After: 3600` would
 * wait an hour. Both become a bounded wait (5 s when absent). Azure Load Testing documents throttling with 429.
 */
function boundedRetryAfterPolicy(maxSeconds: number): PipelinePolicy {
  return {
    name: 'boundedRetryAfter',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status !== 429 && response.status !== 503) return response;
      const header = response.headers.get('retry-after');
      const seconds = header === undefined ? NaN : Number(header);
      const dated = header === undefined ? NaN : (Date.parse(header) - Date.now()) / 1000;
      const wanted = Number.isFinite(seconds) ? seconds : Number.isFinite(dated) ? Math.max(0, dated) : 5;
      response.headers.set('retry-after', String(Math.min(Math.ceil(wanted), maxSeconds)));
      response.headers.delete('retry-after-ms');
      response.headers.delete('x-ms-retry-after-ms');
      return response;
    },
  };
}

export interface SendOptions {
  body?: string | Buffer;
  contentType?: string;
  /** Extra request headers (the OIDC request sends its own Authorization). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Seconds before one attempt is abandoned. Default 120. */
  timeoutSeconds?: number;
}

export interface JsonResponse {
  status: number;
  body: unknown;
  headers: PipelineResponse['headers'];
}

export class AzureHttp {
  private readonly httpClient: HttpClient = createDefaultHttpClient();
  constructor(private readonly pipeline: Pipeline) {}

  /** Sends one request; never throws on an HTTP status (callers turn statuses into remedies), only on faults. */
  async send(method: HttpMethods, url: string, options: SendOptions = {}): Promise<JsonResponse> {
    const headers = createHttpHeaders({ accept: 'application/json' });
    if (options.contentType) headers.set('content-type', options.contentType);
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    const request = createPipelineRequest({
      url,
      method,
      headers,
      body: options.body,
      abortSignal: options.signal,
      timeout: (options.timeoutSeconds ?? 120) * 1000,
    });
    let response: PipelineResponse;
    try {
      response = await this.pipeline.sendRequest(this.httpClient, request);
    } catch (error) {
      throw this.fault(method, url, error, options.signal);
    }
    const text = response.bodyAsText ?? '';
    let body: unknown = text;
    if (text && /json/i.test(response.headers.get('content-type') ?? '')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: response.status, body, headers: response.headers };
  }

  /**
   * Streams a body into `file` (used for SAS URLs of result archives, which can be hundreds of MB: never held in
   * memory). Stops and removes the partial file past `maxBytes`. Returns the status and the bytes written.
   */
  async downloadTo(url: string, file: string, maxBytes: number, signal?: AbortSignal): Promise<{ status: number; bytes: number; tooLarge?: boolean }> {
    const request = createPipelineRequest({ url, method: 'GET', abortSignal: signal, timeout: 600_000 });
    request.streamResponseStatusCodes = new Set([200]);
    let response: PipelineResponse;
    try {
      response = await this.pipeline.sendRequest(this.httpClient, request);
    } catch (error) {
      throw this.fault('GET', url.split('?')[0], error, signal);
    }
    const body = response.readableStreamBody as Readable | undefined;
    if (response.status !== 200 || !body) return { status: response.status, bytes: 0 };
    let bytes = 0;
    const tooLarge = new Error('past the size cap');
    // pipeline listens to the file for errors from its opening to its close (a folder gone, a full disk): a write
    // error rejects here instead of killing the process, and every stream is destroyed with it.
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(bytes > maxBytes ? tooLarge : null, chunk);
      },
    });
    const out = fs.createWriteStream(file);
    try {
      await pipeline(body, counted, out);
    } catch (error) {
      await removePartialFile(out, file);
      if (error === tooLarge) return { status: 200, bytes, tooLarge: true };
      throw this.fault('GET', url.split('?')[0], error, signal);
    }
    return { status: 200, bytes };
  }

  private fault(method: string, url: string, error: unknown, signal?: AbortSignal): Error {
    if (signal?.aborted) return new CancelledError(`Cancelled while waiting for ${method} ${stripQuery(url)}.`);
    // Credential failures already carry a remedy (see credentials.ts).
    if (error instanceof ReadinessError) return error;
    const inner = (error as { cause?: unknown })?.cause;
    if (inner instanceof ReadinessError) return inner;
    const message = redactSecrets(error instanceof Error ? error.message : String(error));
    return new InfrastructureError(`Could not reach ${stripQuery(url)} (${method}): ${message}`, { cause: error });
  }
}

export function stripQuery(url: string): string {
  return url.split('?')[0];
}

/** The service's error text from an `Azure.Core.Foundations.ErrorResponse` body, for quoting in messages. */
export function serviceErrorText(body: unknown): string {
  if (body && typeof body === 'object' && 'error' in body) {
    const error = (body as { error?: { code?: string; message?: string } }).error;
    if (error) return redactSecrets([error.code, error.message].filter(Boolean).join(': '));
  }
  return typeof body === 'string' ? redactSecrets(body.slice(0, 500)) : '';
}
