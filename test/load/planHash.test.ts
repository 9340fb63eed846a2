import * as assert from 'node:assert/strict';
import { prepareLoadTest } from '../../src/load/runLoadTest';
import { planHash, shapeWithoutDuration } from '../../src/load/planHash';
import type { LoadShape } from '../../src/load/loadShape';
import { get, requestsJson, URL_YAML, writeTest } from './helpers';

const SECRET_YAML = `${URL_YAML}secrets:\n  - name: token\n    value: https://vault.example/secrets/token\n`;

/** The fingerprint of a plan as prepareLoadTest reads it, with the CLI's overrides and secret values. */
function hashOf(setup: Record<string, unknown>, options: { overrides?: { durationSeconds?: number; virtualUsers?: number }; token?: string; path?: string } = {}): string {
  const request = get('GetItem', `http://127.0.0.1:1${options.path ?? '/item'}`, { headers: { authorization: 'Bearer ${token}' } });
  const file = writeTest({ yaml: SECRET_YAML, requests: requestsJson([request], { virtualUsersPerEngine: 4, durationInSeconds: 10, ...setup }) });
  const secrets = { token: options.token ?? 'first-secret' };
  return planHash(prepareLoadTest({ configFile: file, overrides: options.overrides, secrets }).plan, secrets);
}

describe('load/planHash', () => {
  const same = hashOf({});
  const cases: Array<[string, string, boolean]> = [
    ['a longer run of the same test', hashOf({ durationInSeconds: 60 }), true],
    ['--duration override', hashOf({}, { overrides: { durationSeconds: 3 } }), true],
    ['another secret value (never part of the hash)', hashOf({}, { token: 'second-secret' }), true],
    ['more virtual users', hashOf({ virtualUsersPerEngine: 8 }), false],
    ['--vus override', hashOf({}, { overrides: { virtualUsers: 5 } }), false],
    ['a ramp-up', hashOf({ rampUpTimeInSeconds: 5 }), false],
    ['another endpoint', hashOf({}, { path: '/other' }), false],
  ];
  for (const [name, hash, equal] of cases) {
    it(`planHash: ${name} -> ${equal ? 'same plan' : 'different plan'}`, () => {
      assert.match(hash, /^[0-9a-f]{64}$/);
      assert.equal(hash === same, equal);
    });
  }

  const shapes: LoadShape[] = [
    { kind: 'linear', virtualUsers: 1, durationSeconds: 1, rampUpSeconds: 0 },
    { kind: 'step', virtualUsers: 1, durationSeconds: 1, rampUpSeconds: 0, rampUpSteps: 2 },
    { kind: 'spike', virtualUsers: 1, durationSeconds: 1, rampUpSeconds: 0, spikeMultiplier: 2, spikeHoldSeconds: 1 },
    { kind: 'constantArrivalRate', requestsPerSecond: 1, durationSeconds: 1, maxVirtualUsers: 1 },
  ];
  for (const shape of shapes) {
    it(`planHash: ${shape.kind} shape -> keys in the order localeCompare gave them, so recorded hashes still match`, () => {
      const keys = Object.keys(shape).filter((k) => k !== 'durationSeconds');
      assert.deepEqual(Object.keys(shapeWithoutDuration(shape)), [...keys].sort((a, b) => a.localeCompare(b)));
    });
  }
});
