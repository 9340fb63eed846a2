import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CAPACITY_DEFAULTS, parseCapacitySettings } from '../../src/capacity/settings';
import { prepareLoadTest } from '../../src/load/runLoadTest';

const ROOT = path.resolve(__dirname, '../..');
const DOC = fs.readFileSync(path.join(ROOT, 'docs/capacity.md'), 'utf8');

describe('capacity/docs', () => {
  it('docs/capacity.md: the YAML block marked with a file -> equals that file, which loads with its capacity block', () => {
    const blocks = [...DOC.matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)```/g)];
    assert.equal(blocks.length, 1);
    const [, file, body] = blocks[0];
    assert.equal(body, fs.readFileSync(path.join(ROOT, file), 'utf8'));
    const { config } = prepareLoadTest({ configFile: path.join(ROOT, file) });
    const settings = parseCapacitySettings(config);
    assert.equal(settings.serviceLevel.length, 3);
    assert.equal(settings.expectedPeakRps, 150);
  });

  it('docs/capacity.md: the settings table lists every key with the default the code uses', () => {
    const row = (key: string) => new RegExp(`^\\| \`${key.replace('.', '\\.')}\` \\| \`?([^|\`]+)\`? \\|`, 'm').exec(DOC)?.[1];
    for (const key of ['startRps', 'maxRps', 'stepFactor', 'holdSeconds', 'confirmSeconds', 'precisionPercent', 'maxVirtualUsers', 'plateauPercent'] as const) {
      assert.equal(Number(row(key)), CAPACITY_DEFAULTS[key], key);
    }
    assert.equal(Number(row('budget.seconds')), CAPACITY_DEFAULTS.budget.seconds);
    assert.equal(Number(row('budget.requests')), CAPACITY_DEFAULTS.budget.requests);
    assert.equal(Number(row('generator.cpuPercent')), CAPACITY_DEFAULTS.generator.cpuPercent);
    assert.equal(Number(row('generator.lagMs')), CAPACITY_DEFAULTS.generator.lagMs);
    assert.equal(Number(row('azure.steps')), CAPACITY_DEFAULTS.azure.steps);
    assert.equal(row('azure.stopAtKnee'), String(CAPACITY_DEFAULTS.azure.stopAtKnee));
  });
});

describe('capacity: the capacity block is ours, not Azure\'s', () => {
  it('capacity block -> listed as a local-only key (engine azure refuses it instead of sending it)', () => {
    const { config } = prepareLoadTest({ configFile: path.join(ROOT, 'examples/loadtest/capacity/loadtest.yaml') });
    assert.deepEqual(config.localOnlyKeys, ['capacity (line 15)']);
  });
});
