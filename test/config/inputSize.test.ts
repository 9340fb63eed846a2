import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INPUT_LIMITS } from '../../src/config/inputSize';
import { parseYamlSource } from '../../src/config/yamlSource';
import { readEvidenceDir } from '../../src/evidence/files';
import { loadDrillConfig } from '../../src/dr/config';
import { loadPolicy } from '../../src/gate/policy';
import { loadAltConfig } from '../../src/load/altConfig';
import { loadUrlTest } from '../../src/load/urlTest';
import { ConfigError } from '../../src/errors';

/** Size caps: an input over its cap is refused before it is parsed, naming the file, its size, the cap and a remedy. */
describe('input size caps (YAML and JSON)', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'readiness-caps-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A syntactically valid file just over `bytes`: a comment line pads it, so only the size can be wrong. */
  const oversize = (name: string, bytes: number, head: string) => {
    const file = join(dir, name);
    writeFileSync(file, head + '\n' + (name.endsWith('.json') ? ' '.repeat(bytes) : `# ${'x'.repeat(bytes)}\n`));
    return file;
  };
  const refuses = (what: RegExp) => (error: Error) => {
    assert.ok(error instanceof ConfigError, `${error.name}: ${error.message}`);
    assert.match(error.message, what);
    return true;
  };

  const yamlCap = INPUT_LIMITS.yaml.bytes;
  const cases: Array<{ name: string; load: () => unknown; message: RegExp }> = [
    {
      name: 'load test configuration (YAML) -> names the file, size, 1 MB cap and a remedy',
      load: () => loadAltConfig(oversize('loadtest.yaml', yamlCap, 'version: v0.1')),
      message: /loadtest\.yaml: the file is 1\.0 MB, over the 1 MB limit for a YAML configuration; check the path/,
    },
    { name: 'drill file (YAML)', load: () => loadDrillConfig(oversize('drill.yaml', yamlCap, 'service: x')), message: /drill\.yaml: the file is 1\.0 MB, over the 1 MB limit/ },
    { name: 'policy (YAML)', load: () => loadPolicy(oversize('readiness.yml', yamlCap, 'version: 1')), message: /readiness\.yml: the file is 1\.0 MB, over the 1 MB limit/ },
    {
      name: 'requests JSON -> its own, larger cap',
      load: () => loadUrlTest(oversize('requests.json', INPUT_LIMITS.requests.bytes, '{}'), { dir, env: {}, secrets: {} } as never),
      message: /requests\.json: the file is 8\.0 MB, over the 8 MB limit for a requests JSON; .*CSV/,
    },
  ];
  for (const c of cases) {
    it(`cap: ${c.name}`, async () => {
      await assert.rejects(async () => c.load(), refuses(c.message));
    });
  }

  it('cap: YAML text that never was a file (a task input) gets the same cap, as a problem naming it', () => {
    const source = parseYamlSource('input', `a: ${'x'.repeat(yamlCap)}`, 'loadTestConfigFile input');
    assert.equal(source.data, undefined);
    assert.match(source.syntaxProblems.join(), /loadTestConfigFile input: the file is 1\.0 MB, over the 1 MB limit/);
  });

  it('cap: an oversize evidence file is listed as invalid, not read, and the others still count', async () => {
    const evidenceDir = mkdtempSync(join(dir, 'evidence-'));
    writeFileSync(join(evidenceDir, 'huge.json'), ' '.repeat(INPUT_LIMITS.json.bytes + 1));
    const contents = await readEvidenceDir(evidenceDir);
    assert.equal(contents.valid.length, 0);
    assert.match(contents.invalid[0].errors[0], /huge\.json: the file is 64\.0 MB, over the 64 MB limit for a JSON document/);
  });

  it('duplicate keys: still refused, naming both lines (checked in one pass, not by the quadratic parser option)', () => {
    const source = parseYamlSource('a.yaml', 'one: 1\ntwo: 2\nnested:\n  x: 1\n  x: 2\none: 3\n');
    assert.deepEqual(source.syntaxProblems, [
      'a.yaml:5:3 YAML syntax: Map keys must be unique; "x" is already set on line 4',
      'a.yaml:6:1 YAML syntax: Map keys must be unique; "one" is already set on line 1',
    ]);
  });

  it('many keys: a 20,000-key file parses, every key resolves to its own line (see bench/yaml-many-keys.ts for the timing)', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `key${i}: ${i}`).join('\n');
    const source = parseYamlSource('many.yaml', text);
    assert.deepEqual(source.syntaxProblems, []);
    assert.equal(Object.keys(source.data as object).length, 20_000);
    for (const i of [0, 7, 19_999]) assert.equal(source.lineOf([`key${i}`]), i + 1);
  });
});
