import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULTS, DESCRIPTIONS, drillRows, PAGES, policyRows, typeOf } from '../../scripts/schemaReference';

const ROOT = path.join(__dirname, '..', '..');
const rows = [...policyRows(), ...drillRows()];
const ids = new Set(rows.map((r) => `${r.section}|${r.key}`));

describe('docs: policy and drill file references', () => {
  for (const [file, render] of Object.entries(PAGES)) {
    it(`${file}: generated from the JSON Schema -> identical to the checked-in file (run \`npx tsx scripts/schemaReference.ts\`)`, () => {
      assert.equal(readFileSync(path.join(ROOT, file), 'utf8'), render());
    });
  }

  it('references: every key of both schemas -> has a description', () => {
    const bare = rows.filter((r) => !r.description.trim()).map((r) => `${r.section}|${r.key}`);
    assert.deepEqual(bare, [], 'add these to DESCRIPTIONS in scripts/schemaReference.ts');
  });

  it('references: every description or default written by hand -> names a key the schema still has', () => {
    const stale = [...Object.keys(DESCRIPTIONS), ...Object.keys(DEFAULTS)].filter((id) => !ids.has(id));
    assert.deepEqual(stale, [], 'remove these from scripts/schemaReference.ts or fix their key path');
  });

  it('references: the keys the loaders read -> all listed (spot checks across sections)', () => {
    for (const id of ['top|checks[].type', 'docs|minContentChars', 'signoff|everyMember', 'top|timeouts.cleanup', 'probe:sql|expect', 'postgres|backup.directory', 'command|start.health.interval', 'embedded|source.seed']) {
      assert.ok(ids.has(id), `${id} is missing`);
    }
  });

  const types: Array<[string, Record<string, unknown>, string]> = [
    ['enum', { enum: ['warn', 'block'] }, 'one of `warn`, `block`'],
    ['list of alternatives', { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } }, 'list of (string or list of string)'],
    ['map', { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } }, 'map of name to list of string'],
    ['bounded integer', { type: 'integer', minimum: 1, maximum: 64 }, 'integer ≥ 1 and ≤ 64'],
    ['duration', { anyOf: [{ type: 'number' }, { type: 'string', pattern: '^(\\d+(ms|s|m|h|d)?)+$' }] }, 'duration'],
    ['untyped', {}, 'any'],
  ];
  for (const [name, schema, expected] of types) {
    it(`typeOf: ${name} -> "${expected}"`, () => assert.equal(typeOf(schema), expected));
  }
});
