'use strict';
/**
 * Loopback servers with a known limit, for the capacity search's acceptance tests. Run in a child process
 * (fork), so the generator under test and the server do not share one event loop; the parent gets the port over
 * IPC. Modes (argv[2] is JSON):
 *   queue:  at most `servers` requests in service at once, each taking `serviceMs`, the rest queued (FIFO):
 *           capacity servers / serviceMs * 1000 requests/s. Service is scheduled in virtual time (each request's
 *           finish time is computed on arrival), so timer lateness delays single answers but never lowers the
 *           capacity.
 *   errors: answers in `serviceMs`; above `aboveRps` (arrivals over the last second) it answers 503 to every
 *           `failEvery`th request.
 *   slow:   answers in `serviceMs`; above `aboveRps` every answer takes `slowMs` instead (no queue: throughput holds).
 *   fast:   answers at once.
 *   raw:    answers at once from a plain TCP server that only counts request heads (no HTTP parser, one prebuilt
 *           answer per head), optionally a JSON body of `bodyItems` items. It does no work per request beyond a read
 *           and a write; a generator that extracts a value from each JSON answer does far more, so it saturates first.
 *   fixed:  answers every request after `serviceMs`; a fractional time is dithered (20.2 waits 21 ms one time in
 *           five, 20 ms otherwise), and the parent may change it between runs with an IPC message { serviceMs }
 *           (the regression baselines' acceptance: three runs at 20 ms, then 24 ms or 20.2 ms).
 */
const http = require('node:http');
const net = require('node:net');

const options = JSON.parse(process.argv[2] || '{}');
const freeAt = new Array(options.servers || 1).fill(0);
const arrivals = [];
let count = 0;

function recentRate(now) {
  arrivals.push(now);
  while (arrivals.length && arrivals[0] <= now - 1000) arrivals.shift();
  return arrivals.length;
}

const server = http.createServer((req, res) => {
  req.resume();
  const now = performance.now();
  const answer = (status, delayMs) => {
    const send = () => res.writeHead(status, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
    if (delayMs <= 0) send();
    else setTimeout(send, delayMs);
  };
  count++;
  switch (options.mode) {
    case 'queue': {
      let best = 0;
      for (let i = 1; i < freeAt.length; i++) if (freeAt[i] < freeAt[best]) best = i;
      const start = Math.max(now, freeAt[best]);
      freeAt[best] = start + options.serviceMs;
      return answer(200, freeAt[best] - now);
    }
    case 'errors': {
      const rate = recentRate(now);
      return answer(rate > options.aboveRps && count % options.failEvery === 0 ? 503 : 200, options.serviceMs);
    }
    case 'fixed': {
      const whole = Math.floor(options.serviceMs);
      return answer(200, whole + (Math.random() < options.serviceMs - whole ? 1 : 0));
    }
    case 'slow': {
      const rate = recentRate(now);
      return answer(200, rate > options.aboveRps ? options.slowMs : options.serviceMs);
    }
    default:
      return answer(200, 0);
  }
});
server.keepAliveTimeout = 60_000;

const BODY = options.bodyItems
  ? JSON.stringify({ items: Array.from({ length: options.bodyItems }, (_, i) => ({ id: i + 1, name: `item-${i + 1}`, price: (i * 7) % 100, tags: ['a', 'b'] })) })
  : 'ok';
const ANSWER = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: ${options.bodyItems ? 'application/json' : 'text/plain'}\r\ncontent-length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`);
const END = Buffer.from('\r\n\r\n');
const raw = net.createServer((socket) => {
  socket.setNoDelay(true);
  let carry = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let heads = 0;
    let from = 0;
    for (let at = data.indexOf(END, from); at !== -1; at = data.indexOf(END, from)) {
      heads++;
      from = at + END.length;
    }
    carry = data.subarray(from);
    count += heads;
    if (heads === 1) socket.write(ANSWER);
    else if (heads > 1) socket.write(Buffer.concat(Array(heads).fill(ANSWER)));
  });
  socket.on('error', () => socket.destroy());
});
(options.mode === 'raw' ? raw : server).listen(0, '127.0.0.1', function () {
  process.send({ port: this.address().port });
});
process.on('message', (m) => {
  if (typeof m?.serviceMs === 'number') options.serviceMs = m.serviceMs;
  process.send({ serviceMs: options.serviceMs });
});
process.on('disconnect', () => process.exit(0));
