import { CAPACITY_RULE_SCHEMA } from './capacityCheck';

/**
 * JSON Schemas of `readiness.yml` (draft-07, checked with ajv). The top level and each check type's `rule` are
 * separate schemas: a check's rule is validated against the schema of its `type`, so an unknown type is reported
 * once, by name, instead of as a cascade of oneOf branches.
 *
 * Cross-references (a level naming an undefined check, a sign-off naming an undefined role, ...) are not
 * expressible here; src/gate/policy.ts checks them after the schema passes.
 */
import { GRADES } from '../environment/observatoryScoring';

const name = { type: 'string', minLength: 1 } as const;
const names = { type: 'array', items: name } as const;
const days = { type: 'integer', minimum: 0 } as const;
/** `15m`, `90s`, `1h30m`, or a number of seconds. */
const duration = { type: ['string', 'number'] } as const;

const signers = {
  type: 'object',
  additionalProperties: false,
  properties: {
    groups: { ...names, description: 'Azure DevOps group names, e.g. "[Fabrikam]\\\\Release Managers".' },
    users: { ...names, description: 'User ids (Azure DevOps identity ids, or local user ids in local mode).' },
  },
} as const;

export const policySchema = {
  $id: 'https://readiness.local/schemas/readiness-policy.json',
  title: 'Production readiness policy (readiness.yml)',
  type: 'object',
  additionalProperties: false,
  required: ['service', 'checks', 'levels', 'environments'],
  properties: {
    service: { type: 'string', minLength: 1, description: 'Service name; evidence must carry the same name.' },
    tier: { type: ['string', 'number'] },
    roles: { type: 'object', additionalProperties: signers, description: 'Who may sign for each role.' },
    maxWaiverDays: { type: 'integer', minimum: 1, description: 'Longest a waiver in readiness.waivers.yml may run (default 30).' },
    releaseBranches: { ...names, description: 'Branches whose runs may publish a verdict, e.g. refs/heads/main (default).' },
    checks: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'owner', 'type', 'rule'],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
          title: name,
          owner: name,
          type: name,
          rule: { type: 'object' },
          waivable: { type: 'boolean', description: 'false: no waiver may waive this check.' },
        },
      },
    },
    levels: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'checks'],
        properties: { name, checks: names },
      },
    },
    environments: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['requiredLevel', 'enforcement'],
        properties: { requiredLevel: name, enforcement: { enum: ['warn', 'block'] } },
      },
    },
  },
} as const;

const evidenceFilters = {
  environments: { ...names, description: 'Accept evidence from these environments only (default: any).' },
} as const;

export const ruleSchemas = {
  loadtest: {
    type: 'object',
    additionalProperties: false,
    required: ['passedWithinDays'],
    properties: {
      passedWithinDays: days,
      metrics: { type: 'array', items: { type: 'string' }, description: 'Bounds such as "p95 <= 300".' },
      testId: name,
      noRegression: {
        description: 'The newest run must not have regressed against the baseline of earlier passing runs (docs/regression.md).',
        anyOf: [
          { type: 'boolean' },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              window: { type: 'integer', minimum: 2, description: 'Earlier passing runs in the baseline (default 5).' },
              pin: { type: ['string', 'number'], description: 'Evidence id or pipeline run id the baseline window ends at.' },
              inconclusive: { enum: ['pass', 'block'], description: 'block: a comparison that cannot tell fails the check (default pass).' },
            },
          },
        ],
      },
      ...evidenceFilters,
    },
  },
  drill: {
    type: 'object',
    additionalProperties: false,
    required: ['passedWithinDays'],
    properties: {
      passedWithinDays: days,
      mode: { enum: ['restore', 'recreation', 'rollback'], description: 'Which drill counts: restore (default), recreation (provider terraform) or rollback.' },
      rto: duration,
      rpo: duration,
      environmentRto: { ...duration, description: 'mode recreation: the longest environment RTO (apply start until every probe passed) accepted.' },
      timeToRollback: { ...duration, description: 'mode rollback: the longest time to rollback accepted.' },
      timeToRecover: { ...duration, description: 'mode rollback: the longest time to recover accepted.' },
      provider: name,
      ...evidenceFilters,
    },
  },
  docs: {
    type: 'object',
    additionalProperties: false,
    properties: {
      root: name,
      files: { type: 'array', items: { anyOf: [name, { type: 'array', items: name, minItems: 1 }] } },
      headings: { type: 'object', additionalProperties: names },
      reviewed: names,
      reviewedWithinDays: days,
      links: { type: 'boolean' },
      minContentChars: days,
    },
  },
  environment: {
    type: 'object',
    additionalProperties: false,
    required: ['passedWithinDays'],
    properties: {
      passedWithinDays: days,
      certificateValidDays: { ...days, description: 'Every TLS check\'s certificate must stay valid this many more days.' },
      minHeaderGrade: { enum: GRADES, description: 'Every headers check must grade this or better.' },
      noDrift: { type: 'boolean', description: 'Every drift check must find no changes.' },
      alertsForEveryResource: { type: 'boolean', description: 'Every resource of every monitoring check must have an enabled alert rule.' },
      ...evidenceFilters,
    },
  },
  signoff: {
    type: 'object',
    additionalProperties: false,
    required: ['roles'],
    properties: {
      roles: { ...names, minItems: 1 },
      expiresAfterDays: { type: 'integer', minimum: 1 },
      everyMember: { type: 'boolean' },
      distinctPeople: { type: 'boolean', description: 'Each role needs its own person.' },
    },
  },
  capacity: CAPACITY_RULE_SCHEMA,
} as const;

export type CheckType = keyof typeof ruleSchemas;
export const CHECK_TYPES = Object.keys(ruleSchemas) as CheckType[];

/**
 * One schema for editors (e.g. the YAML extension of VS Code through `# yaml-language-server: $schema=...`): the
 * top level with each check's rule chosen by its type. The gate itself validates in two steps (see above) for
 * clearer messages; this combined form is for completion and squiggles while typing.
 */
export function editorSchema(): Record<string, unknown> {
  const top = structuredClone(policySchema) as unknown as {
    $schema?: string;
    properties: { checks: { items: { properties: { type: unknown }; allOf?: unknown[] } } };
  };
  const items = top.properties.checks.items;
  items.properties.type = { enum: CHECK_TYPES };
  items.allOf = CHECK_TYPES.map((type) => ({
    if: { properties: { type: { const: type } }, required: ['type'] },
    then: { properties: { rule: ruleSchemas[type] } },
  }));
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...top };
}
