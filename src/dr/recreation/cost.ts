import type { DrillCost } from '../../evidence/types';

/**
 * The drill's own cost: for each resource type the plan created, count x price per resource-hour x the hours from
 * the apply's start until the destroy finished. Prices come from the drill file; types without a price are listed,
 * never guessed. Billing granularity (per second, per hour, minimum charges) differs by service, so this is an
 * estimate of the order of magnitude, and docs/drills.md says so.
 */
export function drillCost(created: Map<string, number>, prices: Record<string, number>, currency: string, seconds: number): DrillCost {
  const hours = Math.round((seconds / 3600) * 10_000) / 10_000;
  const lines = [...created]
    .filter(([type]) => prices[type] !== undefined)
    .map(([type, count]) => ({ type, count, pricePerHour: prices[type], amount: roundMoney(count * prices[type] * hours) }));
  return {
    currency,
    hours,
    lines,
    total: roundMoney(lines.reduce((sum, l) => sum + l.amount, 0)),
    unpriced: [...created.keys()].filter((type) => prices[type] === undefined),
  };
}

/** Six decimals: a short local drill's cost is a fraction of a cent, and rounding it to 0 would hide it. */
function roundMoney(amount: number): number {
  return Math.round(amount * 1_000_000) / 1_000_000;
}
