import type { HttpProbeSpec } from './config';
import { evaluateCondition } from './bodyCondition';
import { describeNetworkError, httpGet } from './httpGet';

export interface ProbeOutcome {
  ok: boolean;
  latencyMs: number | null;
  /** Why it failed: status, latency, a condition, or the network error. */
  reason?: string;
}

/** One request to a health endpoint, judged on status, latency and the body conditions. */
export async function probeOnce(spec: HttpProbeSpec, signal: AbortSignal): Promise<ProbeOutcome> {
  let answer;
  try {
    answer = await httpGet(spec.url, { ca: spec.ca, headers: spec.headers, timeoutMs: spec.timeoutMs, signal });
  } catch (error) {
    return { ok: false, latencyMs: null, reason: describeNetworkError(error) };
  }
  const latencyMs = Math.round(answer.latencyMs * 10) / 10;
  if (answer.status !== spec.expectStatus) return { ok: false, latencyMs, reason: `HTTP ${answer.status}, expected ${spec.expectStatus}` };
  if (spec.maxLatencyMs !== undefined && latencyMs > spec.maxLatencyMs) return { ok: false, latencyMs, reason: `${latencyMs} ms, over ${spec.maxLatencyMs} ms` };
  if (spec.conditions.length) {
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return { ok: false, latencyMs, reason: 'the body is not JSON, so its conditions cannot hold' };
    }
    for (const condition of spec.conditions) {
      const { holds, found } = evaluateCondition(condition, body);
      if (!holds) return { ok: false, latencyMs, reason: `${condition.text} does not hold (found ${found})` };
    }
  }
  return { ok: true, latencyMs };
}
