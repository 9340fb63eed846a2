import { ConfigError } from '../../errors';
import type { ProviderName } from '../config';
import type { DrillProvider } from '../provider';
import { azurePostgresFlexibleProvider } from './azurePostgresFlexible';
import { azureSqlProvider } from './azureSql';
import { commandProvider } from './command';
import { embeddedProvider } from './embedded';
import { postgresProvider } from './postgres';

/**
 * Providers by the `provider:` name of a drill file. A new provider registers here and adds its name to the
 * schema's provider enum with its own if/then branch, as the two Azure point-in-time-restore providers do.
 */
const providers = new Map<string, DrillProvider>([
  [postgresProvider.name, postgresProvider],
  [embeddedProvider.name, embeddedProvider],
  [commandProvider.name, commandProvider],
  [azurePostgresFlexibleProvider.name, azurePostgresFlexibleProvider],
  [azureSqlProvider.name, azureSqlProvider],
]);

export function providerFor(name: ProviderName | string): DrillProvider {
  const provider = providers.get(name);
  if (!provider) throw new ConfigError(`provider: "${name}" is not available; use one of ${[...providers.keys()].join(', ')}`);
  return provider;
}
