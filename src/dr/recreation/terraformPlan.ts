/**
 * What the drill reads from `terraform show -json <plan>` (developer.hashicorp.com "JSON Output Format":
 * `resource_changes[].change.actions`, one of ["no-op"], ["create"], ["read"], ["update"], ["delete", "create"],
 * ["create", "delete"], ["delete"]; `output_changes` likewise).
 */
interface PlanJson {
  resource_changes?: Array<{ address: string; type: string; mode: string; change: { actions: string[] } }>;
  output_changes?: Record<string, { actions: string[] }>;
}

export function parsePlan(text: string): PlanJson {
  try {
    return JSON.parse(text) as PlanJson;
  } catch {
    throw new Error('terraform show -json printed something that is not JSON');
  }
}

const quiet = (actions: string[]) => actions.every((a) => a === 'no-op' || a === 'read');

function describeActions(actions: string[]): string {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  return actions.filter((a) => a !== 'no-op').join('+');
}

/** Every change a plan would still make: `terraform_data.clock (replace)`. Empty means converged. */
export function pendingChanges(plan: PlanJson): string[] {
  const resources = (plan.resource_changes ?? []).filter((r) => !quiet(r.change.actions)).map((r) => `${r.address} (${describeActions(r.change.actions)})`);
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, c]) => !quiet(c.actions))
    .map(([name, c]) => `output.${name} (${describeActions(c.actions)})`);
  return [...resources, ...outputs];
}

/** Managed resources the plan creates, counted by type (for the plan's detail line and the cost). */
export function createdByType(plan: PlanJson): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of plan.resource_changes ?? []) {
    if (r.mode === 'managed' && r.change.actions.includes('create')) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  }
  return counts;
}
