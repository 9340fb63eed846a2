import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runDemo } from '../demo/demo';
import { ConfigError, ExitCode } from '../errors';
import type { CliIO } from './io';
import { defaultHubDir } from './serve';

const USAGE = `Usage: readiness demo [options]

Runs the whole flow on this machine with embedded defaults: a sample service, a load test on the embedded
engine, a restore drill on an embedded PostgreSQL (PGlite), the runbook check, the sample policy, and the
Readiness hub on 127.0.0.1. Nothing needs a network besides loopback.

  --no-serve         run everything, print the verdict, and exit with the gate's exit code
  --port N           hub port, 0 picks a free one (default: 7341)
  --load-seconds S   load-test duration in seconds (default: 10)
  --store DIR        local store shared with "readiness serve" (default: .readiness/store)
  --dir DIR          where evidence and HTML reports go (default: .readiness/demo)

Exit codes: 0 ready, 1 not ready (expected until someone signs off), 2 bad arguments, 3 infrastructure error.
`;

export async function demoCommand(args: string[], io: CliIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'no-serve': { type: 'boolean' },
        port: { type: 'string' },
        'load-seconds': { type: 'string' },
        store: { type: 'string' },
        dir: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run "readiness demo --help" for usage.`);
  }
  if (values.help) {
    io.stdout(USAGE);
    return ExitCode.passed;
  }
  const port = Number(values.port ?? 7341);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port "${values.port}" is not a port number; use 0-65535.`);
  const loadSeconds = Number(values['load-seconds'] ?? 10);
  if (!Number.isInteger(loadSeconds) || loadSeconds < 1) throw new ConfigError(`--load-seconds "${values['load-seconds']}" must be a whole number of seconds, 1 or more.`);
  return runDemo({
    workDir: path.resolve(io.cwd, values.dir ?? '.readiness/demo'),
    storeDir: path.resolve(io.cwd, values.store ?? '.readiness/store'),
    serve: !values['no-serve'],
    port,
    loadSeconds,
    hubDir: defaultHubDir(),
    signal: io.signal,
    log: (line) => io.stderr(`${line}\n`),
    announce: (url) => io.stdout(`${url}\n`),
  });
}
