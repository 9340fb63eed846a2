/**
 * The drill-file keys of the two environment drills: `provider: terraform` (rebuild the environment from its
 * Terraform configuration into a scratch copy) and `provider: rollback` (deploy the previous version and come
 * back). src/dr/schema.ts adds these branches to its `allOf`; the keys are described so an editor shows them.
 */
const nonEmpty = { type: 'string', minLength: 1 };
const described = (description: string, schema: Record<string, unknown> = nonEmpty) => ({ ...schema, description });
const argv = (description: string) => described(description, { type: 'array', minItems: 1, items: { type: 'string' } });
const closed = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required });
const duration = {
  description: 'A duration: `90s`, `15m`, `1h30m`, `2d`, or a number of seconds.',
  anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?(ms|s|m|h|d)?\\s*)+$' }],
};

export const terraformSettings = closed(
  {
    configuration: described('Folder of the Terraform configuration, relative to the drill file. It is copied to a scratch folder; the drill never writes to it.'),
    variables: described('Input variables, passed as TF_VAR_<name> environment variables (never on the command line).', {
      type: 'object',
      additionalProperties: { type: ['string', 'number', 'boolean'] },
    }),
    varFiles: described('.tfvars files relative to the drill file, passed with -var-file.', { type: 'array', items: nonEmpty }),
    suffixVariable: described('The variable that receives the drill\'s unique name suffix (default name_suffix). The configuration must declare it and use it in every name.', {
      type: 'string',
      pattern: '^[A-Za-z_][A-Za-z0-9_-]*$',
    }),
    backend: closed(
      {
        type: described('local (default): a state file in the scratch folder. azurerm: a scratch key in an Azure storage container; give the other settings in config.', { enum: ['local', 'azurerm'] }),
        config: described('Backend settings passed with -backend-config, e.g. key: drills/${drill.suffix}.tfstate.', { type: 'object', additionalProperties: { type: 'string' } }),
      },
      ['type'],
    ),
    binary: described('The terraform program; default terraform on PATH.'),
    interruptGrace: { ...duration, description: 'After a cancel, how long terraform gets to stop gracefully (SIGINT) before it is killed. Default 60s.' },
    prices: described('Price per resource-hour by resource type, e.g. azurerm_linux_web_app: 0.10; gives the drill a cost line.', {
      type: 'object',
      additionalProperties: { type: 'number', minimum: 0 },
    }),
    currency: described('Currency of prices (default USD).'),
    leakProbe: closed(
      {
        name: nonEmpty,
        argv: argv('A command that must FAIL (exit non-zero) after destroy, e.g. [az, group, show, --name, rg-${drill.suffix}]. ${output.NAME} and ${drill.suffix} are replaced per argument.'),
        url: described('A URL that must no longer answer with a success status after destroy.'),
        timeout: duration,
      },
    ),
  },
  ['configuration'],
);

const version = (what: string) =>
  closed(
    {
      version: described(`The ${what} version's name; probes may use \${drill.version}.`),
      argv: argv(`The command that deploys the ${what} version, as [program, arg, ...] (no shell). DRILL_VERSION is set.`),
    },
    ['version'],
  );

export const rollbackSettings = closed(
  {
    safeEnvironments: described('Environments this drill may run against. The drill refuses any other (the task\'s environment input included).', {
      type: 'array',
      minItems: 1,
      items: nonEmpty,
    }),
    previous: version('previous known-good'),
    current: version('current'),
    slotSwap: closed(
      {
        subscription: described('Subscription of the web app; defaults to the service connection\'s.'),
        resourceGroup: nonEmpty,
        app: described('Name of the App Service web app.'),
        slot: described('The deployment slot that holds the previous version (swapped with production, then back).'),
        pollInterval: duration,
      },
      ['resourceGroup', 'app', 'slot'],
    ),
  },
  ['safeEnvironments', 'previous', 'current'],
);

/** SQL probes of a terraform drill connect here; `${output.NAME}` may be used. */
export const terraformTarget = closed({ connection: described('postgres:// URL the SQL probes use, e.g. ${output.database_url}.') });
