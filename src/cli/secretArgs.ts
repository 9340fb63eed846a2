import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors';
import { registerSecret } from '../redact/secretMask';

/**
 * `--secret NAME=env:VARIABLE` and `--secret-file NAME=PATH`: how the CLI takes a secret. The value never appears on
 * the command line, where `ps`, /proc/<pid>/cmdline and shell history would show it to anyone on the machine; it is
 * read from an environment variable or a file, and registered with the secret mask (src/redact/secretMask.ts)
 * before anything runs, so it is masked in every line, evidence file and report.
 */
export const SECRET_USAGE = `  --secret NAME=env:VAR   A secret named NAME, read from the environment variable VAR (repeatable). Never
                          write the value itself on the command line: other users see it in ps and history.
  --secret-file NAME=PATH A secret named NAME, read from the file PATH (one trailing newline is dropped).
                          Secret values are masked as *** in every log line, evidence file and report.`;

export function readSecretArgs(secrets: string[] = [], secretFiles: string[] = [], env: NodeJS.ProcessEnv, cwd: string): Record<string, string> {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  const split = (flag: string, pair: string): [string, string] | undefined => {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
      problems.push(`${flag}: expected ${flag === '--secret' ? 'NAME=env:VARIABLE' : 'NAME=PATH'} with a name of letters, digits and _ (found "${pair.slice(0, eq > 0 ? eq : 40)}…")`);
      return undefined;
    }
    return [name, pair.slice(eq + 1)];
  };
  for (const pair of secrets) {
    const parsed = split('--secret', pair);
    if (!parsed) continue;
    const [name, source] = parsed;
    const variable = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(source)?.[1];
    if (!variable) {
      // The value was typed on the command line: it is already exposed, so at least keep it out of our output.
      registerSecret(source);
      problems.push(`--secret ${name}: give where the value is, not the value: --secret ${name}=env:VARIABLE or --secret-file ${name}=PATH; a value on the command line is visible to other users (ps, shell history)`);
      continue;
    }
    const value = env[variable];
    if (value === undefined || value === '') problems.push(`--secret ${name}=env:${variable}: the environment variable ${variable} is not set; export it first (e.g. read -rs ${variable}; export ${variable})`);
    else values[name] = value;
  }
  for (const pair of secretFiles) {
    const parsed = split('--secret-file', pair);
    if (!parsed) continue;
    const [name, file] = parsed;
    try {
      values[name] = readFileSync(path.resolve(cwd, file), 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      problems.push(`--secret-file ${name}=${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? error}); check the path`);
    }
  }
  for (const value of Object.values(values)) registerSecret(value);
  if (problems.length) throw new ConfigError(problems);
  return values;
}
