import { strict as assert } from 'node:assert';
import { drillCost } from '../../src/dr/recreation/cost';
import { fillIn } from '../../src/dr/recreation/scratch';
import { createdByType, pendingChanges } from '../../src/dr/recreation/terraformPlan';
import { terraformError } from '../../src/dr/recreation/terraformCli';
import { ConfigError } from '../../src/errors';

/** The pure parts of the recreation drill: plan reading, cost, placeholders, terraform's error text. */
describe('recreation drill parts', () => {
  const plan = {
    resource_changes: [
      { address: 'azurerm_linux_web_app.app', type: 'azurerm_linux_web_app', mode: 'managed', change: { actions: ['create'] } },
      { address: 'azurerm_linux_web_app.worker', type: 'azurerm_linux_web_app', mode: 'managed', change: { actions: ['delete', 'create'] } },
      { address: 'azurerm_resource_group.rg', type: 'azurerm_resource_group', mode: 'managed', change: { actions: ['update'] } },
      { address: 'data.azurerm_client_config.me', type: 'azurerm_client_config', mode: 'data', change: { actions: ['read'] } },
      { address: 'azurerm_key_vault.kv', type: 'azurerm_key_vault', mode: 'managed', change: { actions: ['no-op'] } },
    ],
    output_changes: { url: { actions: ['update'] }, name: { actions: ['no-op'] } },
  };

  it('plan: pending changes name each resource and output with its action; reads and no-ops are quiet', () => {
    assert.deepEqual(pendingChanges(plan), ['azurerm_linux_web_app.app (create)', 'azurerm_linux_web_app.worker (replace)', 'azurerm_resource_group.rg (update)', 'output.url (update)']);
  });

  it('plan: created resources counted by type, managed only', () => {
    assert.deepEqual([...createdByType(plan)], [['azurerm_linux_web_app', 2]]);
  });

  it('cost: count x price per hour x hours, unpriced types listed, a fraction of a cent kept', () => {
    const cost = drillCost(new Map([['azurerm_linux_web_app', 2], ['azurerm_resource_group', 1]]), { azurerm_linux_web_app: 0.19 }, 'EUR', 1800);
    assert.deepEqual(cost, { currency: 'EUR', hours: 0.5, lines: [{ type: 'azurerm_linux_web_app', count: 2, pricePerHour: 0.19, amount: 0.19 }], total: 0.19, unpriced: ['azurerm_resource_group'] });
    assert.ok(drillCost(new Map([['terraform_data', 2]]), { terraform_data: 0.01 }, 'USD', 6).total > 0);
  });

  const cases: Array<[string, string, string]> = [
    ['output', 'https://${output.host}/health', 'https://app-dr1.example.net/health'],
    ['suffix', 'rg-orders-${drill.suffix}', 'rg-orders-dr1'],
    ['untouched text', 'plain ${HOME} text', 'plain ${HOME} text'],
  ];
  for (const [name, text, expected] of cases) {
    it(`placeholders: ${name} -> ${expected}`, () => assert.equal(fillIn(text, { outputs: { host: 'app-dr1.example.net' }, drill: { suffix: 'dr1' } }), expected));
  }

  it('placeholders: an output the configuration does not have -> bad input listing the outputs it has', () => {
    assert.throws(() => fillIn('${output.hostname}', { outputs: { host: 'x', url: 'y' }, drill: {} }), (e: unknown) => e instanceof ConfigError && /no output "hostname" \(outputs: host, url\)/.test(e.message));
  });

  it('terraform errors: the Error blocks, without the source lines, the CLI-config warning left out', () => {
    const stderr = 'Warning: Unable to open CLI configuration file\n\nThe CLI configuration file at "/root/.terraformrc" does not exist.\n\nError: local-exec provisioner error\n\n  with terraform_data.migration,\n  on main.tf line 38, in resource "terraform_data" "migration":\n  38:   provisioner "local-exec" {\n\nError running command: exit status 1. Output: relation orders does not exist\n';
    assert.equal(terraformError({ code: 1, signal: null, stdout: '', stderr }), 'Error: local-exec provisioner error with terraform_data.migration, on main.tf line 38, in resource "terraform_data" "migration": Error running command: exit status 1. Output: relation orders does not exist');
  });
});
