import { ConfigError, InfrastructureError } from '../errors';
import type { LoadTestingClient } from './loadTestingClient';
import type { AltFileInfo, AltTest, FileValidationStatus } from './model';
import { sleep } from './sleep';

/**
 * After upload, the service validates test scripts and URL-test configs (VALIDATION_INITIATED, then SUCCESS or
 * FAILURE). AzureLoadTest@1 polls every 5 s for at most 10 minutes (reference §1.5 step 7); so do we.
 * VALIDATION_SUCCESS, NOT_VALIDATED and VALIDATION_NOT_REQUIRED all count as usable.
 * Every uploaded name must be listed with one of the terminal statuses before the files are judged: right after an
 * upload the service may not list the file yet, or may answer 404 for the test, and judging then would pass nothing.
 */
const TERMINAL: ReadonlyArray<FileValidationStatus> = ['VALIDATION_SUCCESS', 'VALIDATION_FAILURE', 'NOT_VALIDATED', 'VALIDATION_NOT_REQUIRED'];

export async function waitForValidation(
  client: LoadTestingClient,
  testId: string,
  fileNames: string[],
  options: { intervalMs: number; timeoutMs?: number; signal?: AbortSignal; progress?: (message: string) => void },
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    const test = await client.getTest(testId, options.signal);
    const listed = uploadedFiles(test);
    const files = fileNames.map((name) => ({ name, info: listed.find((f) => f.fileName === name) }));
    const failed = files.filter((f) => f.info?.validationStatus === 'VALIDATION_FAILURE');
    if (failed.length) {
      throw new ConfigError(failed.map((f) =>
        `${f.name}: Azure Load Testing could not validate the file: "${(f.info?.validationFailureDetails ?? 'no details given').trim()}". Fix the file and run again.`));
    }
    const pending = files.filter((f) => !f.info?.validationStatus || !TERMINAL.includes(f.info.validationStatus));
    if (!pending.length) return;
    const describe = () => pending.map((f) => (f.info ? f.name : `${f.name} (${test ? 'not listed on the test' : 'test not found'})`)).join(', ');
    if (Date.now() > deadline) {
      throw new InfrastructureError(`Azure Load Testing did not finish validating ${describe()} within ${formatWait(timeoutMs)}. Try again later.`);
    }
    if (!announced) {
      options.progress?.(`Waiting for Azure Load Testing to validate ${describe()}`);
      announced = true;
    }
    await sleep(options.intervalMs, options.signal);
  }
}

function formatWait(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}` : `${ms / 1000} s`;
}

function uploadedFiles(test: AltTest | undefined): AltFileInfo[] {
  const a = test?.inputArtifacts;
  if (!a) return [];
  return [a.testScriptFileInfo, a.urlTestConfigFileInfo, a.userPropFileInfo, a.inputArtifactsZipFileInfo, a.configFileInfo,
    ...(a.additionalFileInfo ?? [])].filter((f): f is AltFileInfo => !!f);
}
