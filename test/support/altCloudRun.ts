import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCredential } from '../../src/azure/credentials';
import { runCloudLoadTest, type CloudRunOptions } from '../../src/azure/runCloudTest';
import { emulatedConnection, emulatedResource, type AltEmulator } from './altEmulator';

/** Poll intervals short enough for the emulator's 40 ms steps. */
export const FAST_POLLS = { validationMs: 20, runMs: 30, finishingMs: 20, artifactsMs: 20 };

/**
 * runCloudLoadTest against a started emulator, signed in with the emulated service principal (or workload identity
 * federation) and trusting the emulator's CA; `defaults` and then each call's options fill in the rest.
 */
export function cloudRunner(emu: AltEmulator, defaults: Pick<CloudRunOptions, 'resultsDirectory'> & Partial<CloudRunOptions>,
  scheme: 'ServicePrincipal' | 'WorkloadIdentityFederation' = 'ServicePrincipal') {
  const { credential, armEndpoint } = createCredential(emulatedConnection(emu, scheme), { caCertificate: emu.ca });
  return (extra: Partial<CloudRunOptions> = {}) => runCloudLoadTest({
    configFile: '', resource: emulatedResource(emu), credential, armEndpoint, caCertificate: emu.ca, waitForCompletion: true,
    pollIntervals: FAST_POLLS, retryDelayMs: 20, ...defaults, ...extra,
  });
}

/** Mocha hooks for a suite of cloud runs: a fresh results folder per test, and the test's emulator stopped after it. */
export function altRunFixture(): { emu?: AltEmulator; results: string } {
  const fixture: { emu?: AltEmulator; results: string } = { results: '' };
  beforeEach(() => (fixture.results = fs.mkdtempSync(path.join(os.tmpdir(), 'alt-results-'))));
  afterEach(async () => {
    await fixture.emu?.stop();
    fixture.emu = undefined;
    fs.rmSync(fixture.results, { recursive: true, force: true });
  });
  return fixture;
}
