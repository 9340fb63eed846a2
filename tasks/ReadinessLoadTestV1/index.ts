import { ConfigError, ReadinessError } from '../../src/errors';
import { existingFileInput, optionalInput } from '../common/inputs';
import { runTask } from '../common/taskRunner';

void runTask(async () => {
  if (process.argv[2] === 'post') return { result: 'Succeeded', message: 'No cloud run to stop.' };
  const configFile = existingFileInput('loadTestConfigFile');
  if (!/\.ya?ml$/i.test(configFile)) {
    throw new ConfigError(`The input "loadTestConfigFile" must be a .yaml or .yml file; got ${configFile}.`);
  }
  const engine = optionalInput('engine') ?? 'local';
  if (engine !== 'local' && engine !== 'azure') {
    throw new ConfigError(`The input "engine" must be "local" or "azure"; got "${engine}".`);
  }
  throw new ReadinessError(`The ${engine} load engine is not built into this version of the task yet; nothing was run.`);
});
