import * as tl from 'azure-pipelines-task-lib/task';
import type { TokenCredential } from '@azure/core-auth';
import { createCredential } from '../../src/azure/credentials';
import { serviceConnectionFromEndpoint } from '../../src/azure/serviceConnection';
import { ConfigError } from '../../src/errors';
import { jobAccessToken } from './jobToken';

export interface AzureConnection {
  credential: TokenCredential;
  armEndpoint: string;
  subscriptionId?: string;
}

/**
 * The Azure Resource Manager service connection named by a task input, as an @azure/identity credential.
 * task-lib's getters are handed to the engine so it never imports task-lib; every secret and token the
 * credential sees is masked with tl.setSecret.
 */
export function azureConnectionFromInput(inputName = 'connectedServiceNameARM'): AzureConnection {
  const id = tl.getInput(inputName, false)?.trim();
  if (!id) {
    throw new ConfigError('The input "azureSubscription" is required for Azure: name an Azure Resource Manager service connection whose identity may use the resource.');
  }
  const { connection, subscriptionId } = serviceConnectionFromEndpoint(id, {
    scheme: () => tl.getEndpointAuthorizationScheme(id, true),
    authParameter: (n) => tl.getEndpointAuthorizationParameter(id, n, true),
    dataParameter: (n) => tl.getEndpointDataParameter(id, n, true),
    url: () => tl.getEndpointUrl(id, true),
    variable: (n) => tl.getVariable(n),
    jobAccessToken,
  });
  const { credential, armEndpoint } = createCredential(connection, { markSecret: (value) => tl.setSecret(value) });
  return { credential, armEndpoint, subscriptionId };
}
