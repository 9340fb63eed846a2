// A tiny HTTP service: GET /health answers {"status":"ok","version":...}, or 503 when SERVICE_HEALTHY=0.
// Writes its pid once listening. Usage: node service.js PORT PID_FILE VERSION
const { createServer } = require('node:http');
const { writeFileSync } = require('node:fs');

const [port, pidFile, version] = process.argv.slice(2);
const server = createServer((req, res) => {
  if (req.url === '/health' && process.env.SERVICE_HEALTHY === '0') {
    res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'unhealthy', version }));
  } else if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', version }));
  } else {
    res.writeHead(404).end();
  }
});
server.listen(Number(port), '127.0.0.1', () => writeFileSync(pidFile, String(process.pid)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
