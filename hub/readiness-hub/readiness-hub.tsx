import 'azure-devops-ui/Core/override.css';
import '../common.css';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { AzureDevOpsReadinessClient } from '../client/AzureDevOpsReadinessClient';
import { HubApp, parseRoute } from '../components/HubApp';
import { startContribution } from '../components/startContribution';

// Entry: handshake, render, notify the host (see startContribution).
void startContribution((root) => {
  ReactDOM.render(<HubApp client={new AzureDevOpsReadinessClient()} initialRoute={parseRoute(window.location.hash)} />, root);
});
