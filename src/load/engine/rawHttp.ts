import * as net from 'node:net';
import type { Dispatcher } from 'undici';

/**
 * A minimal HTTP/1.1 client on one keep-alive socket, for plain `http:` origins. undici's general client does
 * more per request than a load generator needs (request objects, header validation, a WebAssembly parser); this
 * one writes a request prebuilt once per request definition and scans responses for only what it must know:
 * status, Content-Length, chunked encoding and Connection: close. bench/load-vs-autocannon.ts measures the
 * difference. https origins use undici's Client.
 *
 * It speaks the subset of undici's dispatch interface that VirtualUser uses, so the user does not care which it
 * got. One request at a time (no pipelining), like one user.
 */
export interface RawHandler extends Dispatcher.DispatchHandler {
  /** False when the response body is not needed: chunks are then counted, never handed over. */
  readonly wantsBody?: boolean;
}

const REQUEST_BYTES = Symbol('requestBytes');
const HEADER_END = Buffer.from('\r\n\r\n');
/** Shared by every socket's reads (see connect); 64 KiB, the default read size of a Node stream. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const CRLF = Buffer.from('\r\n');
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const enum State { Idle, Head, Length, ChunkSize, ChunkData, ChunkEnd, Trailers, UntilClose }

export class RawHttpClient {
  private socket: net.Socket | undefined;
  private handler: RawHandler | undefined;
  private state = State.Idle;
  private pending: Buffer | undefined;
  private remaining = 0;
  private closeAfter = false;
  private noBody = false;
  private timer: NodeJS.Timeout | undefined;
  private destroyed = false;
  /** For the one retry of a request that met a keep-alive connection the server had just closed. */
  private bytes: Buffer | undefined;
  private reused = false;
  private answered = false;
  private retryable = false;
  private readonly host: string;
  private readonly port: number;
  private readonly hostHeader: string;
  private readonly onTimeout = () => {
    if (this.handler) this.fail(Object.assign(new Error(`no response within ${this.timeoutMs} ms`), { code: 'UND_ERR_HEADERS_TIMEOUT' }));
  };

  constructor(origin: string, private readonly options: { connectTimeoutMs: number }, private timeoutMs = 30_000) {
    const url = new URL(origin);
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(url.port || 80);
    this.hostHeader = url.host;
  }

  dispatch(options: Dispatcher.DispatchOptions, handler: RawHandler): boolean {
    if (this.handler) throw new Error('RawHttpClient: one request at a time');
    if (this.destroyed) {
      handler.onResponseError?.(undefined as unknown as Dispatcher.DispatchController, Object.assign(new Error('the client was closed'), { code: 'UND_ERR_DESTROYED' }));
      return false;
    }
    const cached = options as Dispatcher.DispatchOptions & { [REQUEST_BYTES]?: Buffer };
    const bytes = cached[REQUEST_BYTES] ?? (cached[REQUEST_BYTES] = this.serialize(options));
    this.handler = handler;
    this.state = State.Head;
    this.noBody = options.method === 'HEAD';
    this.timeoutMs = options.headersTimeout ?? this.timeoutMs;
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(this.onTimeout, this.timeoutMs).unref();
    this.bytes = bytes;
    this.reused = this.socket !== undefined;
    this.answered = false;
    this.retryable = IDEMPOTENT.has(options.method);
    (this.socket ?? this.connect()).write(bytes);
    return true;
  }

  destroy(): Promise<void> {
    this.destroyed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.destroy();
    return Promise.resolve();
  }

  private serialize(o: Dispatcher.DispatchOptions): Buffer {
    const headers = (o.headers ?? []) as string[];
    let head = `${o.method} ${o.path} HTTP/1.1\r\n`;
    let hasHost = false;
    let hasLength = false;
    for (let i = 0; i < headers.length; i += 2) {
      if (headers[i] === 'host') hasHost = true;
      if (headers[i] === 'content-length') hasLength = true;
      head += `${headers[i]}: ${headers[i + 1]}\r\n`;
    }
    if (!hasHost) head += `host: ${this.hostHeader}\r\n`;
    const body = typeof o.body === 'string' ? Buffer.from(o.body) : undefined;
    if (!hasLength && (body || o.method === 'POST' || o.method === 'PUT' || o.method === 'PATCH')) head += `content-length: ${body?.length ?? 0}\r\n`;
    const start = Buffer.from(`${head}\r\n`, 'latin1');
    return body ? Buffer.concat([start, body]) : start;
  }

  private connect(): net.Socket {
    // Every socket reads into one shared buffer (onread) instead of a fresh Buffer per read: a load generator reads
    // tens of thousands of small responses a second, and those buffers were a large share of its garbage. It is
    // safe because each read is handled to the end inside the callback; bytes kept longer (a partial head or chunk
    // line, a body a user extracts from) are copied.
    const socket = net.connect({
      host: this.host, port: this.port, noDelay: true, keepAlive: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (bytes: number, buffer: Uint8Array) => {
          this.onData((buffer as Buffer).subarray(0, bytes));
          return true; // false would pause the socket
        },
      },
    });
    const connectTimer = setTimeout(() => socket.destroy(Object.assign(new Error(`connect timeout after ${this.options.connectTimeoutMs} ms`), { code: 'UND_ERR_CONNECT_TIMEOUT' })), this.options.connectTimeoutMs);
    socket.once('connect', () => clearTimeout(connectTimer));
    socket.on('error', (error) => {
      if (this.socket === socket && !this.retryOnFreshConnection()) this.fail(error);
    });
    socket.on('close', () => {
      clearTimeout(connectTimer);
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.state === State.UntilClose) this.finish();
      else if (this.handler && !this.retryOnFreshConnection()) this.fail(Object.assign(new Error('the server closed the connection before the response ended'), { code: 'UND_ERR_SOCKET' }));
    });
    this.socket = socket;
    return socket;
  }

  /**
   * A server may close an idle keep-alive connection just as a request is written on it (Node's servers do after
   * 5 s). Such a request never reached the application, so an idempotent one is sent once more on a new
   * connection, as undici and browsers do, instead of being counted as an error of the service.
   */
  private retryOnFreshConnection(): boolean {
    if (this.destroyed || !this.handler || !this.reused || this.answered || !this.retryable || !this.bytes) return false;
    this.reused = false;
    const old = this.socket;
    this.socket = undefined;
    old?.destroy();
    this.state = State.Head;
    this.pending = undefined;
    this.connect().write(this.bytes);
    return true;
  }

  private fail(error: Error): void {
    const handler = this.handler;
    this.reset();
    this.socket?.destroy();
    this.socket = undefined;
    handler?.onResponseError?.(undefined as unknown as Dispatcher.DispatchController, error);
  }

  private reset(): void {
    this.handler = undefined;
    this.state = State.Idle;
    this.pending = undefined;
  }

  private finish(): void {
    const handler = this.handler!;
    const close = this.closeAfter;
    this.reset();
    if (close) {
      this.socket?.destroy();
      this.socket = undefined;
    }
    handler.onResponseEnd?.(undefined as unknown as Dispatcher.DispatchController, {});
  }

  private body(chunk: Buffer, start: number, end: number): void {
    if (end > start && this.handler!.wantsBody !== false) {
      this.handler!.onResponseData?.(undefined as unknown as Dispatcher.DispatchController, chunk.subarray(start, end));
    }
  }

  private onData(data: Buffer): void {
    if (!this.handler) return void this.socket?.destroy(); // bytes nobody asked for: the connection is unusable
    this.answered = true;
    this.timer?.refresh();
    let chunk = data;
    if (this.pending) {
      chunk = Buffer.concat([this.pending, data]);
      this.pending = undefined;
    }
    let i = 0;
    while (i < chunk.length && this.handler) {
      switch (this.state) {
        case State.Head: {
          const end = chunk.indexOf(HEADER_END, i);
          if (end < 0) return void (this.pending = Buffer.from(chunk.subarray(i)));
          i = this.head(chunk, i, end);
          break;
        }
        case State.Length: {
          const take = Math.min(this.remaining, chunk.length - i);
          this.body(chunk, i, i + take);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.finish();
          break;
        }
        case State.UntilClose:
          this.body(chunk, i, chunk.length);
          i = chunk.length;
          break;
        case State.ChunkSize: {
          const end = chunk.indexOf(CRLF, i);
          if (end < 0) return void (this.pending = Buffer.from(chunk.subarray(i)));
          const size = parseInt(chunk.toString('latin1', i, end).split(';')[0], 16);
          if (!(size >= 0)) return this.fail(Object.assign(new Error('invalid chunk size in the response'), { code: 'UND_ERR_SOCKET' }));
          i = end + 2;
          this.remaining = size;
          this.state = size === 0 ? State.Trailers : State.ChunkData;
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, chunk.length - i);
          this.body(chunk, i, i + take);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = State.ChunkEnd;
          break;
        }
        case State.ChunkEnd:
          if (chunk.length - i < 2) return void (this.pending = Buffer.from(chunk.subarray(i)));
          i += 2;
          this.state = State.ChunkSize;
          break;
        case State.Trailers: {
          // Trailer lines until an empty line ends the message.
          const end = chunk.indexOf(CRLF, i);
          if (end < 0) return void (this.pending = Buffer.from(chunk.subarray(i)));
          const empty = end === i;
          i = end + 2;
          if (empty) this.finish();
          break;
        }
        default:
          i = chunk.length;
      }
    }
  }

  /** Parses one response head; returns the offset after it. */
  private head(chunk: Buffer, start: number, end: number): number {
    const status = (chunk[start + 9] - 48) * 100 + (chunk[start + 10] - 48) * 10 + (chunk[start + 11] - 48);
    const next = end + 4;
    if (!(status >= 100 && status < 600)) {
      this.fail(Object.assign(new Error('the response is not HTTP/1.x'), { code: 'UND_ERR_SOCKET' }));
      return chunk.length;
    }
    if (status < 200) return next; // 100 Continue, 103 Early Hints: the real head follows
    const framing = scanHead(chunk, start, end);
    this.closeAfter = framing.close;
    this.handler!.onResponseStart?.(undefined as unknown as Dispatcher.DispatchController, status, {}, '');
    if (!this.handler) return chunk.length;
    if (this.noBody || status === 204 || status === 304) {
      this.finish();
      return next;
    }
    if (framing.chunked) {
      this.state = State.ChunkSize;
      return next;
    }
    if (framing.length >= 0) {
      this.remaining = framing.length;
      this.state = State.Length;
      if (this.remaining === 0) this.finish();
    } else {
      this.state = State.UntilClose;
      this.closeAfter = true;
    }
    return next;
  }
}

