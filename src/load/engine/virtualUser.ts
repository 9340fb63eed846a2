import type { Dispatcher } from 'undici';
import { CsvCursor } from '../csvData';
import { extractValue } from '../extract';
import { renderTemplate } from '../template';
import type { PlannedRequest } from '../urlTest';
import type { Recorder, RequestSlot } from './recorder';

/**
 * A virtual user: runs its scenario's requests in order and is its own undici dispatch handler, so the hot path
 * creates no promise, closure or handler object per request. Requests without run-time variables reuse one
 * prebuilt dispatch options object.
 */
export interface RuntimeRequest {
  planned: PlannedRequest;
  slot: RequestSlot;
  /** Prebuilt options when nothing in the request varies. */
  fixedOptions?: Dispatcher.DispatchOptions;
  /** Response bodies are kept only for requests that extract variables. */
  needsBody: boolean;
}

export interface RuntimeScenario {
  requests: RuntimeRequest[];
  csv: CsvCursor[];
}

/** What the users share: counters, pools and the run's state. */
export interface RunContext {
  recorder: Recorder;
  /** Set at the end of the run: no new iteration starts. */
  stopping: boolean;
  /** Set when results are final: late responses are ignored. */
  closed: boolean;
  inFlight: number;
  /** Sum of the times from writing a request to its response's end, and how many: the service's own time. */
  sendToResponseMs: number;
  responses: number;
  requestTimeoutMs: number;
  /** A new keep-alive connection to `origin`, owned by one user (closed when the run ends). */
  newClient(origin: string): Dispatcher;
  noteNetworkError(request: string, error: Error): void;
  /** Called when a user finishes an iteration; the scheduler decides what it does next. */
  iterationDone(user: VirtualUser, lastFailed: boolean): void;
}

export class VirtualUser implements Dispatcher.DispatchHandler {
  /** Scheduler bookkeeping (closed model: running/retiring; open model: busy). */
  state: 'idle' | 'running' | 'retiring' = 'idle';
  /** A request is sent and neither its response nor its error has come: the end of the run counts it unfinished. */
  awaitingResponse = false;
  private readonly vars: Record<string, string | undefined> = {};
  private index = 0;
  private startedAt = 0;
  /** When the request was actually written; differs from startedAt when an open-model arrival waited for a user. */
  private sentAt = 0;
  private status = 0;
  private firstByteAt = 0;
  private chunks: Buffer[] = [];
  private current!: RuntimeRequest;
  private dispatcher!: Dispatcher;
  /** This user's own connections, by origin: no pool to search per request, and no user waits for another's. */
  private readonly clients = new Map<string, Dispatcher>();
  private lastOrigin = '';
  private lastClient: Dispatcher | undefined;
  private readonly sendNext = () => this.send(NaN);
  /** Starts the next iteration now (closed model); prebound so looping allocates nothing. */
  readonly nextIteration = () => this.startIteration(NaN);

  constructor(private readonly run: RunContext, private readonly scenario: RuntimeScenario) {}

  /**
   * Starts one pass over the scenario. `intendedStart` (performance.now() milliseconds) is the open model's
   * scheduled time: the first request's latency counts from it, including any wait for a free user.
   */
  startIteration(intendedStart: number): void {
    this.index = 0;
    const csv = this.scenario.csv;
    for (let i = 0; i < csv.length; i++) csv[i].fill(this.vars);
    this.send(intendedStart);
  }

  private send(intendedStart: number): void {
    // A send queued (microtask or retry pause) before the run closed must not open a new connection afterwards:
    // that socket would keep the process alive after a cancelled run.
    if (this.run.closed) return;
    const request = this.scenario.requests[this.index];
    this.current = request;
    this.status = 0;
    if (request.needsBody) this.chunks.length = 0;
    const options = request.fixedOptions ?? this.buildOptions(request);
    if (request.fixedOptions) this.dispatcher = this.clientFor(request.planned.origin!);
    const now = performance.now();
    this.sentAt = now;
    this.startedAt = intendedStart === intendedStart ? intendedStart : now;
    this.run.inFlight++;
    this.awaitingResponse = true;
    try {
      this.dispatcher.dispatch(options, this);
    } catch (error) {
      this.onResponseError(undefined, error as Error);
    }
  }

  /** Renders a request with this user's variables (CSV row, extracted values). */
  private buildOptions(request: RuntimeRequest): Dispatcher.DispatchOptions {
    const p = request.planned;
    let url = renderTemplate(p.endpoint, this.vars);
    for (let i = 0; i < p.query.length; i++) {
      url += (i === 0 && !url.includes('?') ? '?' : '&') + p.query[i].key + '=' + renderTemplate(p.query[i].value, this.vars);
    }
    let path: string;
    if (p.origin) {
      this.dispatcher = this.clientFor(p.origin);
      path = url.slice(p.origin.length) || '/';
    } else {
      const parsed = new URL(url);
      this.dispatcher = this.clientFor(parsed.origin);
      path = parsed.pathname + parsed.search;
    }
    const headers: string[] = [];
    for (let i = 0; i < p.headers.length; i++) headers.push(p.headers[i].name, safeHeaderValue(renderTemplate(p.headers[i].value, this.vars)));
    return dispatchOptions(p.method, safePath(path), headers, p.body ? renderTemplate(p.body, this.vars) : undefined, this.run.requestTimeoutMs);
  }

