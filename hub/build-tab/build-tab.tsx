import 'azure-devops-ui/Core/override.css';
import '../common.css';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as SDK from 'azure-devops-extension-sdk';
import { AzureDevOpsReadinessClient } from '../client/AzureDevOpsReadinessClient';
import { BuildResultsApp } from '../components/BuildResultsApp';
import { startContribution } from '../components/startContribution';

interface BuildLike {
  id: number;
  project: { id: string; name?: string };
}

interface TabConfiguration {
  onBuildChanged?: (handler: (build: BuildLike) => void) => void;
}

// Entry: the host hands the run to the tab through `onBuildChanged` in the contribution configuration
// (build-results-tab contract, vsts-extension-samples build-results-enhancer).
void startContribution((root) => {
  const config = SDK.getConfiguration() as TabConfiguration;
  if (typeof config.onBuildChanged !== 'function') throw new Error('The host did not pass the run to this tab (no onBuildChanged).');
  const client = new AzureDevOpsReadinessClient();
  config.onBuildChanged((build) => {
    ReactDOM.render(<BuildResultsApp client={client} build={{ project: build.project.id, buildId: build.id }} />, root);
  });
});
