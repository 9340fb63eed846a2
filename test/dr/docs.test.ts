import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDrillConfig } from '../../src/dr/config';
import { ConfigError } from '../../src/errors';

const DOC = resolve(__dirname, '../../docs/drills.md');

/** Every YAML example in docs/drills.md is a drill file (or a provider's part of one) that we accept. */
describe('docs/drills.md examples', () => {
  const text = readFileSync(DOC, 'utf8');
  const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  const env = { PGPASSWORD: 'x', DRILL_PASSWORD: 'y' };

  it('docs: there are YAML examples to check', () => assert.ok(blocks.length >= 5));

  blocks.forEach((block, i) => {
    it(`docs: YAML example ${i + 1} (${block.split('\n').find((l) => /^provider:/.test(l)) ?? 'no provider line'}) -> accepted`, () => {
      const drill = /^service:/m.test(block) ? block : `service: docs-example\n${block}`;
      parseDrillConfig(drill, join(resolve(DOC, '..'), 'drill.yaml'), env);
    });
  });

  it('docs: the error lines shown are what the validator prints', () => {
    const shown = [...text.matchAll(/```text\n([\s\S]*?)```/g)][0][1].trim().split('\n');
    const file = `service: x
provider: postgres
source:
  connection: postgres://app:\${PGPASSWORD}@127.0.0.1:5432/orders
backup: { fresh: true }
target: { database: d }
timeouts:
  restor: 5m
rpo:
  heartbeat:
    table: heartbeat


    write: true
`;
    try {
      parseDrillConfig(file, '/x/drill.yaml', {});
      assert.fail('expected problems');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      for (const line of shown) {
        const [, key, message] = /^drill\.yaml:\d+ (\S+): (.*)$/.exec(line)!;
        assert.ok(error.problems.some((p) => p.includes(`${key}: ${message}`)), `${line}\nnot among\n${error.problems.join('\n')}`);
      }
    }
  });
});
