import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../src/errors';
import { editorSchema } from '../../src/gate/policySchema';
import { loadPolicy, parsePolicy } from '../../src/gate/policy';

const ROOT = path.resolve(__dirname, '../..');

const valid = `service: checkout
roles:
  ops: { users: [a] }
checks:
  - id: load
    title: Load
    owner: ops
    type: loadtest
    rule: { passedWithinDays: 7, metrics: ["p95 <= 300"] }
  - id: approve
    title: Approve
    owner: ops
    type: signoff
    rule: { roles: [ops] }
levels:
  - name: bronze
    checks: [load]
  - name: gold
    checks: [approve]
environments:
  production: { requiredLevel: gold, enforcement: block }
`;

/** Replaces one line of the valid policy (1-based) and returns the problems. */
function problemsWith(lineNo: number, replacement: string): string[] {
  const lines = valid.split('\n');
  lines[lineNo - 1] = replacement;
  try {
    parsePolicy(lines.join('\n'), 'readiness.yml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

const cases: Array<{ name: string; line: number; replacement: string; expect: string }> = [
  { name: 'unknown check type -> names the line and the types', line: 8, replacement: '    type: chaos', expect: 'readiness.yml:8 checks[0].type: unknown check type "chaos"; expected one of: loadtest, drill, docs, environment, signoff' },
  { name: 'misspelt check type -> nearest type', line: 8, replacement: '    type: loadtset', expect: 'readiness.yml:8 checks[0].type: unknown check type "loadtset"; did you mean "loadtest"?' },
  { name: 'rule naming a metric no task produces -> names the line and the nearest metric', line: 9, replacement: '    rule: { passedWithinDays: 7, metrics: ["p97 <= 300"] }', expect: 'readiness.yml:9 checks[0].rule.metrics[0]: no task produces a load-test metric "p97"; did you mean "p90"?' },
  { name: 'level refers to an undefined check -> names the line', line: 17, replacement: '    checks: [lod]', expect: 'readiness.yml:17 levels[0].checks[0]: level "bronze" refers to undefined check "lod"; did you mean "load"?' },
  { name: 'unknown top-level key -> nearest valid key on its line', line: 2, replacement: 'rolse:', expect: 'readiness.yml:2 rolse: unknown key "rolse"; did you mean "roles"?' },
  { name: 'unknown rule key -> nearest valid key', line: 9, replacement: '    rule: { passedWithinDay: 7 }', expect: 'readiness.yml:9 checks[0].rule.passedWithinDay: unknown key "passedWithinDay"; did you mean "passedWithinDays"?' },
  { name: 'enforcement misspelt -> nearest value', line: 21, replacement: '  production: { requiredLevel: gold, enforcement: blok }', expect: 'readiness.yml:21 environments.production.enforcement: "blok" is not allowed; did you mean "block"?' },
  { name: 'environment requires an undefined level', line: 21, replacement: '  production: { requiredLevel: silver, enforcement: block }', expect: 'readiness.yml:21 environments.production.requiredLevel: undefined level "silver"; expected one of: bronze, gold' },
  { name: 'sign-off naming an undefined role', line: 14, replacement: '    rule: { roles: [security] }', expect: 'readiness.yml:14 checks[1].rule.roles[0]: role "security" is not defined under roles; define it with the groups or users who may sign' },
  { name: 'bound that is not a bound', line: 9, replacement: '    rule: { passedWithinDays: 7, metrics: ["fast please"] }', expect: 'readiness.yml:9 checks[0].rule.metrics[0]: "fast please" is not a bound; write it as "metric op number", e.g. "p95 <= 300"' },
  { name: 'negative age limit', line: 9, replacement: '    rule: { passedWithinDays: -1 }', expect: 'readiness.yml:9 checks[0].rule.passedWithinDays: must be >= 0' },
  { name: 'age limit as text', line: 9, replacement: '    rule: { passedWithinDays: seven }', expect: 'readiness.yml:9 checks[0].rule.passedWithinDays: must be a whole number' },
  { name: 'duplicate check id', line: 10, replacement: '  - id: load', expect: 'readiness.yml:10 checks[1].id: duplicate check id "load"; each check needs its own id' },
  { name: 'YAML syntax error -> line of the error', line: 3, replacement: '  ops: { users: [a }', expect: 'readiness.yml:3' },
];

describe('gate: policy', () => {
  for (const c of cases) {
    it(`policy: ${c.name}`, () => {
      const problems = problemsWith(c.line, c.replacement);
      assert.ok(
        problems.some((p) => p.startsWith(c.expect)),
        `expected a problem starting with:\n  ${c.expect}\ngot:\n  ${problems.join('\n  ')}`,
      );
    });
  }

  it('policy: several problems -> all reported at once, in file order', () => {
    const text = valid.replace('type: loadtest', 'type: chaos').replace('checks: [approve]', 'checks: [aprove]').replace('enforcement: block', 'enforcement: stop');
    try {
      parsePolicy(text, 'readiness.yml');
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 3, error.message);
      assert.deepEqual(
        error.problems.map((p) => Number(/:(\d+)/.exec(p)![1])),
        [8, 19, 21],
      );
      assert.match(error.message, /^3 problems:/);
    }
  });

  it('policy: drill durations -> seconds', () => {
    const p = parsePolicy(valid.replace('type: loadtest\n    rule: { passedWithinDays: 7, metrics: ["p95 <= 300"] }', 'type: drill\n    rule: { passedWithinDays: 30, rto: 1h30m, rpo: 90 }'), 'r.yml');
    const drill = p.checks[0];
    assert.equal(drill.type, 'drill');
    assert.deepEqual(drill.rule, { passedWithinDays: 30, rtoSeconds: 5400, rpoSeconds: 90 });
  });

  it('policy: bad duration -> names the line and the accepted forms', () => {
    const text = valid.replace('type: loadtest\n    rule: { passedWithinDays: 7, metrics: ["p95 <= 300"] }', 'type: drill\n    rule: { passedWithinDays: 30, rto: 15min }');
    assert.throws(() => parsePolicy(text, 'r.yml'), /^Error: r.yml:9 checks\[0\].rule.rto: "15min" is not a duration; write e.g. 15m, 90s or 1h30m$|r.yml:9 checks\[0\].rule.rto: "15min" is not a duration/);
  });

  it('policy: missing file -> ConfigError saying to pass --policy', async () => {
    await assert.rejects(loadPolicy(path.join(ROOT, 'nope/readiness.yml'), 'nope/readiness.yml'), (e: unknown) => e instanceof ConfigError && /nope\/readiness.yml: policy file not found; pass --policy/.test(e.message));
  });

  it('policy: not a mapping -> one clear problem', () => {
    assert.throws(() => parsePolicy('- just\n- a list\n', 'r.yml'), /r.yml:1: must be a mapping of keys to values/);
  });

  for (const file of ['examples/policy/small-service.yml', 'examples/policy/regulated-service.yml', 'examples/sample-service/readiness.yml']) {
    it(`policy: example ${file} -> loads`, async () => {
      const policy = await loadPolicy(path.join(ROOT, file), file);
      assert.ok(policy.checks.length >= 2);
      assert.ok(Object.keys(policy.environments).length >= 1);
    });
  }
});

describe('gate: editor schema', () => {
  it('schema: examples/policy/readiness.schema.json is the current editorSchema()', async () => {
    const onDisk = JSON.parse(await readFile(path.join(ROOT, 'examples/policy/readiness.schema.json'), 'utf8'));
    assert.deepEqual(onDisk, JSON.parse(JSON.stringify(editorSchema())), 'regenerate the file from editorSchema()');
  });

  it('schema: every example policy validates; a rule key of another type does not', async () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(editorSchema());
    for (const file of ['examples/policy/small-service.yml', 'examples/policy/regulated-service.yml', 'examples/sample-service/readiness.yml']) {
      const doc = parseYaml(await readFile(path.join(ROOT, file), 'utf8'));
      assert.ok(validate(doc), `${file}: ${JSON.stringify(validate.errors)}`);
    }
    const wrong = parseYaml(valid.replace('rule: { roles: [ops] }', 'rule: { roles: [ops], rto: 15m }'));
    assert.equal(validate(wrong), false);
  });
});
