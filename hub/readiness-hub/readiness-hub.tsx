import 'azure-devops-ui/Core/override.css';
import '../common.css';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as SDK from 'azure-devops-extension-sdk';
import { AzureDevOpsReadinessClient } from '../client/AzureDevOpsReadinessClient';
import { HubApp, parseRoute } from '../components/HubApp';

// Entry: handshake, render, then tell the host whether loading worked (STYLE.md "Entry files").
async function main(): Promise<void> {
  await SDK.init({ loaded: false, applyTheme: true });
  try {
    await SDK.ready();
    ReactDOM.render(<HubApp client={new AzureDevOpsReadinessClient()} initialRoute={parseRoute(window.location.hash)} />, document.getElementById('root'));
    await SDK.notifyLoadSucceeded();
  } catch (error) {
    await SDK.notifyLoadFailed(error instanceof Error ? error : new Error(String(error)));
  }
}

void main();
