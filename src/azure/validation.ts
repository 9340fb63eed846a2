import { ConfigError, InfrastructureError } from '../errors';
import type { LoadTestingClient } from './loadTestingClient';
import type { AltFileInfo, AltTest } from './model';
import { sleep } from './sleep';

/**
 * After upload the service validates the test script (the JMX or Locust file, or the URL test's requests JSON):
 * VALIDATION_INITIATED, then a final status. Other files are not validated: the spec's examples report their
 * `validationStatus` as "" (azure-rest-api-specs loadtestservice, examples CreateOrUpdateTest.json and
 * CreateOrUpdateTestRun.json). So, as the official client does (Azure/load-testing, awaitTerminations):
 * - only the script is waited on: `testScriptFileInfo`, or `urlTestConfigFileInfo` for URL tests;
 * - only VALIDATION_INITIATED is pending; every other status is final, the empty one included;
 * - once the script is final, a VALIDATION_FAILURE on it or on any other file fails with the service's details.
 * The script's entry must name the file just uploaded: until the service lists it, the wait goes on.
 * Polling every 5 s for at most 10 minutes follows AzureLoadTest@1 (reference §1.5 step 7).
 */
export async function waitForValidation(
  client: LoadTestingClient,
  testId: string,
  script: { fileName: string; urlTest: boolean },
  options: { intervalMs: number; timeoutMs?: number; signal?: AbortSignal; progress?: (message: string) => void },
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    const test = await client.getTest(testId, options.signal);
    const artifacts = test?.inputArtifacts;
    const info = script.urlTest ? artifacts?.urlTestConfigFileInfo : artifacts?.testScriptFileInfo;
    const listed = info?.fileName === script.fileName;
    if (listed && info.validationStatus !== 'VALIDATION_INITIATED') {
      const failed = uploadedFiles(test).filter((f) => f.validationStatus === 'VALIDATION_FAILURE');
      if (failed.length) {
        throw new ConfigError(failed.map((f) =>
          `${f.fileName}: Azure Load Testing could not validate the file: "${(f.validationFailureDetails ?? 'no details given').trim()}". Fix the file and run again.`));
      }
      return;
    }
    const what = listed ? script.fileName : `${script.fileName} (${test ? 'not listed on the test' : 'test not found'})`;
    if (Date.now() > deadline) {
      throw new InfrastructureError(`Azure Load Testing did not finish validating ${what} within ${formatWait(timeoutMs)}. Try again later.`);
    }
    if (!announced) {
      options.progress?.(`Waiting for Azure Load Testing to validate ${what}`);
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
