import { ExitCode } from '../errors';
import type { CliCommand } from './io';

/** Commands whose engine is not in this build yet say so honestly and run nothing. */
function notBuiltYet(what: string): CliCommand {
  return async (_args, io) => {
    io.stderr(`readiness: ${what} is not built into this version yet; nothing was run.\n`);
    return ExitCode.infrastructure;
  };
}

export const commands: Record<string, CliCommand> = {
  loadtest: notBuiltYet('the embedded load engine'),
  drill: notBuiltYet('the drill runner'),
  gate: notBuiltYet('policy evaluation'),
  serve: notBuiltYet('the local hub server'),
  demo: notBuiltYet('the demo'),
};
