import * as assert from 'node:assert/strict';
import { scanHead } from '../../src/load/engine/rawHttp';

/** The framing headers read from raw head bytes, as RawHttpClient sees them (head ends at the blank line). */
function scan(head: string, offset = 0) {
  const bytes = Buffer.from(`${'x'.repeat(offset)}${head}\r\n\r\nbody`, 'latin1');
  return { ...scanHead(bytes, offset, bytes.indexOf('\r\n\r\n', offset)) };
}

describe('load/rawHttp scanHead', () => {
  const cases: Array<{ name: string; head: string; offset?: number; want: { close: boolean; chunked: boolean; length: number } }> = [
    { name: 'content-length lower case', head: 'HTTP/1.1 200 OK\r\ncontent-length: 12', want: { close: false, chunked: false, length: 12 } },
    { name: 'Content-Length mixed case, spaces', head: 'HTTP/1.1 200 OK\r\nContent-LENGTH:    7 \r\nX-A: b', want: { close: false, chunked: false, length: 7 } },
    { name: 'no space after the colon', head: 'HTTP/1.1 200 OK\r\ncontent-length:0', want: { close: false, chunked: false, length: 0 } },
    { name: 'chunked among other codings', head: 'HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: gzip, Chunked', want: { close: false, chunked: true, length: -1 } },
    { name: 'Connection: close', head: 'HTTP/1.1 500 Oops\r\nConnection: close\r\ncontent-length: 3', want: { close: true, chunked: false, length: 3 } },
    { name: 'connection list with close', head: 'HTTP/1.1 200 OK\r\nconnection: keep-alive, CLOSE', want: { close: true, chunked: false, length: -1 } },
    { name: 'HTTP/1.0 closes', head: 'HTTP/1.0 200 OK\r\ncontent-length: 2', want: { close: true, chunked: false, length: 2 } },
    { name: 'a header whose name only starts like one', head: 'HTTP/1.1 200 OK\r\ncontent-length-x: 99\r\nconnectionx: close\r\ncontent-length: 4', want: { close: false, chunked: false, length: 4 } },
    { name: 'a value that mentions the name', head: 'HTTP/1.1 200 OK\r\nx-note: content-length: 5', want: { close: false, chunked: false, length: -1 } },
    { name: 'no headers at all', head: 'HTTP/1.1 204 No Content', want: { close: false, chunked: false, length: -1 } },
    { name: 'a head that does not start the buffer (pipelined bytes before it)', head: 'HTTP/1.1 200 OK\r\nContent-Length: 10', offset: 17, want: { close: false, chunked: false, length: 10 } },
  ];
  for (const c of cases) it(`scanHead: ${c.name}`, () => assert.deepEqual(scan(c.head, c.offset), c.want));
});
