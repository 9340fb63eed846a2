/**
 * One error family for the whole engine. The exit codes are the contract of DESIGN.md:
 * 0 passed, 1 the check ran and failed, 2 bad usage or bad input, 3 infrastructure error.
 *
 * `message` is the short, user-facing sentence (a remedy where we know one). `detail` carries the
 * longer text for logs. `cause` keeps the original error so nothing is lost when we wrap.
 */
export const ExitCode = Object.freeze({
  passed: 0,
  checkFailed: 1,
  badInput: 2,
  infrastructure: 3,
});

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class ReadinessError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly detail?: string;

  constructor(message: string, options: { exitCode?: ExitCodeValue; cause?: unknown; detail?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? ExitCode.infrastructure;
    this.detail = options.detail;
  }
}

/** Bad input: a configuration file, a CLI argument or a task input. Exit code 2. */
export class ConfigError extends ReadinessError {
  /** Every problem found, each already formatted as `file:line key: message`. */
  readonly problems: string[];

  constructor(problems: string | string[], options: { cause?: unknown } = {}) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.length === 1 ? list[0] : `${list.length} problems:\n${list.map((p) => `  - ${p}`).join('\n')}`, {
      exitCode: ExitCode.badInput,
      cause: options.cause,
    });
    this.problems = list;
  }
}

/** The check ran and did not pass (a failed criterion, a drill over RTO, a blocked gate). Exit code 1. */
export class CheckFailedError extends ReadinessError {
  constructor(message: string, options: { cause?: unknown; detail?: string } = {}) {
    super(message, { ...options, exitCode: ExitCode.checkFailed });
  }
}

/** Something outside the input failed: an unreachable target, a 401, a missing tool. Exit code 3. */
export class InfrastructureError extends ReadinessError {
  constructor(message: string, options: { cause?: unknown; detail?: string } = {}) {
    super(message, { ...options, exitCode: ExitCode.infrastructure });
  }
}

/** The user or the pipeline cancelled the work. Reported as an infrastructure outcome, never as a pass. */
export class CancelledError extends ReadinessError {
  constructor(message = 'Cancelled before the work finished.') {
    super(message, { exitCode: ExitCode.infrastructure });
  }
}

/** Turns anything thrown into a ReadinessError without losing it. Unknown errors are infrastructure errors. */
export function asReadinessError(error: unknown): ReadinessError {
  if (error instanceof ReadinessError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ReadinessError(`Unexpected error: ${message}`, { cause: error, exitCode: ExitCode.infrastructure });
}
