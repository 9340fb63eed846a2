import type { ProbeSpec } from './config';
import type { ProbeOutcome } from './provider';

/** An HTTP health probe (the restored database's application, or any URL that proves the copy serves). */
export async function httpProbe(probe: ProbeSpec, signal: AbortSignal): Promise<ProbeOutcome> {
  const response = await fetch(probe.url!, { signal });
  const body = await response.text();
  const expected = probe.expectStatus ?? 200;
  if (response.status !== expected) return { status: 'failed', detail: `${probe.url} answered ${response.status}, expected ${expected}` };
  if (probe.bodyContains !== undefined && !body.includes(probe.bodyContains)) {
    return { status: 'failed', detail: `${probe.url} answered ${expected} but the body lacks "${probe.bodyContains}"` };
  }
  return { status: 'passed', detail: `${probe.url} answered ${expected}${probe.bodyContains ? ` with "${probe.bodyContains}"` : ''}` };
}
