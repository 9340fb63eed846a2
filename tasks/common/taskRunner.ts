import * as tl from 'azure-pipelines-task-lib/task';
import { ReadinessError } from '../../src/errors';
import { installSecretMasking } from './secretMasking';

/**
 * The one shell every task entry runs in. It owns the three things a task must get right on every
 * path: exactly one `setResult`, a message written for the user instead of a stack trace, and a
 * cancellation signal when the agent stops the job (the agent sends SIGINT, then SIGTERM).
 */
export interface TaskOutcome {
  result: 'Succeeded' | 'SucceededWithIssues' | 'Failed';
  message: string;
}

export interface TaskContext {
  signal: AbortSignal;
}

export async function runTask(body: (context: TaskContext) => Promise<TaskOutcome>): Promise<void> {
  installSecretMasking();
  const controller = new AbortController();
  const cancel = (signalName: string) => {
    if (controller.signal.aborted) return;
    console.log(`Received ${signalName}: stopping the work this task started.`);
    controller.abort();
  };
  process.on('SIGINT', () => cancel('SIGINT'));
  process.on('SIGTERM', () => cancel('SIGTERM'));

  let outcome: TaskOutcome;
  try {
    outcome = await body({ signal: controller.signal });
  } catch (error) {
    outcome = { result: 'Failed', message: describeFailure(error) };
  }
  if (controller.signal.aborted && outcome.result !== 'Failed') {
    outcome = { result: 'Failed', message: `Cancelled. ${outcome.message}` };
  }
  tl.setResult(tl.TaskResult[outcome.result], outcome.message);
}

/** A message for the log banner. The stack goes to the debug stream only, for troubleshooting. */
export function describeFailure(error: unknown): string {
  if (error instanceof ReadinessError) {
    if (error.detail) tl.debug(error.detail);
    return error.message;
  }
  // Only an unexpected error is worth a stack, and only on the debug stream (System.Debug).
  if (error instanceof Error && error.stack) tl.debug(error.stack);
  const message = error instanceof Error ? error.message : String(error);
  // task-lib reports a missing required input as "Input required: <name>".
  const missing = /^Input required: (.+)$/.exec(message);
  if (missing) return `The input "${missing[1]}" is required but empty. Set it in the task's inputs.`;
  return `Unexpected error: ${message}`;
}
