import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironmentConfig, parseEnvironmentConfig } from '../../src/environment/config';
import { ConfigError } from '../../src/errors';

const dir = mkdtempSync(join(tmpdir(), 'env-config-'));
const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseEnvironmentConfig(text, 'environment.yaml', dir, env);
function problems(text: string): string[] {
  try {
    parse(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected problems');
}

describe('environment.yaml parsing', () => {
  it('config: a valid file -> typed checks with the documented defaults', () => {
    const config = parse(`service: shop
environment: production
checks:
  - { name: cert, type: tls, host: shop.example.com }
  - { name: grade, type: headers, url: "https://shop.example.com/" }
  - name: health
    type: health
    url: https://shop.example.com/healthz
    conditions: ['$.status == "Healthy"']
    headers: { x-key: "\${HEALTH_KEY}" }
  - { name: watch, type: watch, window: 15m, interval: 30s, health: { url: "https://shop.example.com/healthz" } }
`, { HEALTH_KEY: 'hunter2-secret' });
    assert.equal(config.checks.length, 4);
    const [tls, headers, health, watch] = config.checks as any[];
    assert.deepEqual([tls.port, tls.minDaysToExpiry, tls.hstsMinMaxAge, tls.serverName], [443, 21, 15_552_000, 'shop.example.com']);
    assert.equal(headers.minGrade, 'B');
    assert.equal(health.probe.headers['x-key'], 'hunter2-secret');
    assert.deepEqual(config.secrets, ['hunter2-secret']);
    assert.deepEqual([watch.windowMs, watch.intervalMs], [900_000, 30_000]);
  });

  const cases: Array<[string, string, RegExp]> = [
    ['unknown check type, with a suggestion', 'service: s\nenvironment: e\nchecks:\n  - { name: a, type: tsl, host: x }\n', /environment\.yaml:4 checks\[0\]\.type: unknown check type "tsl"; did you mean "tls"\?/],
    ['misspelt key, with the nearest valid key', 'service: s\nenvironment: e\nchecks:\n  - name: a\n    type: tls\n    host: x\n    minDaysToExpiri: 3\n', /environment\.yaml:7 checks\[0\]\.minDaysToExpiri: unknown key "minDaysToExpiri"; did you mean "minDaysToExpiry"\?/],
    ['a bad health condition, on its own line', 'service: s\nenvironment: e\nchecks:\n  - name: h\n    type: health\n    url: http://x/\n    conditions:\n      - "$.status = 1"\n', /environment\.yaml:8 checks\[0\]\.conditions\[0\]: .*expected one of ==/],
    ['a watch with no source', 'service: s\nenvironment: e\nchecks:\n  - { name: w, type: watch, window: 1m, interval: 10s }\n', /exactly one source: health .* or query/],
    ['a window shorter than the interval', 'service: s\nenvironment: e\nchecks:\n  - { name: w, type: watch, window: 5s, interval: 10s, health: { url: "http://x/" } }\n', /window must be at least one poll interval/],
    ['an unset ${VAR}', 'service: s\nenvironment: e\nchecks:\n  - { name: h, type: health, url: "http://x/", headers: { a: "${NOPE}" } }\n', /\$\{NOPE\} is not set/],
    ['a minimum grade that does not exist', 'service: s\nenvironment: e\nchecks:\n  - { name: g, type: headers, url: "https://x/", minGrade: E }\n', /"E" is not allowed/],
    ['a caFile that is not there', 'service: s\nenvironment: e\nchecks:\n  - { name: t, type: tls, host: x, caFile: missing.pem }\n', /caFile: cannot read a PEM certificate from .*missing\.pem \(ENOENT\)/],
    ['a dns check with nothing to compare', 'service: s\nenvironment: e\nchecks:\n  - { name: d, type: dns, host: x }\n', /needs at least one of a, aaaa or cname/],
    ['a monitoring resource that is not an id', 'service: s\nenvironment: e\nchecks:\n  - { name: m, type: monitoring, resources: [shop-web] }\n', /"shop-web" is not a resource id/],
    ['duplicate names', 'service: s\nenvironment: e\nchecks:\n  - { name: a, type: tls, host: x }\n  - { name: a, type: tls, host: y }\n', /environment\.yaml:5 checks\[1\]\.name: duplicate check name "a"/],
    ['a YAML syntax error', 'service: s\nchecks: [\n', /environment\.yaml:\d+:\d+ YAML syntax/],
  ];
  for (const [name, text, expected] of cases) {
    it(`config: ${name} -> a problem naming file and line`, () => {
      const list = problems(text);
      assert.ok(list.some((p) => expected.test(p)), list.join('\n'));
    });
  }

  it('config: several problems -> all reported at once', () => {
    const list = problems('service: s\nenvironment: e\nchecks:\n  - { name: a, type: tls }\n  - { name: b, type: dns, host: x }\n');
    assert.equal(list.length, 2, list.join('\n'));
  });
});

describe('environment.yaml example', () => {
  it('config: examples/environment/environment.yaml (App Service, Front Door, PostgreSQL flexible server) -> parses with every check type', () => {
    const config = loadEnvironmentConfig(join(__dirname, '../../examples/environment/environment.yaml'), { HEALTH_KEY: 'example-key' });
    assert.deepEqual(config.checks.map((c) => c.type), ['tls', 'headers', 'dns', 'health', 'monitoring', 'drift', 'watch']);
  });
});
