/**
 * JSON Schemas of `environment.yaml` (draft-07, checked with ajv). Like the readiness policy, the top level and each
 * check type are separate schemas: a check is validated against the schema of its `type`, so an unknown type is
 * reported once, by name, rather than as a cascade of oneOf branches. See docs/environment.md.
 */
import { GRADES } from './observatoryScoring';

const name = { type: 'string', minLength: 1 } as const;
const names = { type: 'array', items: name, minItems: 1 } as const;
const positive = { type: 'integer', minimum: 1 } as const;
/** `15m`, `30s`, `1h`, or a number of seconds. */
const duration = { type: ['string', 'number'] } as const;
const httpUrl = { type: 'string', pattern: '^https?://' } as const;
const headersMap = { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra request headers; ${VAR} expands from the environment and is masked.' } as const;
const common = { name, type: name } as const;
/** A PEM file of extra CAs to trust on top of the system roots (a private CA); verification is never turned off. */
const caFile = { type: 'string', minLength: 1 } as const;

export const environmentFileSchema = {
  $id: 'https://readiness.local/schemas/environment.json',
  title: 'Production environment checks (environment.yaml)',
  type: 'object',
  additionalProperties: false,
  required: ['service', 'environment', 'checks'],
  properties: {
    service: { ...name, description: 'Service name; the gate matches evidence to the policy by it.' },
    environment: { ...name, description: 'Environment the checks are about, e.g. production.' },
    checks: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'type'],
        properties: { name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }, type: name },
      },
    },
  },
} as const;

const health = {
  url: httpUrl,
  expectStatus: { type: 'integer', minimum: 100, maximum: 599 },
  maxLatencyMs: positive,
  conditions: { type: 'array', items: name, description: 'Body conditions such as $.status == "Healthy".' },
  headers: headersMap,
  caFile,
  timeout: duration,
} as const;

/** A check type's schema: closed, with the keys every check has. */
function check<P extends Record<string, unknown>>(required: string[], properties: P) {
  return { type: 'object', additionalProperties: false, required, properties: { ...common, ...properties } };
}

export const checkSchemas = {
  tls: check(['host'], {
    host: name,
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    /** The name the certificate must be valid for, when `host` is an address (default: host). */
    serverName: name,
    minDaysToExpiry: { type: 'integer', minimum: 0 },
    hstsMinMaxAge: { type: 'integer', minimum: 0, description: 'Seconds; 0 skips the HSTS check.' },
    hstsPath: { type: 'string', pattern: '^/' },
    caFile,
  }),
  headers: check(['url'], { url: { type: 'string', pattern: '^https://' }, minGrade: { enum: GRADES }, caFile }),
  dns: check(['host'], {
    host: name,
    resolver: { type: 'string', minLength: 1, description: 'IP[:port] of the DNS server to ask; default: the system resolver.' },
    a: names,
    aaaa: names,
    cname: name,
  }),
  health: check(['url'], { ...health, repeats: positive, minSuccessRatio: { type: 'number', minimum: 0, maximum: 1 }, interval: duration }),
  monitoring: check(['resources'], {
    subscription: name,
    resources: { type: 'array', items: name, minItems: 1, description: 'ARM resource ids that must be watched.' },
    require: {
      type: 'array',
      items: { enum: ['metricAlert', 'scheduledQueryRule', 'activityLogAlert', 'diagnosticSettings'] },
      description: 'What every resource needs; default: metricAlert and diagnosticSettings.',
    },
    availabilityTest: { type: 'object', additionalProperties: false, required: ['component'], properties: { component: name } },
  }),
  drift: check(['directory'], {
    directory: name,
    varFiles: { type: 'array', items: name },
    timeout: duration,
    /** Run `terraform init` first (the configuration's providers must be installable or already cached). */
    init: { type: 'boolean' },
  }),
  watch: check(['window', 'interval'], {
    window: duration,
    interval: duration,
    health: { type: 'object', additionalProperties: false, required: ['url'], properties: health },
    query: {
      type: 'object',
      additionalProperties: false,
      required: ['resource', 'kql', 'max'],
      properties: {
        resource: { ...name, description: 'ARM id of the resource whose logs to query: a Log Analytics workspace, an Application Insights component, or the service itself.' },
        kql: name,
        max: { type: 'number', description: 'The breach bound: the first column of the first row must stay at or below it.' },
        timespan: { type: 'string', pattern: '^P', description: 'ISO 8601 duration the query covers, e.g. PT5M (default PT5M).' },
      },
    },
    maxConsecutiveFailures: positive,
  }),
} as const;

export type EnvironmentCheckTypeName = keyof typeof checkSchemas;
export const ENVIRONMENT_CHECK_TYPES = Object.keys(checkSchemas) as EnvironmentCheckTypeName[];
