import { ReadinessError } from '../../src/errors';
import { existingFileInput, requiredInput } from '../common/inputs';
import { runTask } from '../common/taskRunner';

void runTask(async () => {
  existingFileInput('policyFile');
  requiredInput('environment');
  throw new ReadinessError('Policy evaluation is not built into this version of the task yet; no verdict was reached.');
});
