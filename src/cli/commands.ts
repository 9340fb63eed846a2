import { demoCommand } from './demo';
import { drillCommand } from './drill';
import { gateCommand } from './gate';
import type { CliCommand } from './io';
import { loadtestCommand } from './loadtest';
import { serveCommand } from './serve';
import { setupCommand } from './setup';
import { verifyCommand } from './verify';

export const commands: Record<string, CliCommand> = {
  loadtest: loadtestCommand,
  drill: drillCommand,
  gate: gateCommand,
  serve: serveCommand,
  demo: demoCommand,
  setup: setupCommand,
  verify: verifyCommand,
};
