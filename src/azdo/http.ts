import { InfrastructureError } from '../errors';

/**
 * The one way this module talks to Azure DevOps REST: Node's fetch, a bearer token, a bounded timeout per attempt,
 * and a few retries on 5xx / 429 (honouring Retry-After, capped so a huge value cannot stall a pipeline). HTTP
 * statuses are returned to the caller, who knows which remedy to name; only faults (no response at all) throw here.
 *
 * The token is sent only in the Authorization header and is scrubbed from every message we build, because error
 * text ends up in pipeline logs, evidence and the hub.
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpSettings {
  accessToken: string;
  /**
   * How the token is sent. A job token or an Entra token goes as `Bearer`; a personal access token must go as
   * `Basic` with an empty user name (learn.microsoft.com, "Use personal access tokens", REST section). Default Bearer.
   */
  scheme?: 'Bearer' | 'Basic';
  fetch?: FetchLike;
  /** Milliseconds before one attempt is abandoned. Default 30 s: a gate or task must never hang on a stuck call. */
  timeoutMs?: number;
  /** Retries after the first attempt for 5xx, 429 and (for reads) network faults. Default 2. */
  maxRetries?: number;
  /** First back-off when the service gives no Retry-After. Default 500 ms, doubling. */
  retryDelayMs?: number;
  /** Upper bound on a Retry-After the service asks for. Default 30 s. */
  maxRetryAfterSeconds?: number;
}

export const HTTP_DEFAULTS = Object.freeze({ scheme: 'Bearer' as const, timeoutMs: 30_000, maxRetries: 2, retryDelayMs: 500, maxRetryAfterSeconds: 30 });

export interface AzdoResponse {
  status: number;
  /** Parsed JSON when the body is JSON, else the text. */
  body: unknown;
  bytes: Buffer;
  contentType: string;
}

export interface SendOptions {
  body?: unknown;
  accept?: string;
}

const RETRIED_STATUSES = new Set([429, 500, 502, 503, 504]);

export class AzdoHttp {
  private readonly fetch: FetchLike;
  private readonly settings: Required<Omit<HttpSettings, 'fetch'>>;

  constructor(settings: HttpSettings) {
    this.fetch = settings.fetch ?? ((input, init) => fetch(input, init));
    this.settings = { ...HTTP_DEFAULTS, ...dropUndefined(settings) } as Required<Omit<HttpSettings, 'fetch'>>;
  }

  async send(method: string, url: string, options: SendOptions = {}): Promise<AzdoResponse> {
    const retriesFaults = method === 'GET' || method === 'DELETE';
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetch(url, {
          method,
          headers: {
            authorization: this.authorization(),
            accept: options.accept ?? 'application/json',
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(this.settings.timeoutMs),
          redirect: 'manual',
        });
      } catch (error) {
        // A write that may have reached the service is not repeated blindly; the caller's etag logic decides.
        if (retriesFaults && attempt < this.settings.maxRetries) {
          await sleep(this.backoff(attempt));
          continue;
        }
        throw this.fault(method, url, error);
      }
      if (RETRIED_STATUSES.has(response.status) && attempt < this.settings.maxRetries) {
        await response.arrayBuffer().catch(() => undefined);
        await sleep(this.retryAfter(response, attempt));
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = Buffer.from(await response.arrayBuffer());
      } catch (error) {
        throw this.fault(method, url, error);
      }
      const contentType = response.headers.get('content-type') ?? '';
      return { status: response.status, body: parseBody(bytes, contentType), bytes, contentType };
    }
  }

  private authorization(): string {
    const { accessToken, scheme } = this.settings;
    return scheme === 'Basic' ? `Basic ${Buffer.from(`:${accessToken}`).toString('base64')}` : `Bearer ${accessToken}`;
  }

  /** Removes the token from any text before it leaves this module. */
  redact(text: string): string {
    const token = this.settings.accessToken;
    let out = text.replace(/(bearer\s+)[^\s"',]+/gi, '$1***');
    if (token && token.length >= 4) {
      out = out.split(token).join('***');
      out = out.split(Buffer.from(`:${token}`).toString('base64')).join('***');
    }
    return out;
  }

  private fault(method: string, url: string, error: unknown): InfrastructureError {
    const where = describeUrl(url);
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    if (timedOut) {
      return new InfrastructureError(
        `Azure DevOps did not answer ${method} ${where} within ${Math.round(this.settings.timeoutMs / 1000)} s; ` +
          'check that the agent can reach the host (proxy, firewall) and retry.',
        { cause: error },
      );
    }
    const reason = this.redact(rootCause(error));
    if (/Proxy response \(407\)/.test(reason)) {
      return new InfrastructureError(
        `The agent's proxy refused its credentials (407) when reaching ${where}; check Agent.ProxyUsername and ` +
          'Agent.ProxyPassword in the agent configuration.',
        { cause: error },
      );
    }
    if (/CERT|UNABLE_TO_VERIFY|SELF_SIGNED/i.test(reason)) {
      return new InfrastructureError(
        `The certificate of ${where} is not trusted (${reason}). For Azure DevOps Server behind an internal ` +
          'certificate authority, give the agent its CA with NODE_EXTRA_CA_CERTS; TLS checks are never turned off.',
        { cause: error },
      );
    }
    return new InfrastructureError(
      `Could not reach Azure DevOps at ${where} (${method}): ${reason || 'network failure'}. ` +
        'Check that the agent can reach the host (proxy, firewall, DNS) and retry.',
      { cause: error },
    );
  }

  private retryAfter(response: Response, attempt: number): number {
    const header = response.headers.get('retry-after');
    if (header === null) return this.backoff(attempt);
    const seconds = Number(header);
    const wanted = Number.isFinite(seconds) ? seconds : Math.max(0, (Date.parse(header) - Date.now()) / 1000);
    return Math.min(Number.isFinite(wanted) ? wanted : 1, this.settings.maxRetryAfterSeconds) * 1000;
  }

  private backoff(attempt: number): number {
    return this.settings.retryDelayMs * 2 ** attempt;
  }
}

/** fetch wraps the real fault in `cause`, sometimes twice (a proxy refusal); the innermost one says what happened. */
function rootCause(error: unknown): string {
  let reason = '';
  for (let current = error as { cause?: unknown; code?: unknown; message?: unknown } | undefined, depth = 0; current && depth < 5; depth++) {
    const text = [typeof current.code === 'string' ? current.code : '', typeof current.message === 'string' ? current.message : '']
      .filter(Boolean)
      .join(' ');
    if (text) reason = text;
    current = current.cause as typeof current;
  }
  return reason;
}

/** Host and path of a URL, without the query: what a person needs to find the call, nothing secret. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return url.split('?')[0];
  }
}

/** Azure DevOps errors come as `{ message, typeKey, ... }` (VSS exception shape). */
export function serviceError(body: unknown): { message: string; typeKey: string } {
  if (body && typeof body === 'object') {
    const { message, typeKey } = body as { message?: unknown; typeKey?: unknown };
    return { message: typeof message === 'string' ? message : '', typeKey: typeof typeKey === 'string' ? typeKey : '' };
  }
  return { message: '', typeKey: '' };
}

function parseBody(bytes: Buffer, contentType: string): unknown {
  const text = bytes.toString('utf8');
  if (!/json/i.test(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
