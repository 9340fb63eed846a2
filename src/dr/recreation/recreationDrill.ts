import { terraformEnv } from '../../config/terraformEnv';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CheckFailedError, InfrastructureError } from '../../errors';
import { type DrillEvidence, type DrillMetrics, type ProbeResult } from '../../evidence/types';
import type { DrillConfig } from '../config';
import type { ToolResult } from '../exec';
import type { DrillOptions } from '../runner';
import { drillCost } from './cost';
import { drillContext, environmentDrillEvidence } from './envelope';
import { environmentCriteria, environmentVerdict } from './environmentOutcome';
import { leakProbeFinds } from './leakProbe';
import { seconds } from './phaseClock';
import type { Failure } from '../outcome';
import { probeUntilPassed } from './probeUntil';
import { drillSuffix, fillIn, makeScratchCopy } from './scratch';
import { terraform, terraformError } from './terraformCli';
import { createdByType, parsePlan, pendingChanges } from './terraformPlan';


/**
 * An environment recreation drill: the team's Terraform configuration is built from nothing into a scratch copy
 * (its own state, a unique name suffix), timed phase by phase: init, plan, apply, probes against the outputs, then a
 * second plan that must find nothing to change. Destroy runs whatever happened (success, failure, cancel), and
 * afterwards the scratch state must be empty and the leak probe must find nothing. Environment RTO runs from the
 * apply's start until every probe passed.
 */
