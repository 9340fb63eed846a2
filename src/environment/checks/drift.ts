import { terraformEnv } from '../../config/terraformEnv';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriftFacts } from '../../evidence/types';
import { runTool, type ToolResult } from '../../dr/exec';
import type { DriftSpec } from '../config';
import { checkResult, type CheckContext } from '../result';

/**
 * Configuration drift: `terraform plan -detailed-exitcode` against the team's configuration (exit 0: nothing to
 * change, 2: changes, 1: error; developer.hashicorp.com/terraform/cli/commands/plan), then `terraform show -json`
 * of the saved plan, whose `resource_changes` and `resource_drift` (the JSON output format,
 * developer.hashicorp.com/terraform/internals/json-format) say which resources differ and how.
 *
 * The configuration folder is only read: TF_DATA_DIR points terraform's working data (.terraform) at a temporary
 * folder, the plan file goes there too, and `-lock=false` keeps the plan from writing a lock into shared state.
 */
export async function runDriftCheck(spec: DriftSpec, ctx: CheckContext, terraform = 'terraform') {
  const started = performance.now();
  const scratch = await mkdtemp(join(tmpdir(), 'readiness-drift-'));
  const env = terraformEnv(process.env, { TF_IN_AUTOMATION: '1', TF_INPUT: '0', TF_DATA_DIR: join(scratch, 'data') });
  const facts: DriftFacts = { directory: spec.directory, planExitCode: -1, terraformVersion: '', changes: [] };
  const run = async (args: string[]): Promise<ToolResult> => {
    const timeout = AbortSignal.timeout(spec.timeoutMs);
    return runTool(terraform, args, { cwd: spec.directory, env, signal: AbortSignal.any([ctx.signal, timeout]) });
  };
  try {
    let version: ToolResult;
    try {
      version = await run(['version', '-json']);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return checkResult(spec, 'unknown', 'terraform is not on the agent\'s PATH, so drift could not be measured; install it first (e.g. the TerraformInstaller task).', started, { drift: facts });
      }
      throw error;
    }
    facts.terraformVersion = String((JSON.parse(version.stdout || '{}') as { terraform_version?: string }).terraform_version ?? 'unknown');
    if (spec.init) {
      const init = await run(['init', '-input=false', '-no-color', '-backend=true']);
      if (init.code !== 0) return checkResult(spec, 'unknown', `terraform init failed in ${spec.directory} (${lastLine(init.stderr)}); make the backend and providers reachable from the agent.`, started, { drift: facts });
    }
    const planFile = join(scratch, 'drift.tfplan');
    const plan = await run(['plan', '-detailed-exitcode', '-input=false', '-no-color', '-lock=false', `-out=${planFile}`, ...spec.varFiles.map((f) => `-var-file=${f}`)]);
    facts.planExitCode = plan.code ?? -1;
    if (plan.code !== 0 && plan.code !== 2) {
      return checkResult(spec, 'unknown', `terraform plan could not run in ${spec.directory} (exit ${plan.code}: ${lastLine(plan.stderr)}); fix the configuration or its credentials, then run the check again.`, started, { drift: facts });
    }
    const shown = await run(['show', '-json', '-no-color', planFile]);
    if (shown.code !== 0) return checkResult(spec, 'unknown', `terraform show could not read the plan (${lastLine(shown.stderr)}).`, started, { drift: facts });
    facts.changes = changesOf(JSON.parse(shown.stdout));
    if (plan.code === 0 && !facts.changes.length) {
      return checkResult(spec, 'passed', `terraform plan found no changes in ${spec.directory}: the environment matches its configuration.`, started, { drift: facts });
    }
    const listed = facts.changes.slice(0, 5).map((c) => `${c.address} (${c.actions.join('+')}${c.attributes.length ? `: ${c.attributes.join(', ')}` : ''})`);
    const more = facts.changes.length > 5 ? ` and ${facts.changes.length - 5} more` : '';
    return checkResult(
      spec,
      'failed',
      `The environment has drifted from ${spec.directory}: ${listed.join('; ') || 'the plan has changes'}${more}; apply the configuration, or bring the code in line with the change made outside it.`,
      started,
      { drift: facts },
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

interface PlanChange {
  address: string;
  change: { actions: string[]; before?: unknown; after?: unknown };
}

/** Planned changes (not no-op or read) and changes made outside terraform, with the top-level attributes that differ. */
export function changesOf(plan: { resource_changes?: PlanChange[]; resource_drift?: PlanChange[] }): DriftFacts['changes'] {
  const out: DriftFacts['changes'] = [];
  for (const c of plan.resource_drift ?? []) out.push({ address: c.address, actions: ['changed-outside-terraform', ...c.change.actions], attributes: differing(c.change.before, c.change.after) });
  for (const c of plan.resource_changes ?? []) {
    if (c.change.actions.every((a) => a === 'no-op' || a === 'read')) continue;
    out.push({ address: c.address, actions: c.change.actions, attributes: differing(c.change.before, c.change.after) });
  }
  return out;
}

function differing(before: unknown, after: unknown): string[] {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k])).sort();
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/^[│╷╵\s]+/, '').trim()).filter(Boolean);
  return lines.find((l) => l.startsWith('Error:')) ?? lines[lines.length - 1] ?? 'no output';
}
