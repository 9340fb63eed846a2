import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { pipelineContextFrom } from '../../src/azdo/pipelineContext';
import { ConfigError } from '../../src/errors';
import { runInfoFromEnv, writeEvidenceFile } from '../../src/evidence/files';
import { EVIDENCE_ATTACHMENT_TYPE, type GateEvidence } from '../../src/evidence/types';
import { gatherEvidence } from '../../src/gate/gatherEvidence';
import { loadPolicy } from '../../src/gate/policy';
import { publishDecision } from '../../src/gate/publishing';
import { runGateDetailed, writeStatusDocument } from '../../src/gate/run';
import { publishPolicyRoles } from '../../src/serve/policyDocument';
import { existingFileInput, optionalInput, requiredInput, resultsDirectoryInput, wholeNumberInput } from '../common/inputs';
import { publishEvidence, setOutputs } from '../common/publish';
import { agentEnv, azureDevOpsClient } from '../common/azureDevOps';
import { runTask, type TaskOutcome } from '../common/taskRunner';

void runTask(async () => {
  const policyFile = existingFileInput('policyFile');
  const environment = requiredInput('environment');
  const resultsDirectory = resultsDirectoryInput();
  const earlierRuns = wholeNumberInput('earlierRuns', 10);
  const namedRuns = (optionalInput('evidenceRuns') ?? '').split(/[\s,]+/).filter(Boolean).map((id) => wholeNumberText(id, 'evidenceRuns'));
  const useExtensionData = optionalInput('useExtensionData') !== 'false';

  // Everything comes from the agent's own variables and the job token: no address, token or double is ever read
  // from another environment variable (a pipeline variable can set any of those; docs/security.md).
  const env = agentEnv();
  const context = pipelineContextFrom(env);
  const client = azureDevOpsClient(context);
  const policy = await loadPolicy(policyFile);
  const branch = tl.getVariable('Build.SourceBranch') || undefined;
  const base = tl.getVariable('System.DefaultWorkingDirectory') ?? process.cwd();
  const folders = [resultsDirectory, optionalInput('evidenceDirectory')].filter((f): f is string => Boolean(f)).map((f) => path.resolve(base, f));
  const gathered = await gatherEvidence({
    folders,
    pipeline: { client, buildId: context.buildId, definitionId: context.definitionId, earlierRuns, namedRuns, service: policy.service, branch },
  });
  for (const bad of gathered.invalid) tl.warning(`Ignored evidence ${bad.file}: ${bad.errors.join('; ')}`);
  console.log(`Evidence considered: ${gathered.valid.length} document(s) our tasks attached; ${gathered.invalid.length} ignored.`);

  // Sign-offs: the approvals of this run (of this stage), or of this classic release, as the server recorded them.
  const releaseId = Number(tl.getVariable('Release.ReleaseId') ?? '');
  const approvals = Number.isInteger(releaseId) && releaseId > 0
    ? { runId: releaseId, commit: commitOf(), approvals: await client.releaseApprovals(releaseId) }
    : {
        runId: context.buildId,
        commit: commitOf(),
        requester: (await client.getBuild(context.buildId)).requestedFor,
        approvals: await client.runApprovals(context.buildId, tl.getVariable('System.StageName') || undefined),
      };
  console.log(`Approvals of ${releaseId > 0 ? `release ${releaseId}` : `run ${context.buildId}`}: ${approvals.approvals.length}.`);

  const result = await runGateDetailed({
    policyFile,
    policyName: path.relative(base, policyFile) || policyFile,
    environment,
    version: optionalInput('version'),
    evidence: gathered.valid.filter((e) => e.kind !== 'gate'),
    invalidEvidence: gathered.invalid,
    approvals,
    // Attestations (warn-only) are read from extension data; the status document is no longer written here.
    store: useExtensionData ? client.extensionData : undefined,
    writeStatus: false,
    lookupMembers: (group) => client.listGroupMembers(group),
    run: runInfoFromEnv(process.env, 'ReadinessGate'),
  });

  // Pull-request runs and runs of other branches never publish a verdict (docs/security.md "Runs that never publish").
  const decision = publishDecision(policy, { reason: tl.getVariable('Build.Reason'), branch });
  for (const docs of result.docs) {
    const file = await writeEvidenceFile(resultsDirectory, docs);
    if (decision.publish) tl.addAttachment(EVIDENCE_ATTACHMENT_TYPE, path.basename(file), file);
  }
  if (!decision.publish) {
    tl.warning(`${decision.why} The verdict below is shown, but not published and not ready.`);
    console.log(result.gate.summary);
    setOutputs(undefined, { status: 'not-ready', ready: false, level: result.gate.metrics.level ?? '' });
    return { result: 'SucceededWithIssues', message: `Not published: ${decision.why}` };
  }
  await publishEvidence(result.gate, resultsDirectory, `Readiness gate ${result.gate.service} ${environment}`);
  if (useExtensionData) {
    // Display only: the hub shows the latest verdict and the roles; no gate or check decides from these documents.
    await writeStatusDocument(client.extensionData, result.gate);
    await publishPolicyRoles(client.extensionData, result.policy);
  }
  setOutputs(undefined, {
    status: result.gate.metrics.status,
    ready: result.gate.metrics.status !== 'not-ready',
    level: result.gate.metrics.level ?? '',
  });
  return outcome(result.gate);
});

function outcome(gate: GateEvidence): TaskOutcome {
  const reasons = gate.metrics.checks
    .filter((c) => c.state !== 'passed' && c.state !== 'waived')
    .map((c) => `- ${c.id} (${c.state}): ${c.reason}`);
  const message = [gate.summary, ...reasons].join('\n');
  if (gate.metrics.status === 'ready') return { result: 'Succeeded', message };
  if (gate.metrics.status === 'warn') {
    tl.warning(message);
    return { result: 'SucceededWithIssues', message };
  }
  return { result: 'Failed', message };
}

function commitOf(): string | undefined {
  const commit = tl.getVariable('Build.SourceVersion');
  return commit && /^[0-9a-f]{7,64}$/i.test(commit) ? commit : undefined;
}

function wholeNumberText(text: string, input: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${input}: "${text}" is not a run id; list run ids separated by commas, e.g. 1201, 1187.`);
  return n;
}
