import type { DrillMetrics } from '../types';

export interface DrillObjective {
  name: string;
  actual: number | null;
  target: number;
  /** ' s' for times; '' for counts. */
  unit: string;
  method: string;
}

/**
 * What a drill is judged on, by its mode, so every renderer shows the same rows: a restore drill's RTO and RPO, a
 * recreation drill's environment RTO with its leaks and drift, a rollback drill's time to rollback and to recover.
 */
export function drillObjectives(m: DrillMetrics): DrillObjective[] {
  if (m.mode === 'recreation') {
    return [
      { name: 'Environment RTO (apply start until probes passed)', actual: m.environmentRtoSeconds ?? null, target: m.targets.rtoSeconds, unit: ' s', method: 'measured' },
      { name: 'Leaks after destroy', actual: m.leaks?.length ?? null, target: 0, unit: '', method: 'state list and leak probe' },
      { name: 'Drift (second plan)', actual: m.drift?.length ?? null, target: 0, unit: '', method: 'plan -detailed-exitcode' },
    ];
  }
  if (m.mode === 'rollback') {
    return [
      { name: 'Time to rollback', actual: m.timeToRollbackSeconds ?? null, target: m.targets.timeToRollbackSeconds ?? 0, unit: ' s', method: 'previous version deploy until probes passed' },
      { name: 'Time to recover', actual: m.timeToRecoverSeconds ?? null, target: m.targets.timeToRecoverSeconds ?? 0, unit: ' s', method: 'current version deploy until probes passed' },
    ];
  }
  return [
    { name: 'RTO (time to recover)', actual: m.rtoSeconds, target: m.targets.rtoSeconds, unit: ' s', method: '' },
    { name: 'RPO (data lost)', actual: m.rpoSeconds, target: m.targets.rpoSeconds, unit: ' s', method: m.rpoMethod },
  ];
}

/** Facts only the environment drills have, as label and text pairs (empty for a restore drill). */
export function environmentFacts(m: DrillMetrics): Array<[string, string]> {
  const facts: Array<[string, string]> = [];
  if (m.leaks?.length) facts.push(['Leaks', m.leaks.join(', ')]);
  if (m.drift?.length) facts.push(['Drift', m.drift.join(', ')]);
  if (m.versions) facts.push(['Versions', `previous ${m.versions.previous}, current ${m.versions.current}`]);
  if (m.cost) {
    const lines = m.cost.lines.map((l) => `${l.count} x ${l.type} at ${l.pricePerHour}/h = ${l.amount}`).join('; ');
    facts.push(['Cost', `about ${m.cost.total} ${m.cost.currency} over ${m.cost.hours} h${lines ? ` (${lines})` : ''}${m.cost.unpriced.length ? `; no price for ${m.cost.unpriced.join(', ')}` : ''}`]);
  }
  return facts;
}
