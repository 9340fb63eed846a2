import * as assert from 'node:assert/strict';
import { prepareLoadTest } from '../../src/load/runLoadTest';
import { planHash } from '../../src/load/planHash';
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
});
