'use strict';
// Preloaded with `node --require`: prints the whole process's CPU time (user + system, microseconds) to fd 3 when
// it exits, start-up and module loading included. bench/generator-cost.ts reads it.
const fs = require('node:fs');
process.on('exit', () => {
  const u = process.cpuUsage();
  try { fs.writeSync(3, `${JSON.stringify({ cpuMicros: u.user + u.system })}\n`); } catch { /* fd 3 not open: not run by the bench */ }
});
