/**
 * `readiness`: the same engine as the pipeline tasks, outside Azure DevOps.
 * Exit codes (DESIGN.md): 0 passed, 1 the check ran and failed, 2 bad usage or input, 3 infrastructure.
 */
import { asReadinessError, ExitCode } from './errors';
import type { CliCommand, CliIO } from './cli/io';
import { commands } from './cli/commands';
import { maskSecrets } from './redact/secretMask';

export const usage = `Usage: readiness <command> [options]

Commands:
  loadtest --config FILE [--out DIR] [--duration S] [--vus N] [--env NAME=VALUE] [--secret NAME=env:VAR]
                        Run an Azure Load Testing URL test on the embedded engine and judge its failure criteria.
  capacity --config FILE [--out DIR] [--env NAME=VALUE]
                        Search for the highest request rate the service sustains within its service level.
  drill --config FILE [--out DIR] [--freshness-only] [--secret NAME=env:VAR]
                        Run a disaster-recovery drill and measure RTO and RPO (or only check backup freshness).
  gate --policy FILE --evidence DIR [--environment ENV] [--signoffs FILE] [--store DIR] [--version V] [--at TIME]
                        Evaluate a readiness policy: ready, warn or not ready, with every reason.
  serve [--store DIR] [--port N] [--user ID] [--group NAME] [--policy FILE] [--evidence DIR]
                        Serve the Readiness hub locally against the local store.
  setup --org URL --project NAME --template-repo NAME --template PATH [--policy FILE] [--environment ENV]
                        Create or correct the environment's Approvals, Required template and Branch control checks.
  demo [--no-serve] [--port N]
                        Run the whole flow on embedded defaults: load test, drill, docs, gate, hub.
  verify --config FILE [--out DIR] [--check NAME]
                        Check a production environment: TLS, security headers, DNS, health, monitoring, drift, watch.

Secrets are passed as --secret NAME=env:VAR or --secret-file NAME=PATH, never as values on the command line,
and are masked as *** in every output.
Exit codes: 0 passed, 1 check failed, 2 bad usage or input, 3 infrastructure error.
Run "readiness <command> --help" for a command's options.`;

export async function main(argv: string[], unmaskedIo: CliIO): Promise<number> {
  // Every line the CLI prints passes the one secret mask (src/redact/secretMask.ts).
  const io: CliIO = { ...unmaskedIo, stdout: (text) => unmaskedIo.stdout(maskSecrets(text)), stderr: (text) => unmaskedIo.stderr(maskSecrets(text)) };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${usage}\n`);
    return name ? ExitCode.passed : ExitCode.badInput;
  }
  const command: CliCommand | undefined = commands[name];
  if (!command) {
    io.stderr(`readiness: unknown command "${name}".\n\n${usage}\n`);
    return ExitCode.badInput;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    // Every subcommand's errors end here: one message naming the command, and for bad input where to read usage.
    const failure = asReadinessError(error);
    io.stderr(`readiness ${name}: ${failure.message}\n`);
    if (failure.exitCode === ExitCode.badInput) io.stderr(`Run "readiness ${name} --help" for usage.\n`);
    if (io.env.READINESS_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return failure.exitCode;
  }
}

/** Runs the CLI against the real process: signals abort the work, the exit code is set, never thrown. */
export function runFromProcess(argv = process.argv.slice(2)): void {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\nReceived ${signal}: stopping and cleaning up (press Ctrl-C again to force).\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io: CliIO = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    signal: controller.signal,
  };
  main(argv, io).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`readiness: ${asReadinessError(error).message}\n`);
      process.exitCode = ExitCode.infrastructure;
    },
  );
}

if (require.main === module) runFromProcess();
