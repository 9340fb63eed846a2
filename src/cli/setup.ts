import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { applySetup, branchRef, KIND_TITLE, planSetup, type AppliedCheck, type PlannedCheck, type RequiredTemplate } from '../azdo/checkSetup';
import { ChecksApi } from '../azdo/checks';
import { GroupsApi, identityBaseUrl } from '../azdo/groups';
import { AzdoHttp } from '../azdo/http';
import { normaliseCollectionUri } from '../azdo/urls';
import { ConfigError, ExitCode } from '../errors';
import { loadPolicy } from '../gate/policy';
import { approverRoles } from '../gate/setupRoles';
import { parseFlags } from './flags';
import type { CliIO } from './io';

/** The variable the Azure DevOps CLI (`az devops`) reads a PAT from; people who script Azure DevOps already set it. */
export const PAT_VARIABLE = 'AZURE_DEVOPS_EXT_PAT';

const USAGE = `Usage: readiness setup --org URL --project NAME --template-repo NAME --template PATH [options]

Creates or corrects, on the service's Azure Pipelines environment, the three checks that make the readiness gate
one nobody can skip: an Approvals check (one approver group per policy role, all required, the requester cannot
approve), a Required template check and a Branch control check (the release branches, protected). Run it again
at any time: it changes only what drifted, and says what it changed.

  --org URL                   organization (collection) URL, e.g. https://dev.azure.com/contoso/
  --project NAME              project that holds the environment and the pipeline
  --policy FILE               readiness policy (default: readiness.yml)
  --environment ENV           policy environment whose sign-off roles approve (default: the policy's only one)
  --pipeline-environment NAME Azure Pipelines environment the deployment job targets (default: ENV)
  --template-repo NAME        repository holding the required template (Azure Repos name, or owner/repo)
  --template PATH             path of the template in that repository, e.g. templates/readiness-stage.yml
  --template-ref REF          branch or tag of the template (default: refs/heads/main)
  --template-repo-type TYPE   git (Azure Repos, default), github or bitbucket
  --release-branch BRANCH     a branch allowed to deploy, e.g. main or release/*; repeat for several
                              (default: the policy's releaseBranches, else refs/heads/main)
  --token-file FILE           file holding the personal access token (default: the ${PAT_VARIABLE} variable)
  --dry-run                   print what would change, change nothing

The PAT is read from ${PAT_VARIABLE} or --token-file, never from the command line, where other users and the
shell history would see it. It needs the scopes Environment (Read & manage), Build (Read & execute) and
Identity (Read), and its user must be an Administrator of the environment.

Exit codes: 0 done (or nothing to change), 2 bad input, 3 Azure DevOps refused or could not be reached.
`;

const VALUE_FLAGS = [
  'org', 'project', 'policy', 'environment', 'pipeline-environment', 'template-repo', 'template', 'template-ref',
  'template-repo-type', 'release-branch', 'token-file',
] as const;
type Flag = (typeof VALUE_FLAGS)[number];

interface SetupArgs {
  flags: Partial<Record<Flag, string>>;
  branches: string[];
  dryRun: boolean;
}