export async function runRecreationDrill(config: DrillConfig, options: DrillOptions): Promise<DrillEvidence> {
  const settings = config.terraform!;
  const { now, redact, progress, cancel, clock, startedAt } = drillContext(config, options);
  const workDir = mkdtempSync(join(tmpdir(), 'readiness-recreation-'));
  const statePath = join(workDir, 'scratch.tfstate');
  const suffix = drillSuffix();
  const env: NodeJS.ProcessEnv = terraformEnv(process.env);
  for (const [name, value] of Object.entries(settings.variables)) env[`TF_VAR_${name}`] = value;
  env[`TF_VAR_${settings.suffixVariable}`] = suffix;
  let dir = workDir;
  const tf = (args: string[], signal: AbortSignal) =>
    terraform(args, { binary: settings.binary, cwd: dir, env, signal, graceMs: settings.interruptGraceSeconds * 1000 });
  const varFiles = settings.varFiles.map((f) => `-var-file=${f}`);
  const must = (result: ToolResult, what: string) => {
    if (result.code !== 0) throw new CheckFailedError(`terraform ${what} failed: ${terraformError(result)}`);
    return result;
  };

  let failure: Failure | undefined;
  let applyStartedMs: number | undefined;
  let environmentRtoSeconds: number | null = null;
  let outputs: Record<string, string> | undefined;
  let probes: ProbeResult[] = [];
  let drift: string[] = [];
  let created = new Map<string, number>();
  let terraformVersion = 'unknown';
  const fill = (text: string) => fillIn(text, { outputs, drill: { suffix } });
  const readOutputs = async (signal: AbortSignal): Promise<Record<string, string>> => {
    const printed = JSON.parse(must(await tf(['output', '-no-color', '-json'], signal), 'output').stdout || '{}') as Record<string, { sensitive: boolean; value: unknown }>;
    const found: Record<string, string> = {};
    for (const [name, { sensitive, value }] of Object.entries(printed)) {
      found[name] = typeof value === 'string' ? value : JSON.stringify(value);
      if (sensitive) config.redactor.addSecret(found[name]);
    }
    return found;
  };

  const phases: Array<[string, number, (signal: AbortSignal) => Promise<string>]> = [
    ['preflight', config.timeouts.preflight, async (signal) => {
      const version = await tf(['version', '-json'], signal).catch((error) => {
        throw (error as { missingTool?: boolean }).missingTool ? new InfrastructureError((error as Error).message) : error;
      });
      terraformVersion = (JSON.parse(version.stdout || '{}') as { terraform_version?: string }).terraform_version ?? 'unknown';
      const copy = makeScratchCopy(settings, workDir, statePath);
      dir = copy.dir;
      return `terraform ${terraformVersion}; copied ${copy.files} files of ${settings.configuration} to a scratch folder; ${settings.backend.type === 'local' ? 'state in the scratch folder' : `azurerm state under the scratch key ${fill(settings.backend.config.key)}`}; name suffix ${suffix} in var.${settings.suffixVariable}`;
    }],
    ['init', config.timeouts.init, async (signal) => {
      const args = ['init', '-input=false', '-no-color'];
      if (settings.backend.type !== 'local') {
        // A file, not -backend-config=key=value arguments: a storage key in argv would show in `ps`.
        const file = join(workDir, 'scratch.tfbackend');
        writeFileSync(file, Object.entries(settings.backend.config).map(([k, v]) => `${k} = ${JSON.stringify(fill(v))}\n`).join(''), { mode: 0o600 });
        args.push(`-backend-config=${file}`);
      }
      must(await tf(args, signal), 'init');
      return 'terraform init exited 0';
    }],
    ['plan', config.timeouts.plan, async (signal) => {
      must(await tf(['plan', '-input=false', '-no-color', '-out=drill.tfplan', ...varFiles], signal), 'plan');
      created = createdByType(parsePlan(must(await tf(['show', '-json', 'drill.tfplan'], signal), 'show').stdout));
      const total = [...created.values()].reduce((a, b) => a + b, 0);
      return `plan: ${total} to create (${[...created].map(([t, n]) => `${n} ${t}`).join(', ') || 'nothing'})`;
    }],
    ['apply', config.timeouts.apply, async (signal) => {
      applyStartedMs = performance.now();
      must(await tf(['apply', '-input=false', '-no-color', '-auto-approve', 'drill.tfplan'], signal), 'apply');
      return `apply finished in ${seconds(performance.now() - applyStartedMs)}s`;
    }],
    ['probes', probeBudget(config), async (signal) => {
      outputs = await readOutputs(signal);
      probes = await probeUntilPassed(config.probes, { fill, connection: config.target.connection ? () => fill(config.target.connection!) : undefined, cwd: config.dir, env: process.env }, signal, progress);
      const passed = probes.filter((p) => p.status === 'passed').length;
      if (passed === probes.length) environmentRtoSeconds = seconds(performance.now() - applyStartedMs!);
      if (passed < probes.length) throw new CheckFailedError(`probes did not pass (${probes.filter((p) => p.status !== 'passed').map((p) => `${p.name} ${p.status}: ${p.detail}`).join('; ')})`);
      return `${passed} of ${probes.length} probes passed against the outputs`;
    }],
    ['converge', config.timeouts.plan, async (signal) => {
      const result = await tf(['plan', '-input=false', '-no-color', '-detailed-exitcode', '-out=converge.tfplan', ...varFiles], signal);
      if (result.code === 0) return 'a second plan found nothing to change';
      if (result.code !== 2) must(result, 'plan (second)');
      drift = pendingChanges(parsePlan(must(await tf(['show', '-json', 'converge.tfplan'], signal), 'show').stdout));
      throw new CheckFailedError(`the configuration does not converge: a second plan right after the apply would change ${drift.join(', ') || 'something it did not name'}`);
    }],
  ];

  for (const [i, [name, timeout, work]] of phases.entries()) {
    if (failure) {
      clock.skip(name, `not run: ${failure.kind === 'cancelled' ? 'the drill was cancelled' : 'an earlier phase failed'}`);
      continue;
    }
    progress(name, Math.round((i / (phases.length + 1)) * 90));
    failure = await clock.run(name, timeout, cancel, work);
  }

  // Destroy and the leak check get their own signal: they must run after a cancel, bounded by timeouts.destroy.
  const leaks: string[] = [];
  let destroyDetail = 'nothing was applied, so nothing to destroy';
  if (applyStartedMs !== undefined) {
    progress('destroy', 92);
    const destroyFailure = await clock.run('destroy', config.timeouts.destroy, new AbortController().signal, async (signal) => {
      // A failed or cancelled apply never reached the probes; the leak probe still needs the outputs it names,
      // and terraform records each output in the state as soon as it is known.
      if (!outputs) outputs = await readOutputs(signal).catch(() => undefined);
      const destroyed = await tf(['destroy', '-input=false', '-no-color', '-auto-approve', ...varFiles], signal);
      const listed = await tf(['state', 'list', '-no-color'], signal);
      if (listed.code !== 0) throw new InfrastructureError(`terraform state list failed after destroy, so leaks are unknown: ${terraformError(listed)}`);
      leaks.push(...listed.stdout.split('\n').map((l) => l.trim()).filter(Boolean).map((address) => `state: ${address}`));
      if (destroyed.code !== 0) throw new CheckFailedError(`terraform destroy failed: ${terraformError(destroyed)}`);
      return leaks.length ? `terraform destroy exited 0, but the state still lists ${leaks.length} resources` : 'terraform destroy exited 0 and the scratch state is empty';
    });
    destroyDetail = clock.steps[clock.steps.length - 1].detail;
    if (destroyFailure && !leaks.length) leaks.push(`unknown: destroy did not finish (${destroyFailure.message})`);
    if (settings.leakProbe) {
      const probe = settings.leakProbe;
      await clock.run('leak-probe', probe.timeoutSeconds, new AbortController().signal, async (signal) => {
        const found = await leakProbeFinds(probe, fill, config.dir, signal);
        if (found) leaks.push(`${probe.name}: ${found}`);
        return found ? `still there after destroy: ${found}` : 'found nothing left behind';
      });
      if (clock.steps[clock.steps.length - 1].status === 'failed' && !leaks.some((l) => l.startsWith(probe.name))) {
        leaks.push(`${probe.name}: could not run, so leaks outside the state are unknown`);
      }
    }
  }
  const finishedMs = performance.now();
  // With a leak the scratch folder (and its state) stays, so a person can finish the destroy from it.
  if (leaks.length) progress(`LEAKS after destroy: ${leaks.join(', ')}; the scratch state is kept in ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });

  const metrics: DrillMetrics = {
    provider: config.provider,
    targets: config.targets,
    rtoSeconds: environmentRtoSeconds,
    rpoSeconds: null,
    rpoMethod: 'none',
    mode: 'recreation',
    environmentRtoSeconds,
    leaks: leaks.map(redact),
    drift,
    ...(settings.prices && applyStartedMs !== undefined ? { cost: drillCost(created, settings.prices, settings.currency, (finishedMs - applyStartedMs) / 1000) } : {}),
    backup: { location: redact(`terraform ${terraformVersion}, configuration ${settings.configuration}, suffix ${suffix}`) },
    steps: clock.steps,
    probes: probes.map((p) => ({ ...p, detail: redact(p.detail) })),
    cleanup: {
      status: leaks.length ? 'failed' : 'done',
      leftBehind: leaks.map(redact),
      detail: redact(leaks.length ? `${destroyDetail}; scratch state kept in ${workDir}` : destroyDetail),
    },
    cancelled: failure?.kind === 'cancelled',
  };
  const criteria = environmentCriteria(metrics);
  const { verdict, summary } = environmentVerdict(failure, metrics, criteria);
  progress(summary, 100);
  if (clock.badInput && !leaks.length) throw clock.badInput;
  return environmentDrillEvidence(config, options, { environment: options.environment ?? config.environment ?? 'local', startedAt, finishedAt: now(), verdict, summary, criteria, metrics });
}

/** The probes phase is bounded by the sum of its probes' own timeouts, plus slack for reading the outputs. */
export function probeBudget(config: DrillConfig): number {
  return config.probes.reduce((sum, p) => sum + p.timeoutSeconds, 0) + 60;
}
