/**
 * Durations as people write them in drill files: `90s`, `15m`, `1h30m`, `2d`, or a bare number of seconds.
 * The units match the ones RTO/RPO policies are usually written in (pgdrill's `maximum_rto: 2h`, Resilience Hub's
 * `rtoInSecs`), so a target can be copied from a policy without conversion.
 */
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;

/** Seconds in `text`, or undefined when it is not a duration. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  if (typeof text !== 'string') return undefined;
  const compact = text.trim().replace(/\s+/g, '');
  if (/^\d+(?:\.\d+)?$/.test(compact)) return Number(compact);
  if (!WHOLE.test(compact)) return undefined;
  let seconds = 0;
  for (const match of compact.matchAll(PART)) seconds += Number(match[1]) * UNIT_SECONDS[match[2]];
  return seconds;
}

/** `905` -> `15m 5s`; used in explanations so people read the same units they wrote. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${round(seconds)}s`;
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest) parts.push(`${rest}s`);
  return parts.join(' ');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
