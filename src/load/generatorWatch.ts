import * as fs from 'node:fs';
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
  /**
   * Share of the time some task on the machine waited for a CPU core (Linux pressure stall information, the `some`
   * line of /proc/pressure/cpu), in percent; undefined where the kernel does not expose it. A busy machine delays
   * the generator without its own CPU or event loop showing it: the process is ready but not running.
   */
  cpuPressurePercent?: number;
}

const PRESSURE_FILE = '/proc/pressure/cpu';

/** The cumulative microseconds of the `some` line of /proc/pressure/cpu; undefined when absent or unreadable. */
export function cpuPressureTotal(text: string): number | undefined {
  const m = /^some\b.*\btotal=(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

function readCpuPressure(): number | undefined {
  try {
    return cpuPressureTotal(fs.readFileSync(PRESSURE_FILE, 'utf8'));
  } catch {
    return undefined; // not Linux, or a kernel without PSI
  }
}

class GeneratorWatch {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private cpu = process.cpuUsage();
  private wall = performance.now();
  private pressure = readCpuPressure();

  constructor() {
    this.histogram.enable();
  }

  /** Figures since the watch started, then stops it. */
  stop(): GeneratorFigures {
    const cpu = process.cpuUsage(this.cpu);
    const wallMicros = (performance.now() - this.wall) * 1000;
    const pressure = readCpuPressure();
    this.histogram.disable();
    // The histogram records nanoseconds and includes the sampling resolution itself (10 ms): subtract it.
    const late = (ns: number) => (this.histogram.count ? Math.round(Math.max(0, ns / 1e6 - 10) * 10) / 10 : 0);
    return {
      cpuPercent: wallMicros > 0 ? Math.round(((cpu.user + cpu.system) / wallMicros) * 1000) / 10 : 0,
      eventLoopDelayP90Ms: late(this.histogram.percentile(90)),
      eventLoopDelayP99Ms: late(this.histogram.percentile(99)),
      eventLoopDelayMaxMs: late(this.histogram.max),
      ...(pressure !== undefined && this.pressure !== undefined && wallMicros > 0
        ? { cpuPressurePercent: Math.round(Math.min(100, Math.max(0, (100 * (pressure - this.pressure)) / wallMicros)) * 10) / 10 }
        : {}),
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
/** Tasks waiting for a core this share of the run: the machine, not the service, set the pace. */
const PRESSURE_PERCENT = 25;

/**
 * The sentence a run's summary carries when its generator was saturated: latencies then include the generator's
 * own delay, and the run proves the agent's limit as much as the service's. Undefined for a healthy generator.
 */
export function generatorSaturation(g: Pick<GeneratorFigures, 'cpuPercent' | 'eventLoopDelayP99Ms' | 'cpuPressurePercent'>): string | undefined {
  const busy = g.cpuPercent >= BUSY_CPU_PERCENT;
  const late = g.eventLoopDelayP99Ms >= LATE_P99_MS;
  const starved = (g.cpuPressurePercent ?? 0) >= PRESSURE_PERCENT;
  if (!busy && !late && !starved) return undefined;
  const what = [
    busy ? `CPU ${g.cpuPercent}% of a core` : '',
    late ? `event loop late by ${g.eventLoopDelayP99Ms} ms at p99` : '',
    starved ? `tasks waited for a core ${g.cpuPressurePercent}% of the run` : '',
  ].filter(Boolean).join(', ');
  return `The load generator was saturated (${what}): latencies include its own delay. Run fewer users per agent, more engineInstances, or a quieter agent.`;
}
