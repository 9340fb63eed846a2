import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ExitCode } from '../errors';
import type { CliIO } from './io';

type Options = NonNullable<ParseArgsConfig['options']>;
type WithHelp<O extends Options> = O & { help: { type: 'boolean'; short: 'h' } };
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: WithHelp<O>; strict: true; allowPositionals: false }>>['values'];

/**
 * A subcommand's flags, read by node's own parser with the rules every subcommand shares: no positionals, unknown
 * flags refused, `--help`/`-h` added. Answers the values, or the exit code once it has printed the usage: 0 for
 * `--help`, 2 (bad input) with the parser's message for anything it refused.
 */
export function commandArgs<const O extends Options>(command: string, usage: string, args: string[], options: O, io: CliIO): Values<O> | number {
  let values: Values<O>;
  try {
    ({ values } = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } } as WithHelp<O>, strict: true, allowPositionals: false }));
  } catch (error) {
    io.stderr(`readiness ${command}: ${(error as Error).message}\n\n${usage}\n`);
    return ExitCode.badInput;
  }
  if ((values as { help?: boolean }).help) {
    io.stdout(`${usage}\n`);
    return ExitCode.passed;
  }
  return values;
}
