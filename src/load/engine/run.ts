import type { Client, Dispatcher } from 'undici';
import { CsvCursor } from '../csvData';
import { isConstant, renderTemplate } from '../template';
import { usersAt, type LoadShape } from '../loadShape';
import type { UrlTestPlan } from '../urlTest';
import { RawHttpClient } from './rawHttp';
import { newHistogram, Recorder, round, type RequestSlot } from './recorder';
import { dispatchOptions, safeHeaderValue, safePath, VirtualUser, type RunContext, type RuntimeRequest, type RuntimeScenario } from './virtualUser';

/**
 * The scheduler: starts and retires virtual users along each load shape (closed model), or starts scenario
 * iterations at a fixed rate (open model), and closes one second of the timeline per second. It only produces
 * samples for the Recorder; sinks (progress, evidence, reports) never see it.
 */
export interface Progress {
  elapsedSeconds: number;
  requests: number;
  errors: number;
  /** Over the last progress interval. */
  rps: number;
  p95Ms: number;
  activeUsers: number;
}

export interface EngineOptions {
  plan: UrlTestPlan;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  /** Azure's autoStop: stop when errors exceed this percentage over the last `timeWindowSeconds`. */
  autoStop?: { errorPercentage: number; timeWindowSeconds: number };
  /** Checked once a second; a returned reason stops the run early (criteria with the `stop` action). */
  checkStop?: (recorder: Recorder, elapsedSeconds: number) => string | undefined;
  progressIntervalSeconds?: number;
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /** How long the end of the run waits for requests in flight (default DRAIN_LIMIT_MS, at most the request timeout). */
  drainLimitMs?: number;
}

export interface EngineResult {
  startedAt: Date;
  finishedAt: Date;
  /** Seconds from the first request to the end of the drain. */
  elapsedSeconds: number;
  /** Seconds during which new requests were started: the base of the request rates. */
  loadSeconds: number;
  cancelled: boolean;
  stoppedEarly?: { reason: string; atSecond: number };
  recorder: Recorder;
  peakUsers: number;
  /** A few distinct network error messages, for the summary. */
  networkErrorSamples: string[];
  /** Open model: arrivals that found no free virtual user (they waited, and their wait counts in their latency). */
  arrivalsWithoutFreeUser: number;
  /** Open model: arrivals scheduled, and how late the scheduler started them (p90, ms): the generator's own lag. */
  arrivals: number;
  schedulerLagP90Ms: number;
  /** Mean time from writing a request to the end of its response: the service's time, without waits for a user. */
  meanSendToResponseMs: number;
}

interface ClosedGroup { kind: 'closed'; shape: Exclude<LoadShape, { kind: 'constantArrivalRate' }>; scenario: RuntimeScenario; users: VirtualUser[] }
interface OpenGroup {
  kind: 'open'; shape: Extract<LoadShape, { kind: 'constantArrivalRate' }>; scenario: RuntimeScenario;
  users: VirtualUser[]; idle: VirtualUser[]; waiting: number[]; waitingHead: number; issued: number; timer?: NodeJS.Timeout;
}
type Group = ClosedGroup | OpenGroup;

const CONTROL_INTERVAL_MS = 100;
/**
 * How long the end of a run waits for requests in flight before it gives up on them. The ones still unanswered then
 * are not dropped: they count as unfinished network errors (see countUnfinished).
 */
const DRAIN_LIMIT_MS = 10_000;

