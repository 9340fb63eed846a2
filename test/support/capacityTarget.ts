import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/** A server of test/support/capacityServer.js in its own process, with a known limit or a known service time. */
export type CapacityTargetOptions =
  | { mode: 'queue'; servers: number; serviceMs: number }
  | { mode: 'errors'; serviceMs: number; aboveRps: number; failEvery: number }
  | { mode: 'slow'; serviceMs: number; aboveRps: number; slowMs: number }
  | { mode: 'fixed'; serviceMs: number }
  | { mode: 'fast' }
  | { mode: 'raw'; bodyItems?: number };

export interface CapacityTarget {
  url: string;
  /** Changes the service time of a `fixed` server; resolves once the server has taken it. */
  setServiceMs(serviceMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCapacityTarget(options: CapacityTargetOptions): Promise<CapacityTarget> {
  const child: ChildProcess = fork(path.join(__dirname, 'capacityServer.js'), [JSON.stringify(options)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the capacity server exited (${code}) before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    setServiceMs: (serviceMs) => new Promise<void>((resolve) => {
      child.once('message', () => resolve());
      child.send({ serviceMs });
    }),
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill();
    }),
  };
}
