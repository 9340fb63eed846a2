import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, ExitCode } from '../errors';
import { prepareLocalGate, reevaluateOnChange } from '../serve/localGate';
import { startServer } from '../serve/server';
import { FileDocumentStore } from '../store/fileStore';
import { parseFlags } from './flags';
import type { CliIO } from './io';

const USAGE = `Usage: readiness serve [options]

Serves the Readiness hub on this machine (127.0.0.1 only), framed by a local Azure DevOps host,
with the Approvals API of local runs (sign-offs) and the extension data kept in the local store.

  --store DIR        local store (default: .readiness/store)
  --port N           port to listen on, 0 picks a free one (default: 7341)
  --user ID          who you are in the hub; policies list signers by user id (default: your login name)
  --name NAME        display name shown in the audit trail (default: the user id)
  --group NAME       a group you belong to, for roles granted to groups; you may decide approval steps assigned
                     to it; repeat for several
  --policy FILE      publish this policy's roles, evaluate the gate, and re-evaluate after each sign-off
  --evidence DIR     add the evidence files in DIR to the store (and use them when evaluating)
  --hub DIR          built hub to serve (default: the one next to this CLI)

Open the printed sign-in link in a browser: it works once, for one browser, and sets a
session cookie that only the hub's pages can use. Stop with Ctrl+C.
Exit codes: 0 stopped normally, 2 bad arguments, 3 cannot listen or read the store.
`;

const VALUE_FLAGS = ['store', 'port', 'user', 'name', 'group', 'policy', 'evidence', 'hub'] as const;
type Flag = (typeof VALUE_FLAGS)[number];

interface ServeArgs {
  flags: Partial<Record<Flag, string>>;
  groups: string[];
}

function parseArgs(args: string[]): ServeArgs | 'help' {
  const parsed = parseFlags(args, { values: VALUE_FLAGS, repeatable: ['group'] });
  if (parsed.help) return 'help';
  const { values: flags, problems } = parsed;
  const groups = parsed.lists.group ?? [];
  if (flags.port !== undefined && !/^\d+$/.test(flags.port)) problems.push(`--port "${flags.port}" is not a port number; use 0-65535`);
  else if (flags.port !== undefined && Number(flags.port) > 65535) problems.push(`--port ${flags.port} is above 65535`);
  if (problems.length) throw new ConfigError(problems);
  return { flags, groups };
}

/** The built hub: next to the bundled CLI (dist/hub), or dist/hub of the repository when run from source. */
export function defaultHubDir(): string {
  const candidates = [path.join(__dirname, 'hub'), path.resolve(__dirname, '..', '..', 'dist', 'hub')];
  return candidates.find((dir) => existsSync(path.join(dir, 'readiness-hub', 'readiness-hub.html'))) ?? candidates[0];
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** `readiness serve`: the hub, the local SDK host and the extension-data REST API, until interrupted. */
export async function serveCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    io.stdout(USAGE);
    return ExitCode.passed;
  }
  const { flags, groups } = parsed;
  const storeDir = path.resolve(io.cwd, flags.store ?? '.readiness/store');
  const id = flags.user ?? os.userInfo().username;
  const user = { id, name: flags.name ?? id, groups };
  const log = (line: string) => io.stderr(`${line}\n`);
  const gate = {
    store: new FileDocumentStore(storeDir),
    policyFile: flags.policy ? path.resolve(io.cwd, flags.policy) : undefined,
    evidenceDir: flags.evidence ? path.resolve(io.cwd, flags.evidence) : undefined,
    log,
    members: Object.fromEntries(groups.map((group) => [group, [id]])),
  };
  if (gate.evidenceDir && !existsSync(gate.evidenceDir)) throw new ConfigError(`--evidence ${flags.evidence}: folder not found`);
  await prepareLocalGate(gate);
  const server = await startServer({
    storeDir,
    hubDir: flags.hub ? path.resolve(io.cwd, flags.hub) : defaultHubDir(),
    port: flags.port === undefined ? 7341 : Number(flags.port),
    user,
    onChange: reevaluateOnChange(gate),
    log,
  });
  io.stderr(`Readiness hub for ${user.name} (${user.id}${groups.length ? `; groups ${groups.join(', ')}` : ''}), store ${storeDir}\n`);
  // The one-time sign-in link is the only way in: it opens one browser once (src/serve/session.ts).
  io.stdout(`${server.signInUrl()}\n`);
  await waitForAbort(io.signal);
  await server.close();
  return ExitCode.passed;
}
