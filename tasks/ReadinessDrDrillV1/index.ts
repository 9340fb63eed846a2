import { ReadinessError } from '../../src/errors';
import { existingFileInput } from '../common/inputs';
import { runTask } from '../common/taskRunner';

void runTask(async () => {
  existingFileInput('drillFile');
  throw new ReadinessError('The drill runner is not built into this version of the task yet; no drill was run.');
});
