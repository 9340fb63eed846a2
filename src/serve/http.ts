import type { IncomingMessage, ServerResponse } from 'node:http';

/** Small helpers shared by the local REST routes. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly typeKey = 'ReadinessServeException',
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}

/** Error bodies follow the Azure DevOps shape (`message`, `typeKey`) so the SDK's Fetch layer reads them. */
export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, { $id: '1', message: error.message, typeKey: error.typeKey, typeName: error.typeKey });
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
}

/**
 * `decodeURIComponent` that answers 400 instead of throwing `URIError` ("URI malformed") on a broken
 * percent-escape such as `%E0%A4%A`; `what` names the part of the URL in the message.
 */
export function decodePathPart(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `The ${what} "${raw.slice(0, 200)}" is not valid percent-encoding (UTF-8 bytes written as %XX); encode it with encodeURIComponent.`);
  }
}
