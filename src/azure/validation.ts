import { ConfigError, InfrastructureError } from '../errors';
import type { LoadTestingClient } from './loadTestingClient';
import type { AltFileInfo, AltTest } from './model';
import { sleep } from './sleep';

/**
 * After upload, the service validates test scripts and URL-test configs (VALIDATION_INITIATED, then SUCCESS or
 * FAILURE). AzureLoadTest@1 polls every 5 s for at most 10 minutes (reference §1.5 step 7); so do we.
 * VALIDATION_SUCCESS, NOT_VALIDATED and VALIDATION_NOT_REQUIRED all count as usable.
 */
export async function waitForValidation(
  client: LoadTestingClient,
  testId: string,
  fileNames: string[],
  options: { intervalMs: number; timeoutMs?: number; signal?: AbortSignal; progress?: (message: string) => void },
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  let announced = false;
  for (;;) {
    const test = await client.getTest(testId, options.signal);
    const files = uploadedFiles(test).filter((f) => fileNames.includes(f.fileName));
    const failed = files.filter((f) => f.validationStatus === 'VALIDATION_FAILURE');
    if (failed.length) {
      throw new ConfigError(failed.map((f) =>
        `${f.fileName}: Azure Load Testing could not validate the file: "${(f.validationFailureDetails ?? 'no details given').trim()}". Fix the file and run again.`));
    }
    const pending = files.filter((f) => f.validationStatus === 'VALIDATION_INITIATED');
    if (!pending.length) return;
    if (Date.now() > deadline) {
      throw new InfrastructureError(`Azure Load Testing did not finish validating ${pending.map((f) => f.fileName).join(', ')} within 10 minutes. Try again later.`);
    }
    if (!announced) {
      options.progress?.(`Waiting for Azure Load Testing to validate ${pending.map((f) => f.fileName).join(', ')}`);
      announced = true;
    }
    await sleep(options.intervalMs, options.signal);
  }
}

function uploadedFiles(test: AltTest | undefined): AltFileInfo[] {
  const a = test?.inputArtifacts;
  if (!a) return [];
  return [a.testScriptFileInfo, a.urlTestConfigFileInfo, a.userPropFileInfo, a.inputArtifactsZipFileInfo, a.configFileInfo,
    ...(a.additionalFileInfo ?? [])].filter((f): f is AltFileInfo => !!f);
}
