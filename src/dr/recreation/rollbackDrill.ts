import { performance } from 'node:perf_hooks';
import { CheckFailedError, ConfigError } from '../../errors';
import { type DrillEvidence, type DrillMetrics, type ProbeResult } from '../../evidence/types';
import type { DrillConfig } from '../config';
import type { Failure } from '../outcome';
import { accessOf } from '../providers/azureArm';
import { firstLines } from '../providers/postgresArchive';
import type { DrillOptions } from '../runner';
import { drillContext, environmentDrillEvidence } from './envelope';
import { environmentCriteria, environmentVerdict } from './environmentOutcome';
import { seconds } from './phaseClock';
import { runInGroup } from './processGroup';
import { probeUntilPassed } from './probeUntil';
import { fillIn } from './scratch';
import { swapWithProduction } from './slotSwap';

/**
 * A rollback drill: with the current version healthy, deploy the previous known-good version and time it until
 * every probe passes against it (time to rollback), then deploy the current version again and time that too (time
 * to recover). The return to the current version runs whatever happened before it, cancel included, as a
 * recreation drill's destroy does. It only runs in an environment the drill file lists as safe for drills.
 */
export async function runRollbackDrill(config: DrillConfig, options: DrillOptions): Promise<DrillEvidence> {
  const settings = config.rollback!;
  const environment = options.environment ?? config.environment!;
  if (!settings.safeEnvironments.includes(environment)) {
    throw new ConfigError(
      `${config.file}: rollback.safeEnvironments: the drill is asked to run against "${environment}", which the drill file does not list as safe for drills (${settings.safeEnvironments.join(', ')}); a rollback drill takes that environment down to an older version, so add it there only if that is acceptable`,
    );
  }
  if (settings.slotSwap) accessOf(config); // no credential: bad input before anything is touched
  const { now, redact, progress, cancel, clock, startedAt } = drillContext(config, options);
  const probes: ProbeResult[] = [];
  let failure: Failure | undefined;
  let timeToRollbackSeconds: number | null = null;
  let timeToRecoverSeconds: number | null = null;

  const deploy = async (which: 'previous' | 'current', signal: AbortSignal): Promise<string> => {
    const version = settings[which].version;
    if (settings.slotSwap) return swapWithProduction(config.azure!, settings.slotSwap, signal, (m) => progress(m));
    const [program, ...args] = settings[which].argv!.map((a) => fillIn(a, { drill: { version } }));
    const env = { ...process.env, DRILL_VERSION: version, DRILL_ENVIRONMENT: environment, DRILL_SERVICE: config.service };
    const result = await runInGroup(program, args, { cwd: config.dir, env, signal, graceMs: 10_000, interrupt: 'SIGTERM' });
    if (result.code !== 0) throw new CheckFailedError(`deploying ${which} version ${version} failed: ${program} exited with ${result.signal ?? `code ${result.code}`}: ${firstLines(result.stderr || result.stdout)}`);
    return `${program} deployed ${version} (exit 0)`;
  };
  const healthy = async (which: 'previous' | 'current', signal: AbortSignal, record: boolean): Promise<string> => {
    const version = settings[which].version;
    const found = await probeUntilPassed(config.probes, { fill: (t) => fillIn(t, { drill: { version } }), cwd: config.dir, env: process.env }, signal, (m) => progress(m));
    if (record) probes.push(...found.map((p) => ({ ...p, name: `${which} ${version}: ${p.name}` })));
    const bad = found.filter((p) => p.status !== 'passed');
    if (bad.length) throw new CheckFailedError(`the ${which} version ${version} failed its health check: ${bad.map((p) => `${p.name} ${p.status}: ${p.detail}`).join('; ')}`);
    return `${found.length} probes passed against ${which} version ${version}`;
  };
  const probeBudget = config.probes.reduce((sum, p) => sum + p.timeoutSeconds, 0) + 30;

  progress('baseline', 5);
  failure = await clock.run('baseline', probeBudget, cancel, async (signal) => {
    try {
      return await healthy('current', signal, false);
    } catch (error) {
      // Not a rollback failure: the drill cannot start from an unhealthy environment, so it touches nothing.
      if (error instanceof CheckFailedError) throw new CheckFailedError(`not rolling back: ${error.message} before the drill`);
      throw error;
    }
  });
  let rolledBack = false;
  if (failure) {
    clock.skip('rollback', 'not run: the current version was not healthy to begin with');
  } else {
    progress('rollback', 20);
    let t0 = 0;
    failure = await clock.run('rollback', config.timeouts.deploy + probeBudget, cancel, async (signal) => {
      t0 = performance.now();
      rolledBack = true;
      const deployed = await deploy('previous', signal);
      const checked = await healthy('previous', signal, true);
      timeToRollbackSeconds = seconds(performance.now() - t0);
      return `${deployed}; ${checked}`;
    });
  }
  let recoverDetail = 'nothing was rolled back, so nothing to recover';
  if (rolledBack) {
    // Its own signal: the way back runs after a cancel too, bounded by timeouts.deploy and the probes.
    progress('recover', 60);
    const recovered = await clock.run('recover', config.timeouts.deploy + probeBudget, new AbortController().signal, async (signal) => {
      const t0 = performance.now();
      const deployed = await deploy('current', signal);
      const checked = await healthy('current', signal, true);
      timeToRecoverSeconds = seconds(performance.now() - t0);
      return `${deployed}; ${checked}`;
    });
    recoverDetail = clock.steps[clock.steps.length - 1].detail;
    if (recovered) failure ??= { ...recovered, message: `the return to the current version failed: ${recovered.message}` };
  }
  const stranded = rolledBack && timeToRecoverSeconds === null;
  if (stranded) progress(`THE ENVIRONMENT ${environment} MAY STILL RUN THE PREVIOUS VERSION ${settings.previous.version}: ${recoverDetail}`);
  const metrics: DrillMetrics = {
    provider: config.provider,
    targets: {
      rtoSeconds: config.targets.rtoSeconds,
      rpoSeconds: config.targets.rpoSeconds,
      timeToRollbackSeconds: config.targets.rollbackSeconds!,
      timeToRecoverSeconds: config.targets.recoverSeconds!,
    },
    rtoSeconds: null,
    rpoSeconds: null,
    rpoMethod: 'none',
    mode: 'rollback',
    timeToRollbackSeconds,
    timeToRecoverSeconds,
    versions: { previous: settings.previous.version, current: settings.current.version },
    backup: { location: settings.slotSwap ? `slot ${settings.slotSwap.slot} of ${settings.slotSwap.app}` : `version ${settings.previous.version}` },
    steps: clock.steps,
    probes: probes.map((p) => ({ ...p, detail: redact(p.detail) })),
    cleanup: {
      status: stranded ? 'failed' : 'done',
      leftBehind: stranded ? [`${environment} may still run ${settings.previous.version}`] : [],
      detail: redact(recoverDetail),
    },
    cancelled: failure?.kind === 'cancelled',
  };
  const criteria = environmentCriteria(metrics);
  const { verdict, summary } = environmentVerdict(failure, metrics, criteria);
  progress(summary, 100);
  if (clock.badInput && !stranded) throw clock.badInput;
  return environmentDrillEvidence(config, options, { environment, startedAt, finishedAt: now(), verdict, summary, criteria, metrics });
}
