import { ExitCode } from '../errors';
import { drillCommand } from './drill';
import { gateCommand } from './gate';
import type { CliCommand } from './io';
import { loadtestCommand } from './loadtest';
import { serveCommand } from './serve';

/** Commands whose engine is not in this build yet say so honestly and run nothing. */
function notBuiltYet(what: string): CliCommand {
  return async (_args, io) => {
    io.stderr(`readiness: ${what} is not built into this version yet; nothing was run.\n`);
    return ExitCode.infrastructure;
  };
}

export const commands: Record<string, CliCommand> = {
  loadtest: loadtestCommand,
  drill: drillCommand,
  gate: gateCommand,
  serve: serveCommand,
  demo: notBuiltYet('the demo'),
};
