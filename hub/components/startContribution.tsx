import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as SDK from 'azure-devops-extension-sdk';
import { StateView } from './PageState';

/** How long to wait for a host to answer the SDK handshake before saying so, instead of a blank page. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

const NO_HOST =
  'This page runs inside Azure DevOps (Pipelines → Readiness) or under `readiness serve`, which provides the host it needs. ' +
  'Opened on its own, nothing answers its start-up handshake.';

function showError(root: HTMLElement, message: string): void {
  ReactDOM.render(<StateView state={{ kind: 'error', message }} what="">{() => null}</StateView>, root);
}

/**
 * The shared start of both contributions: `SDK.init({ loaded: false })`, wait for the host, render, then
 * `notifyLoadSucceeded()` or `notifyLoadFailed(error)` (STYLE.md "Entry files").
 */
export async function startContribution(render: (root: HTMLElement) => void): Promise<void> {
  const root = document.getElementById('root') as HTMLElement;
  if (window.parent === window) {
    showError(root, NO_HOST);
    return;
  }
  const answered = await Promise.race([
    SDK.init({ loaded: false, applyTheme: true }).then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), HANDSHAKE_TIMEOUT_MS)),
  ]);
  if (!answered) {
    showError(root, `The host did not answer within ${HANDSHAKE_TIMEOUT_MS / 1000} s. ${NO_HOST}`);
    return;
  }
  try {
    await SDK.ready();
    render(root);
    await SDK.notifyLoadSucceeded();
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    showError(root, `The page could not start: ${failure.message}`);
    await SDK.notifyLoadFailed(failure);
  }
}
