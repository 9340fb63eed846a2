import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AGGREGATES_BY_METRIC, parseAutoStop, parseFailureCriteria } from '../../src/criteria';
import { ConfigError } from '../../src/errors';
import { parseYamlSource } from '../../src/config/yamlSource';

/** docs/criteria.md is read by this test, so its examples cannot drift from the parser. */
const doc = readFileSync(path.join(__dirname, '../../docs/criteria.md'), 'utf8');
const blocks = [...doc.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({ info: m[1].trim(), body: m[2] }));

/** The message of a ConfigError; anything else is rethrown, because a crash is never an acceptable answer. */
function messageOf(error: unknown): string {
  if (!(error instanceof ConfigError)) throw error;
  return error.message;
}

function parseExample(body: string) {
  const source = parseYamlSource('loadtest.yaml', body);
  assert.deepEqual(source.syntaxProblems, []);
  const data = source.data as Record<string, unknown>;
  const scoped = (key: string) => ({ file: 'loadtest.yaml', lineOf: (p: (string | number)[]) => source.lineOf([key, ...p]) });
  const messages: string[] = [];
  let criteria: ReturnType<typeof parseFailureCriteria> = [];
  if ('failureCriteria' in data) {
    try {
      criteria = parseFailureCriteria(data.failureCriteria, scoped('failureCriteria'));
    } catch (error) {
      messages.push(messageOf(error));
    }
  }
  if ('autoStop' in data) {
    try {
      parseAutoStop(data.autoStop, scoped('autoStop'));
    } catch (error) {
      messages.push(messageOf(error));
    }
  }
  return { data, criteria, messages };
}

describe('docs/criteria.md examples', () => {
  it('docs: the page has examples of every sort', () => {
    const infos = blocks.map((b) => b.info);
    assert.ok(infos.filter((i) => i === 'yaml').length >= 6);
    assert.ok(infos.includes('yaml invalid'));
    assert.ok(infos.includes('yaml reduces-to'));
  });

  blocks.forEach((block, index) => {
    const next = blocks[index + 1];
    const lines = block.body.split('\n').map((l) => l.trim());
    const firstLine = lines.find((l) => l.startsWith('- ')) ?? lines[0];
    if (block.info === 'yaml') {
      it(`docs: example ${index} (${firstLine}) -> parses`, () => {
        const { data, messages } = parseExample(block.body);
        assert.ok('failureCriteria' in data || 'autoStop' in data, 'example has neither failureCriteria nor autoStop');
        assert.deepEqual(messages, []);
      });
    } else if (block.info === 'yaml invalid') {
      it(`docs: invalid example ${index} -> rejected with the message shown after it`, () => {
        assert.equal(next?.info, 'text', 'an invalid example must be followed by a text block with the message');
        assert.equal(parseExample(block.body).messages.join('\n'), next.body.trimEnd());
      });
    } else if (block.info === 'yaml reduces-to') {
      it(`docs: duplicate example ${index} -> reduces to the criteria shown after it`, () => {
        const { criteria, messages } = parseExample(block.body);
        assert.deepEqual(messages, []);
        assert.equal(next?.info, 'text');
        assert.deepEqual(criteria.map((c) => c.expression), next.body.trimEnd().split('\n'));
      });
    }
  });

  it('docs: the metrics table lists exactly the aggregates the parser accepts', () => {
    const rows = [...doc.matchAll(/^\| (response_time_ms|latency|error|requests_per_sec|requests) \| ([^|]+) \|/gm)];
    const table = Object.fromEntries(rows.map((r) => [r[1], r[2].split(',').map((a) => a.trim())]));
    assert.deepEqual(table, AGGREGATES_BY_METRIC);
  });
});
