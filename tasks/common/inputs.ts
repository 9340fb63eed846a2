import * as path from 'node:path';
import { registerSecret } from '../../src/redact/secretMask';
import { whileReadingSecrets } from './secretMasking';
import * as tl from 'azure-pipelines-task-lib/task';
import { ConfigError } from '../../src/errors';

/** Required input, with the input name in the error. */
export function requiredInput(name: string): string {
  const value = tl.getInput(name, false)?.trim();
  if (!value) throw new ConfigError(`The input "${name}" is required but empty. Set it in the task's inputs.`);
  return value;
}

export function optionalInput(name: string): string | undefined {
  const value = tl.getInput(name, false)?.trim();
  return value ? value : undefined;
}

/** A file path input, resolved against the working directory, that must exist. */
export function existingFileInput(name: string): string {
  const value = requiredInput(name);
  const file = path.resolve(tl.getVariable('System.DefaultWorkingDirectory') ?? process.cwd(), value);
  if (!tl.exist(file)) {
    throw new ConfigError(`The input "${name}" points to "${value}", which does not exist (looked for ${file}). Check the path relative to the repository root.`);
  }
  if (!tl.stats(file).isFile()) {
    throw new ConfigError(`The input "${name}" points to "${value}", which is a folder; give the path of the file itself.`);
  }
  return file;
}

/**
 * `[{"name":"x","value":"y"}]` as AzureLoadTest@1 takes it. For an input holding secrets, the raw text is masked
 * before parsing and a parse error names only the position, since JSON.parse quotes the text around it.
 */
export function nameValueListInput(name: string, options: { secret?: boolean } = {}): Array<{ name: string; value: string }> {
  // A secret input is read with the output held, so task-lib's debug line of the raw value is masked (secretMasking.ts).
  const raw = options.secret ? whileReadingSecrets(() => registerListValues(optionalInput(name))) : optionalInput(name);
  if (!raw) return [];
  if (options.secret) tl.setSecret(raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    const detail = options.secret ? (/position \d+/.exec((error as Error).message)?.[0] ?? 'malformed') : (error as Error).message;
    throw new ConfigError(`The input "${name}" is not valid JSON (${detail}). Expected [{"name":"...","value":"..."}].`);
  }
  if (!Array.isArray(parsed) || parsed.some((p) => !p || typeof p.name !== 'string' || typeof p.value !== 'string')) {
    throw new ConfigError(`The input "${name}" must be a JSON list of {"name":"...","value":"..."} objects.`);
  }
  return parsed as Array<{ name: string; value: string }>;
}

export function resultsDirectoryInput(): string {
  const value = optionalInput('resultsDirectory');
  const base = tl.getVariable('System.DefaultWorkingDirectory') ?? process.cwd();
  if (value) return path.resolve(base, value);
  return path.join(tl.getVariable('Agent.TempDirectory') ?? base, 'readiness');
}

/** A whole number of 0 or more, with a default when the input is empty. */
export function wholeNumberInput(name: string, fallback: number): number {
  const raw = optionalInput(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`The input "${name}" must be a whole number of 0 or more; got "${raw}".`);
  return value;
}

/** Registers a secret list input's raw text and, when it parses, each value, with the one secret mask. */
function registerListValues(raw: string | undefined): string | undefined {
  registerSecret(raw);
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    if (Array.isArray(parsed)) for (const item of parsed) if (typeof item?.value === 'string') registerSecret(item.value);
  } catch {
    // reported by the caller, naming only the position
  }
  return raw;
}