/** What the response head says about framing; one object reused, so scanning a head allocates nothing. */
const framing = { close: false, chunked: false, length: -1 };
const CONTENT_LENGTH = Buffer.from('content-length');
const CONNECTION = Buffer.from('connection');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const CLOSE = Buffer.from('close');
const CHUNKED = Buffer.from('chunked');

/**
 * Reads the three framing headers from the bytes of a response head (`start` at "HTTP/1.x", `end` at its blank
 * line) without making strings: per response, a string copy, a lower-cased copy and three regular expressions
 * were the generator's largest source of garbage. Header names are matched case-insensitively (RFC 9110 5.1).
 */
export function scanHead(chunk: Buffer, start: number, end: number): { close: boolean; chunked: boolean; length: number } {
  framing.close = chunk[start + 5] === 49 && chunk[start + 7] === 48; // HTTP/1.0 closes unless told otherwise
  framing.chunked = false;
  framing.length = -1;
  let line = chunk.indexOf(13, start) + 2; // the first header line, after the status line's CRLF
  while (line > 1 && line < end) {
    let eol = chunk.indexOf(13, line);
    if (eol < 0 || eol > end) eol = end;
    const first = chunk[line] | 0x20;
    if (first === 99 /* c */ || first === 116 /* t */) {
      const colon = chunk.indexOf(58, line);
      if (colon > 0 && colon < eol) {
        if (nameIs(chunk, line, colon, CONTENT_LENGTH)) {
          let n = 0;
          let digits = 0;
          for (let i = colon + 1; i < eol; i++) {
            const c = chunk[i];
            if (c >= 48 && c <= 57) {
              n = n * 10 + (c - 48);
              digits++;
            } else if (digits) break;
          }
          if (digits) framing.length = n;
        } else if (nameIs(chunk, line, colon, CONNECTION)) {
          if (contains(chunk, colon + 1, eol, CLOSE)) framing.close = true;
        } else if (nameIs(chunk, line, colon, TRANSFER_ENCODING)) {
          if (contains(chunk, colon + 1, eol, CHUNKED)) framing.chunked = true;
        }
      }
    }
    line = eol + 2;
  }
  return framing;
}

/** Whether bytes [from, to) spell `lower` (ASCII lower case), ignoring case. */
function nameIs(chunk: Buffer, from: number, to: number, lower: Buffer): boolean {
  if (to - from !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) if ((chunk[from + i] | 0x20) !== lower[i]) return false;
  return true;
}

/** Whether bytes [from, to) contain `lower` (ASCII lower case), ignoring case. */
function contains(chunk: Buffer, from: number, to: number, lower: Buffer): boolean {
  outer: for (let i = from; i + lower.length <= to; i++) {
    for (let j = 0; j < lower.length; j++) if ((chunk[i + j] | 0x20) !== lower[j]) continue outer;
    return true;
  }
  return false;
}
