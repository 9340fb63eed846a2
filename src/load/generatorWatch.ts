import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * The generator watching itself during one run or capacity probe: the process's CPU time against wall time, and how late the event
 * loop ran (perf_hooks.monitorEventLoopDelay). A load generator that is out of CPU, or whose loop runs late, sends
 * late and times late, so what it measures then is its own limit, not the service's.
 */
export interface GeneratorFigures {
  /** Process CPU (user + system) over the probe, in percent of one core. */
  cpuPercent: number;
  /** 90th percentile of the event-loop delay over the probe, in milliseconds. */
  eventLoopDelayP90Ms: number;
  /** 99th percentile of the event-loop delay, in milliseconds: the stalls a tail percentile can be made of. */
  eventLoopDelayP99Ms: number;
  /** The longest stall: how late the loop ran at worst (a garbage collection, or the process waiting for a core). */
  eventLoopDelayMaxMs: number;
}

export class GeneratorWatch {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private cpu = process.cpuUsage();
  private wall = performance.now();

  constructor() {
    this.histogram.enable();
  }

  /** Figures since the watch started, then stops it. */
  stop(): GeneratorFigures {
    const cpu = process.cpuUsage(this.cpu);
    const wallMicros = (performance.now() - this.wall) * 1000;
    this.histogram.disable();
    // The histogram records nanoseconds and includes the sampling resolution itself (10 ms): subtract it.
    const late = (ns: number) => (this.histogram.count ? Math.round(Math.max(0, ns / 1e6 - 10) * 10) / 10 : 0);
    return {
      cpuPercent: wallMicros > 0 ? Math.round(((cpu.user + cpu.system) / wallMicros) * 1000) / 10 : 0,
      eventLoopDelayP90Ms: late(this.histogram.percentile(90)),
      eventLoopDelayP99Ms: late(this.histogram.percentile(99)),
      eventLoopDelayMaxMs: late(this.histogram.max),
    };
  }
}

/** Runs `work` under a watch, which stops on every path (its histogram samples on a timer of its own). */
export async function watchGenerator<T>(work: () => Promise<T>): Promise<{ result: T; generator: GeneratorFigures }> {
  const watch = new GeneratorWatch();
  let result: T;
  try {
    result = await work();
  } catch (error) {
    watch.stop();
    throw error;
  }
  return { result, generator: watch.stop() };
}

/** A generator busier than this share of its one core, or running late by this much, is measuring itself. */
const BUSY_CPU_PERCENT = 90;
const LATE_P99_MS = 20;

/**
 * The sentence a run's summary carries when its generator was saturated: latencies then include the generator's
 * own delay, and the run proves the agent's limit as much as the service's. Undefined for a healthy generator.
 */
export function generatorSaturation(g: Pick<GeneratorFigures, 'cpuPercent' | 'eventLoopDelayP99Ms'>): string | undefined {
  const busy = g.cpuPercent >= BUSY_CPU_PERCENT;
  const late = g.eventLoopDelayP99Ms >= LATE_P99_MS;
  if (!busy && !late) return undefined;
  const what = [busy ? `CPU ${g.cpuPercent}% of a core` : '', late ? `event loop late by ${g.eventLoopDelayP99Ms} ms at p99` : ''].filter(Boolean).join(', ');
  return `The load generator was saturated (${what}): latencies include its own delay. Run fewer users per agent, more engineInstances, or a quieter agent.`;
}
