import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { pipelineContextFrom } from '../../src/azdo/pipelineContext';
import { ConfigError } from '../../src/errors';
import { runInfoFromEnv, writeEvidenceFile } from '../../src/evidence/files';
import { EVIDENCE_ATTACHMENT_TYPE, type GateEvidence } from '../../src/evidence/types';
import { gatherEvidence } from '../../src/gate/gatherEvidence';
import { loadPolicy } from '../../src/gate/policy';
import { runGateDetailed } from '../../src/gate/run';
import { publishPolicyRoles } from '../../src/serve/policyDocument';
import { existingFileInput, optionalInput, requiredInput, resultsDirectoryInput, wholeNumberInput } from '../common/inputs';
import { publishEvidence, setOutputs } from '../common/publish';
import { agentEnv, azureDevOpsClient } from '../common/azureDevOps';
import { runTask, type TaskOutcome } from '../common/taskRunner';

void runTask(async () => {
  const policyFile = existingFileInput('policyFile');
  const environment = requiredInput('environment');
  const version = optionalInput('version');
  const resultsDirectory = resultsDirectoryInput();
  const earlierRuns = wholeNumberInput('earlierRuns', 10);
  const useExtensionData = optionalInput('useExtensionData') !== 'false';

  // This job's results folder (our tasks write there by default), an optional extra folder, this run's
  // attachments and earlier runs of this pipeline and branch.
  const base = tl.getVariable('System.DefaultWorkingDirectory') ?? process.cwd();
  const folders = [resultsDirectory, optionalInput('evidenceDirectory')].filter((f): f is string => Boolean(f)).map((f) => path.resolve(base, f));
  const client = azureDevOpsClient();
  const context = client ? pipelineContextFrom(agentEnv()) : undefined;
  if (!client) tl.warning('No job access token: only evidence files on this agent were read, and sign-offs could not be read.');
  const gathered = await gatherEvidence({
    folders,
    pipeline:
      client && context
        ? {
            client,
            buildId: context.buildId,
            definitionId: context.definitionId,
            earlierRuns,
            service: (await loadPolicy(policyFile)).service,
            branch: tl.getVariable('Build.SourceBranch') || undefined,
          }
        : undefined,
  });
  for (const bad of gathered.invalid) tl.warning(`Ignored invalid evidence ${bad.file}: ${bad.errors.join('; ')}`);
  console.log(`Evidence considered: ${gathered.valid.length} document(s); ${gathered.invalid.length} invalid, counted as missing.`);

  const result = await runGateDetailed({
    policyFile,
    policyName: path.relative(tl.getVariable('System.DefaultWorkingDirectory') ?? process.cwd(), policyFile) || policyFile,
    environment,
    version,
    evidence: gathered.valid.filter((e) => e.kind !== 'gate'),
    invalidEvidence: gathered.invalid,
    store: client && useExtensionData ? client.extensionData : undefined,
    // Members of the policy's groups, read with the job token, so a sign-off by a group member counts.
    lookupMembers: client ? (group) => client.listGroupMembers(group) : undefined,
    run: runInfoFromEnv(process.env),
  });
  // Docs evidence the gate produced is attached too, so the hub can show the findings.
  for (const docs of result.docs) {
    const file = await writeEvidenceFile(resultsDirectory, docs);
    tl.addAttachment(EVIDENCE_ATTACHMENT_TYPE, path.basename(file), file);
  }
  await publishEvidence(result.gate, resultsDirectory, `Readiness gate ${result.gate.service} ${environment}`);
  if (result.status) console.log(`Status document written: status/${result.status.id} (${result.status.status}).`);
  if (client && useExtensionData) {
    // The hub's sign-off panel learns the roles, and who may sign for each, from this document.
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
