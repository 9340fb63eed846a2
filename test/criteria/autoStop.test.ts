import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors';
import { parseAutoStop, type AutoStop } from '../../src/criteria';

describe('autoStop', () => {
  const where = { file: 'loadtest.yaml', lineOf: (p: (string | number)[]) => (p.length ? 20 + p.length : 20) };
  const accepted: Array<[string, unknown, AutoStop]> = [
    ['absent -> Azure defaults 90% over 60 s', undefined, { disabled: false, errorPercentage: 90, timeWindowSeconds: 60 }],
    ['"disable" -> off', 'disable', { disabled: true, errorPercentage: 90, timeWindowSeconds: 60 }],
    ['full map -> every value kept', { errorPercentage: 80, timeWindow: 30, maximumVirtualUsersPerEngine: 5000 }, { disabled: false, errorPercentage: 80, timeWindowSeconds: 30, maximumVirtualUsersPerEngine: 5000 }],
    ['only errorPercentage -> default window', { errorPercentage: 12.5 }, { disabled: false, errorPercentage: 12.5, timeWindowSeconds: 60 }],
    ['only timeWindow -> default percentage', { timeWindow: 5 }, { disabled: false, errorPercentage: 90, timeWindowSeconds: 5 }],
    ['errorPercentage 0 -> kept', { errorPercentage: 0 }, { disabled: false, errorPercentage: 0, timeWindowSeconds: 60 }],
  ];
  for (const [name, raw, expected] of accepted) {
    it(`autoStop: ${name}`, () => assert.deepEqual(parseAutoStop(raw, where), expected));
  }

  const rejected: Array<[string, unknown, RegExp[]]> = [
    ['"disabled" -> tells to write disable', 'disabled', [/^loadtest\.yaml:20 autoStop: "disabled" is not valid; write "disable"/]],
    ['a boolean -> names the two forms', false, [/autoStop: must be "disable" or a map/]],
    ['percentage above 100', { errorPercentage: 120 }, [/^loadtest\.yaml:21 autoStop\.errorPercentage: must be a number from 0 to 100 \(found 120\)/]],
    ['fractional window', { timeWindow: 2.5 }, [/autoStop\.timeWindow: must be a whole number of seconds above 0 \(found 2\.5\)/]],
    ['zero window', { timeWindow: 0 }, [/autoStop\.timeWindow: must be a whole number/]],
    ['text users', { maximumVirtualUsersPerEngine: 'many' }, [/maximumVirtualUsersPerEngine: must be a whole number above 0/]],
    ['misspelt key and bad value together -> both reported', { timeWindw: 3, errorPercentage: -1 }, [/unknown key "timeWindw"; did you mean "timeWindow"\?/, /errorPercentage: must be a number from 0 to 100/]],
  ];
  for (const [name, raw, patterns] of rejected) {
    it(`autoStop: ${name} -> ConfigError`, () => {
      assert.throws(
        () => parseAutoStop(raw, where),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.problems.length, patterns.length, error.problems.join('\n'));
          patterns.forEach((p) => assert.ok(error.problems.some((m) => p.test(m)), `${p} in ${error.problems.join('\n')}`));
          return true;
        },
      );
    });
  }
});
