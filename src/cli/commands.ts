import type { CliCommand } from './io';

/**
 * Each subcommand's module (and the libraries it needs: Ajv, the Azure SDK, PGlite, ...) loads only when that
 * command runs. Loading them all cost about 0.35 s of CPU at every start, which a short load test pays per request
 * (bench/generator-cost.ts measures the whole process). `require`, not `import()`: the CLI is CommonJS, and esbuild
 * turns a bundled require into a lazily run module.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const lazy = (load: () => CliCommand): CliCommand => (args, io) => load()(args, io);

export const commands: Record<string, CliCommand> = {
  loadtest: lazy(() => (require('./loadtest') as typeof import('./loadtest')).loadtestCommand),
  capacity: lazy(() => (require('./capacity') as typeof import('./capacity')).capacityCommand),
  drill: lazy(() => (require('./drill') as typeof import('./drill')).drillCommand),
  gate: lazy(() => (require('./gate') as typeof import('./gate')).gateCommand),
  serve: lazy(() => (require('./serve') as typeof import('./serve')).serveCommand),
  demo: lazy(() => (require('./demo') as typeof import('./demo')).demoCommand),
  setup: lazy(() => (require('./setup') as typeof import('./setup')).setupCommand),
  verify: lazy(() => (require('./verify') as typeof import('./verify')).verifyCommand),
};
