/**
 * The `--name value` / `--name=value` reading the subcommands share. Every problem is collected, not just the first
 * (k6's habit), and the caller adds its own checks before throwing them as one ConfigError.
 */
export interface FlagSpec<F extends string> {
  /** Flags that take a value; the last one given wins unless it is repeatable. */
  values: readonly F[];
  /** Value flags that may be given several times; all values are kept in order. */
  repeatable?: readonly F[];
  /** Flags without a value. */
  switches?: readonly string[];
  /** Flags refused with this reason; their value is skipped and never repeated back (it may be a secret). */
  refused?: Readonly<Record<string, string>>;
}

export interface ParsedFlags<F extends string> {
  help: boolean;
  values: Partial<Record<F, string>>;
  lists: Partial<Record<F, string[]>>;
  switches: Set<string>;
  problems: string[];
}

export function parseFlags<F extends string>(args: string[], spec: FlagSpec<F>): ParsedFlags<F> {
  const parsed: ParsedFlags<F> = { help: false, values: {}, lists: {}, switches: new Set(), problems: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') {
      parsed.help = true;
      return parsed;
    }
    const [name, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
    if (name !== undefined && spec.switches?.includes(name) && inline === undefined) {
      parsed.switches.add(name);
      continue;
    }
    if (name !== undefined && spec.refused?.[name]) {
      parsed.problems.push(`--${name} is not accepted: ${spec.refused[name]}`);
      if (inline === undefined) i++;
      continue;
    }
    if (!name || !(spec.values as readonly string[]).includes(name)) {
      parsed.problems.push(`unknown argument "${arg}"`);
      continue;
    }
    const value = inline ?? args[++i];
    const flag = name as F;
    if (value === undefined || value.startsWith('--')) parsed.problems.push(`--${name} needs a value`);
    else if (spec.repeatable?.includes(flag)) (parsed.lists[flag] ??= []).push(value);
    else parsed.values[flag] = value;
  }
  return parsed;
}
