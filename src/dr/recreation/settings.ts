import { isAbsolute, resolve } from 'node:path';
import type { DocPath } from '../../config/yamlSource';

/** `terraform:` of a drill file, validated, paths absolute, durations in seconds. */
export interface TerraformSettings {
  configuration: string;
  variables: Record<string, string>;
  varFiles: string[];
  suffixVariable: string;
  backend: { type: 'local' | 'azurerm'; config: Record<string, string> };
  binary: string;
  interruptGraceSeconds: number;
  prices?: Record<string, number>;
  currency: string;
  leakProbe?: { name: string; argv?: string[]; url?: string; timeoutSeconds: number };
}

export interface RollbackSettings {
  safeEnvironments: string[];
  previous: { version: string; argv?: string[] };
  current: { version: string; argv?: string[] };
  slotSwap?: { subscription?: string; resourceGroup: string; app: string; slot: string; pollIntervalSeconds: number };
}

type Seconds = (path: DocPath, fallback: number) => number;
type At = (path: DocPath, message: string) => void;

const SQL_PROBES = ['select1', 'schema', 'rowcounts', 'checksums', 'sql'];

/** Problems only the environment drills have; reported with the file's other problems, each at its line. */
export function environmentDrillChecks(raw: Record<string, any>, at: At): void {
  const provider = raw.provider;
  for (const section of ['terraform', 'rollback'] as const) {
    if (raw[section] !== undefined && provider !== section) at([section], `belongs to provider: ${section}; remove it or change the provider`);
  }
  if (provider !== 'terraform' && provider !== 'rollback') return;
  // Sections of a restore drill: the environment drills have no backup to restore, so these would be ignored.
  for (const section of ['source', 'backup', 'restore', 'start', 'rpo', 'cleanup', ...(provider === 'rollback' ? ['target'] : [])]) {
    if (raw[section] !== undefined) at([section], `a ${provider} drill does not use ${section}; remove it`);
  }
  for (const [i, p] of (Array.isArray(raw.probes) ? raw.probes : []).entries()) {
    if (!p || typeof p !== 'object') continue;
    if (p.type === 'command' && p.command !== undefined) {
      at(['probes', i, 'command'], `the ${provider} drill runs commands without a shell; write argv: [program, arg, ...] instead of command`);
    } else if (p.type === 'command' && p.argv === undefined) {
      at(['probes', i], 'a command probe needs argv: [program, arg, ...]');
    }
    if (SQL_PROBES.includes(p.type) && (provider === 'rollback' || p.type !== 'select1' && p.type !== 'sql')) {
      at(['probes', i, 'type'], `the ${provider} drill takes http, command${provider === 'terraform' ? ', select1 and sql' : ''} probes`);
    }
    if (provider === 'terraform' && (p.type === 'select1' || p.type === 'sql') && !raw.target?.connection) {
      at(['probes', i, 'type'], 'a SQL probe needs target.connection, e.g. ${output.database_url}');
    }
  }
  const rollback = raw.rollback;
  if (provider === 'rollback' && rollback && typeof rollback === 'object') {
    const swap = rollback.slotSwap !== undefined;
    for (const which of ['previous', 'current']) {
      const version = rollback[which];
      if (!version || typeof version !== 'object') continue;
      if (swap && version.argv) at(['rollback', which, 'argv'], 'choose one way to deploy: argv commands or slotSwap, not both');
      if (!swap && !version.argv) at(['rollback', which], 'say how to deploy this version: argv: [program, arg, ...], or rollback.slotSwap for an App Service slot');
    }
  }
  const leak = raw.terraform?.leakProbe;
  if (provider === 'terraform' && leak && typeof leak === 'object' && (leak.argv === undefined) === (leak.url === undefined)) {
    at(['terraform', 'leakProbe'], 'give the leak probe either argv (a command that must fail after destroy) or url (which must stop answering), one of them');
  }
  const backendType = raw.terraform?.backend?.type;
  if (provider === 'terraform' && backendType === 'azurerm' && typeof raw.terraform.backend.config?.key !== 'string') {
    at(['terraform', 'backend'], 'an azurerm scratch state needs config.key, a key no live state uses, e.g. drills/${drill.suffix}.tfstate');
  }
}

export function terraformSettings(raw: Record<string, any>, dir: string, seconds: Seconds): TerraformSettings {
  const t = raw.terraform;
  const inFolder = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  const leak = t.leakProbe;
  return {
    configuration: inFolder(t.configuration),
    variables: Object.fromEntries(Object.entries(t.variables ?? {}).map(([k, v]) => [k, String(v)])),
    varFiles: (t.varFiles ?? []).map(inFolder),
    suffixVariable: t.suffixVariable ?? 'name_suffix',
    backend: { type: t.backend?.type ?? 'local', config: { ...(t.backend?.config ?? {}) } },
    binary: t.binary ?? 'terraform',
    interruptGraceSeconds: seconds(['terraform', 'interruptGrace'], 60),
    ...(t.prices ? { prices: { ...t.prices } } : {}),
    currency: t.currency ?? 'USD',
    ...(leak
      ? { leakProbe: { name: leak.name ?? (leak.url ? `leak probe ${leak.url}` : `leak probe ${leak.argv?.[0]}`), argv: leak.argv, url: leak.url, timeoutSeconds: seconds(['terraform', 'leakProbe', 'timeout'], 30) } }
      : {}),
  };
}

export function rollbackSettings(raw: Record<string, any>, seconds: Seconds): RollbackSettings {
  const r = raw.rollback;
  return {
    safeEnvironments: [...r.safeEnvironments],
    previous: { ...r.previous },
    current: { ...r.current },
    ...(r.slotSwap ? { slotSwap: { ...r.slotSwap, pollIntervalSeconds: seconds(['rollback', 'slotSwap', 'pollInterval'], 5) } } : {}),
  };
}