/** `readiness setup`: the environment's Approvals, Required template and Branch control checks, idempotently. */
export async function setupCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    io.stdout(USAGE);
    return ExitCode.passed;
  }
  const { flags, branches, dryRun } = parsed;
  const policyName = flags.policy ?? 'readiness.yml';
  const policy = await loadPolicy(path.resolve(io.cwd, policyName), policyName);
  let environment = flags.environment;
  if (!environment) {
    const envs = Object.keys(policy.environments);
    if (envs.length !== 1) throw new ConfigError(`--environment is required: the policy defines ${envs.join(', ')}.`);
    environment = envs[0];
  }
  const roles = approverRoles(policy, environment);
  if (roles.length === 0) {
    throw new ConfigError(`${policyName}: environment "${environment}" asks for no sign-off, so there is no approver to set up; add a signoff check to its required level.`);
  }
  // The gate publishes verdicts only from the policy's release branches, refs/heads/main when it names none; the
  // Branch control check allows the same ones.
  const named = policy.releaseBranches ?? [];
  const releaseBranches = branches.length ? branches : named.length ? named : ['refs/heads/main'];
  const template = templateOf(flags);
  const token = await readToken(flags['token-file'], io);
  const collectionUri = normaliseCollectionUri(flags.org!, '--org');
  const http = new AzdoHttp({ accessToken: token, scheme: 'Basic' });
  const checks = new ChecksApi(http, collectionUri, flags.project!);
  const groups = new GroupsApi(http, identityBaseUrl(collectionUri));

  const pipelineEnvironment = await checks.findEnvironment(flags['pipeline-environment'] ?? environment);
  const approvers = [];
  for (const r of roles) approvers.push({ ...r, groupId: await groups.findGroupId(r.group) });
  const plan = planSetup(
    { service: policy.service, policyEnvironment: environment, environment: pipelineEnvironment, approvers, template, releaseBranches },
    await checks.listChecks(pipelineEnvironment),
  );

  io.stdout(`Environment "${pipelineEnvironment.name}" (id ${pipelineEnvironment.id}) in project ${flags.project}${dryRun ? ' (dry run: nothing is changed)' : ''}:\n`);
  const report = (check: AppliedCheck | PlannedCheck) => io.stdout(line(check, dryRun));
  const results = dryRun ? plan.checks : await applySetup(checks, plan, report);
  if (dryRun) plan.checks.forEach(report);
  for (const r of roles) {
    const users = policy.roles[r.role]?.users ?? [];
    if (users.length) io.stdout(`  note      ${r.role} also lists users (${users.join(', ')}); the check asks the group, so add them to ${r.group} to let them approve.\n`);
  }
  for (const id of plan.otherApprovals) {
    io.stdout(`  note      Approvals check ${id} was not made by readiness setup; it is left as it is and also holds runs.\n`);
  }
  const changed = results.filter((c) => c.action !== 'unchanged').length;
  io.stdout(
    changed === 0
      ? 'Nothing to change: the environment already has the readiness checks as the policy asks.\n'
      : `${dryRun ? 'Would change' : 'Changed'} ${changed} of ${results.length} checks.\n`,
  );
  return ExitCode.passed;
}

function line(check: AppliedCheck | PlannedCheck, dryRun: boolean): string {
  const verb = { create: dryRun ? 'would create' : 'created', update: dryRun ? 'would update' : 'updated', unchanged: 'unchanged' }[check.action];
  const id = (check as AppliedCheck).id ?? check.existing?.id;
  const title = `${KIND_TITLE[check.kind]}${id === undefined ? '' : ` ${id}`}`;
  const details = check.differences.map((d) => `\n              ${d}`).join('');
  return `  ${verb.padEnd(9)} ${title}: ${check.summary}${details}\n`;
}

function templateOf(flags: Partial<Record<Flag, string>>): RequiredTemplate {
  const missing = (['template-repo', 'template'] as const).filter((f) => !flags[f]).map((f) => `--${f} is required (the pipeline template every run must extend)`);
  const type = flags['template-repo-type'] ?? 'git';
  if (!['git', 'github', 'bitbucket'].includes(type)) missing.push(`--template-repo-type "${type}": use git (Azure Repos), github or bitbucket`);
  if (missing.length) throw new ConfigError(missing);
  return {
    repositoryType: type as RequiredTemplate['repositoryType'],
    repositoryName: flags['template-repo']!,
    repositoryRef: branchRef(flags['template-ref'] ?? 'refs/heads/main'),
    templatePath: flags.template!,
  };
}

async function readToken(file: string | undefined, io: CliIO): Promise<string> {
  let token: string | undefined;
  if (file) {
    try {
      token = (await fs.readFile(path.resolve(io.cwd, file), 'utf8')).trim();
    } catch (error) {
      throw new ConfigError(`--token-file ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot be read'}`, { cause: error });
    }
    if (!token) throw new ConfigError(`--token-file ${file}: the file is empty; put the personal access token in it.`);
  } else {
    token = io.env[PAT_VARIABLE]?.trim();
    if (!token) {
      throw new ConfigError(
        `No personal access token: set ${PAT_VARIABLE} (e.g. read -s ${PAT_VARIABLE} && export ${PAT_VARIABLE}) or pass --token-file FILE. ` +
          'It is never taken from the command line.',
      );
    }
  }
  return token;
}

function parseArgs(args: string[]): SetupArgs | 'help' {
  const refusal = `a token on the command line is visible to other users; use ${PAT_VARIABLE} or --token-file`;
  const parsed = parseFlags(args, { values: VALUE_FLAGS, repeatable: ['release-branch'], switches: ['dry-run'], refused: { token: refusal, pat: refusal } });
  if (parsed.help) return 'help';
  for (const required of ['org', 'project'] as const) if (!parsed.values[required]) parsed.problems.push(`--${required} is required`);
  if (parsed.problems.length) throw new ConfigError(parsed.problems);
  return { flags: parsed.values, branches: parsed.lists['release-branch'] ?? [], dryRun: parsed.switches.has('dry-run') };
}
