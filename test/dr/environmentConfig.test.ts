import { strict as assert } from 'node:assert';
import { parseDrillConfig } from '../../src/dr/config';
import { ConfigError } from '../../src/errors';

/** Bad input in terraform and rollback drill files: every problem at once, each naming its line and key. */
function problemsOf(yaml: string): string[] {
  try {
    parseDrillConfig(yaml, '/drills/env.yaml', {});
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    return error.problems;
  }
  assert.fail('expected the drill file to be refused');
}

const terraform = (extra: string) => `service: orders
provider: terraform
terraform:
  configuration: ./infra
${extra}`;

const rollback = (extra: string) => `service: orders
provider: rollback
environment: staging
${extra}`;

describe('terraform and rollback drill files', () => {
  const cases: Array<{ name: string; yaml: string; expect: RegExp[] }> = [
    {
      name: 'terraform: unknown key under terraform -> its line and the nearest key',
      yaml: terraform('  suffixVariabel: suffix\nprobes: [{type: http, url: "${output.url}"}]\n'),
      expect: [/^env\.yaml:5 terraform\.suffixVariabel: unknown key "suffixVariabel"; did you mean "suffixVariable"\?/],
    },
    {
      name: 'terraform: a shell command probe -> asks for argv (no shell), at the probe line',
      yaml: terraform('probes:\n  - type: command\n    command: curl ${output.url}\n'),
      expect: [/^env\.yaml:7 probes\[0\]\.command: the terraform drill runs commands without a shell; write argv/],
    },
    {
      name: 'terraform: SQL probe without target.connection -> says to set it',
      yaml: terraform('probes: [select1]\n'),
      expect: [/^env\.yaml:5 probes\[0\]\.type: a SQL probe needs target\.connection/],
    },
    {
      name: 'terraform: rowcounts probe -> not available, lists the types it takes',
      yaml: terraform('target: {connection: "${output.db}"}\nprobes: [{type: rowcounts, tables: [orders]}]\n'),
      expect: [/probes\[0\]\.type: the terraform drill takes http, command, select1 and sql probes/],
    },
    {
      name: 'terraform: azurerm backend without a key -> asks for a scratch key',
      yaml: terraform('  backend: {type: azurerm, config: {container_name: tfstate}}\nprobes: [{type: http, url: "${output.url}"}]\n'),
      expect: [/^env\.yaml:5 terraform\.backend: an azurerm scratch state needs config\.key/],
    },
    {
      name: 'terraform: leak probe with neither argv nor url -> one of them',
      yaml: terraform('  leakProbe: {name: rg}\nprobes: [{type: http, url: "${output.url}"}]\n'),
      expect: [/terraform\.leakProbe: give the leak probe either argv .* or url/],
    },
    {
      name: 'terraform: restore-drill sections -> not used, remove them',
      yaml: terraform('backup: {fresh: true}\nprobes: [{type: http, url: "${output.url}"}]\n'),
      expect: [/^env\.yaml:5 backup: a terraform drill does not use backup; remove it/],
    },
    {
      name: 'terraform section under another provider -> belongs to provider terraform',
      yaml: 'service: orders\nprovider: command\nrestore: {command: ./r.sh}\nterraform: {configuration: ./infra}\nprobes: [{type: http, url: http://x}]\n',
      expect: [/^env\.yaml:4 terraform: belongs to provider: terraform/],
    },
    {
      name: 'rollback: no environment and no safeEnvironments -> both named',
      yaml: 'service: orders\nprovider: rollback\nrollback:\n  previous: {version: "1", argv: [./d.sh]}\n  current: {version: "2", argv: [./d.sh]}\nprobes: [{type: http, url: http://x}]\n',
      expect: [/missing required key "environment"/, /rollback: missing required key "safeEnvironments"/],
    },
    {
      name: 'rollback: a version with no way to deploy it -> says argv or slotSwap',
      yaml: rollback('rollback:\n  safeEnvironments: [staging]\n  previous: {version: "1"}\n  current: {version: "2", argv: [./d.sh]}\nprobes: [{type: http, url: http://x}]\n'),
      expect: [/^env\.yaml:6 rollback\.previous: say how to deploy this version: argv/],
    },
    {
      name: 'rollback: argv and slotSwap together -> choose one',
      yaml: rollback('rollback:\n  safeEnvironments: [staging]\n  previous: {version: "1", argv: [./d.sh]}\n  current: {version: "2"}\n  slotSwap: {resourceGroup: rg, app: web, slot: previous}\nprobes: [{type: http, url: http://x}]\n'),
      expect: [/rollback\.previous\.argv: choose one way to deploy/],
    },
    {
      name: 'rollback: SQL probe -> only http and command',
      yaml: rollback('rollback:\n  safeEnvironments: [staging]\n  previous: {version: "1", argv: [./d.sh]}\n  current: {version: "2", argv: [./d.sh]}\nprobes: [select1]\n'),
      expect: [/probes\[0\]\.type: the rollback drill takes http, command probes/],
    },
    {
      name: 'rollback: target duration typo -> not a duration',
      yaml: rollback('targets: {rollback: soon}\nrollback:\n  safeEnvironments: [staging]\n  previous: {version: "1", argv: [./d.sh]}\n  current: {version: "2", argv: [./d.sh]}\nprobes: [{type: http, url: http://x}]\n'),
      expect: [/^env\.yaml:4 targets\.rollback: "soon" is not a duration/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const problems = problemsOf(c.yaml);
      for (const pattern of c.expect) assert.ok(problems.some((p) => pattern.test(p)), `${pattern} not in:\n${problems.join('\n')}`);
    });
  }

  it('a valid terraform drill file: defaults applied, paths absolute, ${output.*} left for the drill to fill', () => {
    const config = parseDrillConfig(terraform('  variables: {location: westeurope, replicas: 2}\nprobes: [{type: http, url: "${output.health_url}"}]\n'), '/drills/env.yaml', {});
    assert.deepEqual(config.terraform, {
      configuration: '/drills/infra',
      variables: { location: 'westeurope', replicas: '2' },
      varFiles: [],
      suffixVariable: 'name_suffix',
      backend: { type: 'local', config: {} },
      binary: 'terraform',
      interruptGraceSeconds: 60,
      currency: 'USD',
    });
    assert.equal(config.probes[0].url, '${output.health_url}');
  });
});
