import { CancelledError } from '../errors';

/** The longest delay Node's timers honour (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Marks an abort caused by a step's own timeout, as opposed to the pipeline being cancelled. */
export class StepTimeout extends Error {
  constructor(readonly seconds: number) {
    super(`timed out after ${seconds}s`);
  }
}

/**
 * A signal that fires when the parent fires (cancel) or after `seconds` (timeout). `dispose` clears the timer.
 * The reason tells the two apart.
 */
export function stepSignal(parent: AbortSignal, seconds: number): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onParent = () => controller.abort(parent.reason instanceof CancelledError ? parent.reason : new CancelledError());
  if (parent.aborted) onParent();
  else parent.addEventListener('abort', onParent, { once: true });
  // setTimeout fires at once for delays over 2^31-1 ms; the config caps durations, this keeps a sum of them safe.
  const timer = setTimeout(() => controller.abort(new StepTimeout(seconds)), Math.min(MAX_TIMER_MS, Math.max(1, seconds * 1000)));
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}

/**
 * Settles with `work`, or rejects with the signal's reason as soon as it fires, so a step that ignores its signal
 * still cannot hang the drill. The work's own later rejection is swallowed.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