export function runEngine(options: EngineOptions): Promise<EngineResult> {
  const { plan } = options;
  const names = [...new Set(plan.setups.flatMap((s) => s.scenario.requests.map((r) => r.name)))];
  const recorder = new Recorder(names);
  const clients: Array<Client | RawHttpClient> = [];
  // One keep-alive connection per user and origin, no pipelining: each user waits for its response, as a
  // browser tab or a JMeter thread does. (A shared Pool scans its connections for a free one on every request.)
  const newClient = (origin: string): Dispatcher => {
    const client = origin.startsWith('http:')
      ? new RawHttpClient(origin, { connectTimeoutMs: options.connectTimeoutMs }, options.requestTimeoutMs)
      : new (undiciClient())(origin, { pipelining: 1, connectTimeout: options.connectTimeoutMs, keepAliveTimeout: 60_000 });
    clients.push(client);
    return client as unknown as Dispatcher;
  };
  const errorSamples = new Set<string>();
  const groups: Group[] = [];
  let t0 = 0;
  let arrivalsWithoutFreeUser = 0;
  // How late each arrival was started by the scheduler: a late timer means a busy generator, not a slow service.
  const schedulerLag = newHistogram();

  const run: RunContext = {
    recorder, stopping: false, closed: false, inFlight: 0, sendToResponseMs: 0, responses: 0, requestTimeoutMs: options.requestTimeoutMs, newClient,
    noteNetworkError(request, error) {
      if (errorSamples.size < 5) errorSamples.add(`${request}: ${describeError(error)}`);
    },
    iterationDone(user, lastFailed) {
      const group = groupOf.get(user)!;
      if (group.kind === 'open') return releaseOpen(group, user);
      if (run.stopping || user.state !== 'running') {
        user.state = 'idle';
        return;
      }
      if (lastFailed) setTimeout(() => (user.state === 'running' && !run.stopping ? user.startIteration(NaN) : (user.state = 'idle')), 10);
      else queueMicrotask(user.nextIteration);
    },
  };
  const groupOf = new Map<VirtualUser, Group>();

  const toRuntime = (setup: UrlTestPlan['setups'][number]): RuntimeScenario => ({
    csv: setup.scenario.csv.map((c) => new CsvCursor(c)),
    requests: setup.scenario.requests.map((p): RuntimeRequest => {
      const constant = p.origin && isConstant(p.endpoint) && p.query.every((q) => isConstant(q.value)) &&
        p.headers.every((h) => isConstant(h.value)) && (!p.body || isConstant(p.body));
      let fixedOptions: Dispatcher.DispatchOptions | undefined;
      if (constant) {
        let url = renderTemplate(p.endpoint, {});
        p.query.forEach((q, i) => (url += (i === 0 && !url.includes('?') ? '?' : '&') + q.key + '=' + renderTemplate(q.value, {})));
        fixedOptions = dispatchOptions(p.method, safePath(url.slice(p.origin!.length) || '/'), p.headers.flatMap((h) => [h.name, safeHeaderValue(h.value.parts[0])]),
          p.body?.parts[0], options.requestTimeoutMs);
      }
      return { planned: p, slot: recorder.slots[names.indexOf(p.name)], fixedOptions, needsBody: p.extractors.length > 0 };
    }),
  });
  for (const setup of plan.setups) {
    const scenario = toRuntime(setup);
    if (setup.shape.kind === 'constantArrivalRate') {
      groups.push({ kind: 'open', shape: setup.shape, scenario, users: [], idle: [], waiting: [], waitingHead: 0, issued: 0 });
    } else {
      groups.push({ kind: 'closed', shape: setup.shape, scenario, users: [] });
    }
  }
  const totalSeconds = Math.max(...plan.setups.map((s) => s.shape.durationSeconds));

  function newUser(group: Group): VirtualUser {
    const user = new VirtualUser(run, group.scenario);
    group.users.push(user);
    groupOf.set(user, group);
    return user;
  }

  /** Open model: start every arrival that is due; one that finds no free user waits, and its clock runs. */
  function arrive(group: OpenGroup): void {
    if (run.stopping) return;
    const intervalMs = 1000 / group.shape.requestsPerSecond;
    const now = performance.now();
    const endMs = group.shape.durationSeconds * 1000;
    while (true) {
      const offset = group.issued * intervalMs;
      if (offset >= endMs || t0 + offset > now) break;
      group.issued++;
      const intended = t0 + offset;
      const lateMicros = (now - intended) * 1000;
      schedulerLag.recordValue(lateMicros < 1 ? 1 : lateMicros);
      const user = group.idle.pop() ?? (group.users.length < group.shape.maxVirtualUsers ? newUser(group) : undefined);
      if (user) {
        user.state = 'running';
        user.startIteration(intended);
      } else {
        group.waiting.push(intended);
        arrivalsWithoutFreeUser++;
      }
    }
    const next = t0 + group.issued * intervalMs;
    if (group.issued * intervalMs < endMs) group.timer = setTimeout(arrive, Math.max(0, Math.floor(next - performance.now())), group);
  }

  function releaseOpen(group: OpenGroup, user: VirtualUser): void {
    if (!run.stopping && group.waitingHead < group.waiting.length) {
      const intended = group.waiting[group.waitingHead++];
      if (group.waitingHead > 1024 && group.waitingHead * 2 > group.waiting.length) {
        group.waiting.splice(0, group.waitingHead);
        group.waitingHead = 0;
      }
      queueMicrotask(() => user.startIteration(intended));
      return;
    }
    user.state = 'idle';
    group.idle.push(user);
  }

  /** Closed model: move the number of running users towards what the shape wants now. */
  function steer(group: ClosedGroup, elapsedSeconds: number): void {
    const target = run.stopping ? 0 : usersAt(group.shape, elapsedSeconds);
    let running = 0;
    for (const u of group.users) if (u.state === 'running') running++;
    for (const u of group.users) {
      if (running >= target) break;
      if (u.state === 'retiring') {
        u.state = 'running';
        running++;
      }
    }
    for (const u of group.users) {
      if (running >= target) break;
      if (u.state === 'idle') {
        u.state = 'running';
        running++;
        u.startIteration(NaN);
      }
    }
    while (running < target) {
      const u = newUser(group);
      u.state = 'running';
      running++;
      u.startIteration(NaN);
    }
    for (let i = group.users.length - 1; i >= 0 && running > target; i--) {
      if (group.users[i].state === 'running') {
        group.users[i].state = 'retiring';
        running--;
      }
    }
  }

  /**
   * At the end of the run (duration over, autoStop, a stop criterion, or cancel), every request still unanswered,
   * and in the open model every due arrival still waiting for a free user, is a failed request: it counts under
   * networkErrors as `unfinished`, with latency from its intended start to `endedAt`. Dropping them would let a
   * hung server pass (no errors, fast percentiles) and, in the open model, bring back coordinated omission.
   * Returns one note per request name for the summary's network-error samples.
   */
  function countUnfinished(endedAt: number): string[] {
    const bySlot = new Map<RequestSlot, { sent: number; neverSent: number; longestMs: number }>();
    const note = (slot: RequestSlot, waitedMs: number, sent: boolean) => {
      const n = bySlot.get(slot) ?? { sent: 0, neverSent: 0, longestMs: 0 };
      if (sent) n.sent++;
      else n.neverSent++;
      n.longestMs = Math.max(n.longestMs, waitedMs);
      bySlot.set(slot, n);
    };
    for (const g of groups) {
      for (const u of g.users) if (u.awaitingResponse) note(u.currentSlot, u.recordUnfinished(endedAt), true);
      if (g.kind !== 'open') continue;
      const slot = g.scenario.requests[0].slot;
      for (let i = g.waitingHead; i < g.waiting.length; i++) {
        const waited = endedAt - g.waiting[i];
        recorder.waitedInVain(slot, waited * 1000, waited * 1000, true);
        note(slot, waited, false);
      }
      g.waitingHead = g.waiting.length;
    }
    return [...bySlot].map(([slot, n]) => {
      const count = n.sent + n.neverSent;
      const parts = [n.sent ? `${n.sent} sent` : '', n.neverSent ? `${n.neverSent} never sent (no free virtual user)` : ''].filter(Boolean).join(', ');
      return `${slot.name}: unfinished: ${count} request${count === 1 ? '' : 's'} (${parts}) still had no response when the run ended, ` +
        `after waiting up to ${(n.longestMs / 1000).toFixed(1)} s`;
    });
  }

  const activeUsers = () => groups.reduce((n, g) => n + g.users.reduce((m, u) => m + (u.state === 'idle' ? 0 : 1), 0), 0);

  return new Promise<EngineResult>((resolve) => {
    const startedAt = new Date();
    t0 = performance.now();
    let closedSeconds = 0;
    let lastProgress = 0;
    let totalRequests = 0;
    let totalErrors = 0;
    let peak = 0;
    let cancelled = false;
    let stoppedEarly: EngineResult['stoppedEarly'];
    let finishing = false;

    // The timeline shows the most users active at any tick of each second, so a ramp's last step is not lost.
    let usersThisSecond = 0;
    const closeSecond = () => {
      const point = recorder.closeSecond(closedSeconds++, usersThisSecond);
      usersThisSecond = activeUsers();
      totalRequests += point.requests;
      totalErrors += point.errors;
    };

    const finish = async (immediately: boolean) => {
      if (finishing) return;
      finishing = true;
      clearInterval(control);
      options.signal?.removeEventListener('abort', onAbort);
      run.stopping = true;
      for (const g of groups) if (g.kind === 'open' && g.timer) clearTimeout(g.timer);
      const loadSeconds = (performance.now() - t0) / 1000;
      const drainUntil = performance.now() + (immediately ? 0 : Math.min(options.drainLimitMs ?? DRAIN_LIMIT_MS, options.requestTimeoutMs));
      while (run.inFlight > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 10));
      const endedAt = performance.now();
      const elapsedSeconds = (endedAt - t0) / 1000;
      // No await between counting the unfinished requests and closing: a late response cannot count twice.
      const unfinishedNotes = countUnfinished(endedAt);
      run.closed = true;
      // The timeline covers the seconds of load; what the drain and the end of the run recorded joins the last,
      // partial second (the drain's own seconds would only add empty points).
      while (closedSeconds < Math.ceil(loadSeconds)) closeSecond();
      if (recorder.secondHasData) closeSecond();
      await Promise.all(clients.map((c) => c.destroy().catch(() => undefined)));
      const networkErrorSamples = [...unfinishedNotes, ...errorSamples].slice(0, 5);
      resolve({ startedAt, finishedAt: new Date(), elapsedSeconds, loadSeconds, cancelled, stoppedEarly, recorder, peakUsers: peak, networkErrorSamples, arrivalsWithoutFreeUser,
        arrivals: schedulerLag.totalCount, meanSendToResponseMs: run.responses ? round(run.sendToResponseMs / run.responses) : 0, schedulerLagP90Ms: schedulerLag.totalCount ? round(schedulerLag.getValueAtPercentile(90) / 1000) : 0,
      });
    };

    const stopEarly = (reason: string) => {
      if (stoppedEarly || finishing) return;
      stoppedEarly = { reason, atSecond: closedSeconds };
      void finish(false);
    };

    const tick = () => {
      const elapsed = (performance.now() - t0) / 1000;
      if (elapsed >= totalSeconds) return void finish(false);
      for (const g of groups) if (g.kind === 'closed') steer(g, elapsed);
      const active = activeUsers();
      peak = Math.max(peak, active);
      usersThisSecond = Math.max(usersThisSecond, active);
      while (closedSeconds + 1 <= elapsed) {
        closeSecond();
        const auto = options.autoStop;
        const pct = auto ? recorder.errorPercentageOver(auto.timeWindowSeconds) : undefined;
        if (auto && pct !== undefined && pct > auto.errorPercentage) {
          return stopEarly(`autoStop: errors were ${pct.toFixed(1)}% of requests over the last ${auto.timeWindowSeconds} s, above ${auto.errorPercentage}%`);
        }
        const reason = options.checkStop?.(recorder, closedSeconds);
        if (reason) return stopEarly(reason);
      }
      const interval = options.progressIntervalSeconds ?? 5;
      if (options.onProgress && elapsed - lastProgress >= interval) {
        const window = recorder.takeWindow();
        options.onProgress({
          elapsedSeconds: Math.round(elapsed), requests: totalRequests, errors: totalErrors,
          rps: Math.round(window.requests / (elapsed - lastProgress)), p95Ms: window.p95, activeUsers: activeUsers(),
        });
        lastProgress = elapsed;
      }
    };

    const onAbort = () => {
      cancelled = true;
      void finish(true);
    };
    const control = setInterval(tick, CONTROL_INTERVAL_MS);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    for (const g of groups) {
      if (g.kind === 'closed') steer(g, 0);
      else arrive(g);
    }
    peak = activeUsers();
    usersThisSecond = peak;
  });
}

/** undici is loaded only when an https origin needs it: loading it costs about 0.1 s of CPU per process. */
function undiciClient(): typeof Client {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('undici') as typeof import('undici')).Client;
}

function describeError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
  return [code, error.message, cause?.code && cause.code !== code ? cause.code : undefined].filter(Boolean).join(' ');
}
