import type { CliCommand } from './io';

/**
 * Each subcommand's module (and the libraries it needs: Ajv, the Azure SDK, PGlite, ...) loads only when that
 * command runs. Loading them all cost about 0.35 s of CPU at every start, which a short load test pays per request
 * (bench/generator-cost.ts measures the whole process).
 */
const lazy = (load: () => Promise<CliCommand>): CliCommand => async (args, io) => (await load())(args, io);

export const commands: Record<string, CliCommand> = {
  loadtest: lazy(async () => (await import('./loadtest')).loadtestCommand),
  capacity: lazy(async () => (await import('./capacity')).capacityCommand),
  drill: lazy(async () => (await import('./drill')).drillCommand),
  gate: lazy(async () => (await import('./gate')).gateCommand),
  serve: lazy(async () => (await import('./serve')).serveCommand),
  demo: lazy(async () => (await import('./demo')).demoCommand),
};
