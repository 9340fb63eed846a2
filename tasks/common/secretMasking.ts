import * as tl from 'azure-pipelines-task-lib/task';
import { maskSecrets, registerSecret, setSecretMarker } from '../../src/redact/secretMask';

/**
 * Secret masking for a task process, set up before anything else runs:
 *
 * - every secret the engine registers (src/redact/secretMask.ts) is also passed to `tl.setSecret`, so the agent
 *   masks it in the log it shows;
 * - every secret pipeline variable is registered by value. The agent hands them to a Node task as `SECRET_<NAME>`
 *   environment variables (azure-pipelines-agent, src/Agent.Worker/Handlers/Handler.cs,
 *   AddVariablesToEnvironment), which task-lib moves into its vault and lists in `getVariables()` with
 *   `secret: true`. So a secret mapped into a step's environment under any name is still masked in the files the
 *   task writes (evidence, JUnit, markdown, HTML), which the agent's log masking never sees;
 * - every line the task prints is masked before it leaves, except `##vso[task.setsecret]` itself, which is how the
 *   agent learns a secret and which the agent removes from the log.
 *
 * task-lib writes a `##vso[task.debug]name=value` line whenever it reads an input or a variable, secret or not, so
 * reading a secret's value would print it before anyone could register it. Output is held while secrets are read
 * (`whileReadingSecrets`) and released through the mask once they are registered.
 */
let holding = false;
const held: Array<() => void> = [];

export function installSecretMasking(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (holding) {
        held.push(() => write(maskChunk(chunk), ...rest));
        return true;
      }
      return write(maskChunk(chunk), ...rest);
    }) as typeof stream.write;
  }
  setSecretMarker((value) => tl.setSecret(value));
  whileReadingSecrets(() => {
    for (const variable of tl.getVariables()) if (variable.secret) registerSecret(variable.value);
  });
}

/** Runs `read` (which must register what it reads with registerSecret) with the task's output held back. */
export function whileReadingSecrets<T>(read: () => T): T {
  const outer = holding;
  holding = true;
  try {
    return read();
  } finally {
    holding = outer;
    if (!holding) for (const release of held.splice(0)) release();
  }
}

function maskChunk(chunk: unknown): unknown {
  const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
  if (text === undefined) return chunk;
  return text.split('\n').map(maskLine).join('\n');
}

/** Commands whose message is data the agent acts on, not text it shows: masking it would change the data. */
const DATA_COMMANDS = new Set(['task.setsecret', 'task.setvariable', 'task.settaskvariable']);

/**
 * A logging command keeps its command and properties as written (a secret such as `true` must not turn
 * `isOutput=true` into something the agent cannot parse), and its message is masked unless it is data: the value
 * of a variable reaches the agent as set, and the agent masks it for display, as it learnt every secret first.
 */
function maskLine(line: string): string {
  const command = /^(##vso\[([\w.]+)[^\]]*\])(.*)$/.exec(line);
  if (!command) return maskSecrets(line);
  return DATA_COMMANDS.has(command[2].toLowerCase()) ? line : command[1] + maskSecrets(command[3]);
}
