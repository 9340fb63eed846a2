import { readFileSync } from 'node:fs';

/**
 * Credentials and targets for `npm run verify:live`, from the environment or from a JSON file given with
 * `--credentials <file>` (keys are the variable names below). Secrets never go on the command line, where other
 * users of the machine can read them; every secret value is masked in everything the command prints.
 */
export const ALT_KEYS = ['READINESS_LIVE_TENANT_ID', 'READINESS_LIVE_CLIENT_ID', 'READINESS_LIVE_CLIENT_SECRET',
  'READINESS_LIVE_SUBSCRIPTION_ID', 'READINESS_LIVE_RESOURCE_GROUP', 'READINESS_LIVE_RESOURCE'] as const;
export const ADO_KEYS = ['READINESS_LIVE_ADO_COLLECTION_URI', 'READINESS_LIVE_ADO_PROJECT', 'READINESS_LIVE_ADO_TOKEN'] as const;
/** Optional: sovereign clouds' endpoints, and what some checks need. */
export const OPTIONAL_KEYS = ['READINESS_LIVE_AUTHORITY_HOST', 'READINESS_LIVE_ARM_ENDPOINT', 'READINESS_LIVE_APP_COMPONENT_ID',
  'READINESS_LIVE_ALLOW_RUNS', 'READINESS_LIVE_TEST_RUN_ID', 'READINESS_LIVE_METRICS_RUN_ID', 'READINESS_LIVE_ADO_BUILD_ID', 'READINESS_LIVE_ADO_GROUP', 'READINESS_LIVE_ADO_PUBLISHER',
  'READINESS_LIVE_ADO_EXTENSION', 'READINESS_LIVE_ADO_EXTENSION_DATA_URI', 'READINESS_LIVE_ADO_IDENTITY_URI'] as const;
const SECRET_KEYS = ['READINESS_LIVE_CLIENT_SECRET', 'READINESS_LIVE_ADO_TOKEN'];

export type Settings = Partial<Record<string, string>>;

export function loadSettings(argv: string[], env: NodeJS.ProcessEnv): Settings {
  const at = argv.indexOf('--credentials');
  let fromFile: Record<string, unknown> = {};
  if (at >= 0) {
    const file = argv[at + 1];
    if (!file) throw new UsageError('--credentials needs a file path: a JSON object whose keys are the READINESS_LIVE_* names.');
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`--credentials ${file}: not a readable JSON object (${(error as Error).message}).`);
    }
  }
  const settings: Settings = {};
  for (const key of [...ALT_KEYS, ...ADO_KEYS, ...OPTIONAL_KEYS]) {
    const value = typeof fromFile[key] === 'string' ? (fromFile[key] as string) : env[key];
    if (value?.trim()) settings[key] = value.trim();
  }
  return settings;
}

export const hasAll = (s: Settings, keys: readonly string[]) => keys.every((k) => s[k]);

/** Replaces every secret value (and any bearer token) in a line of output. */
export function masker(s: Settings): (text: string) => string {
  const secrets = SECRET_KEYS.map((k) => s[k]).filter((v): v is string => !!v && v.length >= 4);
  return (text) => secrets.reduce((t, secret) => t.split(secret).join('***'), text).replace(/Bearer [^\s"']+/g, 'Bearer ***');
}

export class UsageError extends Error {}
