/**
 * `npm run verify:live`: checks, against a real Azure Load Testing resource and a real Azure DevOps organisation,
 * each assumption the emulators make (docs/emulators.md, "What each emulator only assumes") and each item that
 * shared/reference/platform-facts.md lists as unknown until tried, and prints a table of what it confirmed.
 *
 * Credentials come from the environment or from `--credentials <file.json>` (keys as below); never from arguments.
 *   Azure Load Testing: READINESS_LIVE_TENANT_ID, _CLIENT_ID, _CLIENT_SECRET (a service principal with Load Test
 *     Contributor), _SUBSCRIPTION_ID, _RESOURCE_GROUP, _RESOURCE; optional _AUTHORITY_HOST and _ARM_ENDPOINT
 *     (sovereign clouds), _APP_COMPONENT_ID, _ALLOW_RUNS=true.
 *   Azure DevOps: READINESS_LIVE_ADO_COLLECTION_URI, _ADO_PROJECT, _ADO_TOKEN (the job token: run this in a pipeline
 *     step with `env: READINESS_LIVE_ADO_TOKEN: $(System.AccessToken)`); optional _ADO_BUILD_ID, _ADO_GROUP,
 *     _ADO_PUBLISHER, _ADO_EXTENSION.
 * Without credentials for an area it says what it would check there and "not run". Exit 0 unless an assumption was
 * refuted (1) or the input was bad (2).
 */
import { runAdoChecks } from './verifyLive/adoChecks';
import { runAltChecks } from './verifyLive/altChecks';
import { ASSUMPTIONS, NEVER_CHECKED, type CheckResult } from './verifyLive/assumptions';
import { ADO_KEYS, ALT_KEYS, hasAll, loadSettings, masker, UsageError, type Settings } from './verifyLive/settings';

async function main(argv: string[]): Promise<number> {
  let settings: Settings;
  try {
    settings = loadSettings(argv, process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 3;
  }
  const mask = masker(settings);
  const areas = [
    { area: 'Azure Load Testing', keys: ALT_KEYS, run: runAltChecks },
    { area: 'Azure DevOps', keys: ADO_KEYS, run: runAdoChecks },
  ] as const;
  const results = new Map<string, CheckResult>();
  for (const id of Object.keys(NEVER_CHECKED)) results.set(id, { id, outcome: 'not checked', detail: NEVER_CHECKED[id] });
  let ranAny = false;
  const notRun: string[] = [];
  for (const { area, keys, run } of areas) {
    const ids = ASSUMPTIONS.filter((a) => a.area === area && !NEVER_CHECKED[a.id]).map((a) => a.id);
    if (!hasAll(settings, keys)) {
      notRun.push(`${area}: not run; set ${keys.filter((k) => !settings[k]).join(', ')}.`);
      for (const id of ids) results.set(id, { id, outcome: 'not checked', detail: `not run (no ${area} credentials)` });
      continue;
    }
    ranAny = true;
    process.stderr.write(`Checking ${area}...\n`);
    try {
      for (const r of await run(settings)) results.set(r.id, r);
    } catch (error) {
      for (const id of ids) if (!results.has(id)) results.set(id, { id, outcome: 'not checked', detail: `failed: ${(error as Error).message}` });
    }
    for (const id of ids) if (!results.has(id)) results.set(id, { id, outcome: 'not checked', detail: 'no answer recorded' });
  }

  const rows = ASSUMPTIONS.map((a) => results.get(a.id)!);
  const lines = [
    ranAny ? 'Live check of the platform assumptions (docs/emulators.md):' : 'Live check: not run. No credentials were given; this is what it would check (docs/emulators.md):',
    '',
    '| Id | Assumption | Outcome | Detail |',
    '| --- | --- | --- | --- |',
    ...ASSUMPTIONS.map((a, i) => `| ${a.id} | ${a.statement} | ${rows[i].outcome} | ${rows[i].detail.replace(/\|/g, '\\|').replace(/\s+/g, ' ')}${a.needs && rows[i].outcome === 'not checked' ? ` (needs ${a.needs})` : ''} |`),
    '',
    `${rows.filter((r) => r.outcome === 'confirmed').length} confirmed, ${rows.filter((r) => r.outcome === 'refuted').length} refuted, ` +
      `${rows.filter((r) => r.outcome === 'not checked').length} not checked.`,
    ...notRun,
  ];
  process.stdout.write(`${mask(lines.join('\n'))}\n`);
  return rows.some((r) => r.outcome === 'refuted') ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error) => {
  process.stderr.write(`verify:live failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(3);
});
