import { capacityCommand } from './capacity';
import { demoCommand } from './demo';
import { drillCommand } from './drill';
import { gateCommand } from './gate';
import type { CliCommand } from './io';
import { loadtestCommand } from './loadtest';
import { serveCommand } from './serve';

export const commands: Record<string, CliCommand> = {
  loadtest: loadtestCommand,
  capacity: capacityCommand,
  drill: drillCommand,
  gate: gateCommand,
  serve: serveCommand,
  demo: demoCommand,
};
