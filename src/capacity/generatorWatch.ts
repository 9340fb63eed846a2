import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * The generator watching itself during one probe: the process's CPU time against wall time, and how late the event
 * loop ran (perf_hooks.monitorEventLoopDelay). A load generator that is out of CPU, or whose loop runs late, sends
 * late and times late, so what it measures then is its own limit, not the service's.
 */
export interface GeneratorFigures {
  /** Process CPU (user + system) over the probe, in percent of one core. */
  cpuPercent: number;
  /** 90th percentile of the event-loop delay over the probe, in milliseconds. */
  eventLoopDelayP90Ms: number;
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
    const p90 = this.histogram.count ? Math.max(0, this.histogram.percentile(90) / 1e6 - 10) : 0;
    return {
      cpuPercent: wallMicros > 0 ? Math.round(((cpu.user + cpu.system) / wallMicros) * 1000) / 10 : 0,
      eventLoopDelayP90Ms: Math.round(p90 * 10) / 10,
    };
  }
}
