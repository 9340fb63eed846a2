import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDrill } from '../../src/dr/runner';
import { variant } from '../dr/drillFiles';

/**
 * Attack: a drill file's command line names `${VAR}`, and whoever sets VAR (a pipeline variable, a queue-time
 * parameter) chooses its value. If the value were pasted into the command text, shell syntax in it would run.
 * The value must reach the command as data: the shell expands `"${VAR}"` from the environment and never parses
 * the expanded text again.
 */
describe('attack: shell syntax in a ${VAR} value of a drill command', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'drill-injection-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const payloads = (pwned: string) => [
    { name: 'command substitution $(...)', value: `$(touch ${pwned})` },
    { name: 'backticks', value: `\`touch ${pwned}\`` },
    { name: 'command separator ;', value: `x; touch ${pwned}` },
    { name: 'and-list &&', value: `x && touch ${pwned}` },
    { name: 'pipe', value: `x | touch ${pwned}` },
    { name: 'closing quote', value: `x"; touch ${pwned}; echo "` },
  ];

  for (const { name, value: template } of payloads('PWNED')) {
    it(`${name}: the value is echoed as text, nothing it names runs`, async () => {
      const pwned = join(dir, 'pwned');
      const value = template.replace('PWNED', pwned);
      const seen = join(dir, 'seen');
      const file = variant('command.yaml', (d) => {
        d.backup = {};
        d.start = {};
        d.rpo = { command: 'date -u +%Y-%m-%dT%H:%M:%SZ' };
        d.restore.command = `printf '%s' "\${DRILL_INPUT}" > ${seen}`;
        d.probes = [{ type: 'command', command: `test -f ${seen}` }];
        d.cleanup.command = `echo \${DRILL_INPUT}`;
      });
      const evidence = await runDrill({ configFile: file, env: { DRILL_INPUT: value } });
      assert.equal(existsSync(pwned), false, `the value ran as shell code: ${evidence.summary}`);
      assert.equal(readFileSync(seen, 'utf8'), value, 'the command received the value verbatim, as one argument');
      assert.equal(evidence.verdict, 'passed', evidence.summary);
    });
  }

  it('values outside command keys are still expanded in place (target.name reaches DRILL_TARGET as written)', async () => {
    const seen = join(dir, 'target');
    const file = variant('command.yaml', (d) => {
      d.backup = {};
      d.start = {};
      d.rpo = { command: 'date -u +%Y-%m-%dT%H:%M:%SZ' };
      d.target = { name: '${SCRATCH}' };
      d.restore.command = `printf '%s' "$DRILL_TARGET" > ${seen}`;
      d.probes = [{ type: 'command', command: 'true' }];
      d.cleanup.command = 'true';
    });
    const evidence = await runDrill({ configFile: file, env: { SCRATCH: 'scratch-$(id)' } });
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.equal(readFileSync(seen, 'utf8'), 'scratch-$(id)');
  });
});