  /** Read by RawHttpClient: bodies are only handed over when a variable is extracted from them. */
  get wantsBody(): boolean {
    return this.current.needsBody;
  }

  private clientFor(origin: string): Dispatcher {
    if (origin === this.lastOrigin) return this.lastClient!;
    let client = this.clients.get(origin);
    if (!client) {
      client = this.run.newClient(origin);
      this.clients.set(origin, client);
    }
    this.lastOrigin = origin;
    this.lastClient = client;
    return client;
  }

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
    this.firstByteAt = performance.now();
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    // A copy: the raw client reads into a shared buffer that the next read overwrites.
    if (this.current.needsBody) this.chunks.push(Buffer.from(chunk));
  }

  onResponseEnd(): void {
    const run = this.run;
    run.inFlight--;
    this.awaitingResponse = false;
    if (run.closed) return;
    const startedAt = this.startedAt;
    const now = performance.now();
    run.recorder.response(this.current.slot, (now - startedAt) * 1000, (this.firstByteAt - startedAt) * 1000, this.status);
    run.sendToResponseMs += now - this.sentAt;
    run.responses++;
    if (this.current.needsBody && this.status < 400) this.extract();
    this.advance(false);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    const run = this.run;
    run.inFlight--;
    this.awaitingResponse = false;
    if (run.closed) return;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') this.recordWait(performance.now(), false);
    else run.recorder.networkError(this.current.slot);
    run.noteNetworkError(this.current.planned.name, error);
    this.advance(true);
  }

  /**
   * The run ends while this user's request is unanswered: it counts as an unfinished network error whose latency is
   * the time from its (intended) start to `endedAt`. Returns that wait in milliseconds.
   */
  recordUnfinished(endedAt: number): number {
    this.awaitingResponse = false;
    return this.recordWait(endedAt, true);
  }

  /** The request that is currently sent, for the scheduler's end-of-run note. */
  get currentSlot(): RequestSlot {
    return this.current.slot;
  }

  private recordWait(until: number, unfinished: boolean): number {
    const startedAt = this.startedAt;
    const waited = until - startedAt;
    // Headers that came before a body timeout give a real first-byte time; otherwise the first byte never came.
    const firstByte = this.status ? this.firstByteAt - startedAt : waited;
    this.run.recorder.waitedInVain(this.current.slot, waited * 1000, firstByte * 1000, unfinished);
    return waited;
  }

  private extract(): void {
    const body = Buffer.concat(this.chunks).toString('utf8');
    const extractors = this.current.planned.extractors;
    for (let i = 0; i < extractors.length; i++) {
      const value = extractValue(extractors[i], body);
      if (value !== undefined) this.vars[extractors[i].variableName] = value;
    }
  }

  private advance(failed: boolean): void {
    this.index++;
    if (this.index < this.scenario.requests.length && !this.run.stopping) {
      // Never dispatch from inside undici's callback; a network error pauses briefly so a dead target does not
      // turn the generator into a busy loop.
      if (failed) setTimeout(this.sendNext, 10);
      else queueMicrotask(this.sendNext);
      return;
    }
    this.run.iterationDone(this, failed);
  }
}

/**
 * undici refuses a path with spaces or non-ASCII characters, and a header value with a line break, by throwing
 * inside dispatch, which also leaves that connection marked busy. Values from CSV rows or responses can contain
 * them, so they are made safe before dispatch: such characters are percent-encoded in the path and line breaks
 * become spaces in header values.
 */
export function safePath(path: string): string {
  return UNSAFE_PATH.test(path) ? path.replace(UNSAFE_PATH_ALL, (c) => encodeURIComponent(c)) : path;
}
const UNSAFE_PATH = /[^\x21-\x7e]/;
const UNSAFE_PATH_ALL = /[^\x21-\x7e]/g;

export function safeHeaderValue(value: string): string {
  return UNSAFE_HEADER.test(value) ? value.replace(UNSAFE_HEADER_ALL, ' ') : value;
}
const UNSAFE_HEADER = /[\r\n\0]/;
const UNSAFE_HEADER_ALL = /[\r\n\0]/g;

export function dispatchOptions(method: string, path: string, headers: string[], body: string | undefined, timeoutMs: number): Dispatcher.DispatchOptions {
  return { method: method as Dispatcher.HttpMethod, path, headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
}
