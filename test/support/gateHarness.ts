import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { createAzureDevOpsClient, type AzureDevOpsClient } from '../../src/azdo/client';
import type { FetchLike } from '../../src/azdo/http';
import type { Evidence, GateEvidence } from '../../src/evidence/types';
import { explain, repoRoot, runBundledTask, type TaskRun } from './agentRunner';
import { startAzdoEmulator, type AzdoEmulator, type EmulatedBuild } from './azdoEmulator';

/**
 * An emulated pipeline run for ReadinessGate@1: the HTTPS Azure DevOps emulator (reached only through the variables
 * the agent sets), the sample service's policy in a fresh checkout, evidence attached by our tasks' steps, and the
 * run's approval with one step per role group. Shared by test/tasks/gateTask.test.ts and test/attacks/.
 */
export const SAMPLE = path.join(repoRoot, 'examples', 'sample-service');
export const COMMIT = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
export const OPS_GROUP = '[Demo]\\Operations';
export const BUSINESS_GROUP = '[Demo]\\Product Owners';

export interface StepSpec {
  group: string;
  /** Identity id of the member who acted; none for a pending step. */
  by?: string;
  status?: string;
}

/** An approval of one step per role group, decided as given (approved by default). */
export function approvalOf(steps: StepSpec[], o: { owner?: number } = {}): Record<string, unknown> & { steps: unknown[] } {
  const decided = steps.map((s) => ({
    assignedApprover: { id: randomUUID(), displayName: s.group, isContainer: true },
    ...(s.by && s.status !== 'pending' ? { actualApprover: { id: s.by, displayName: s.by } } : {}),
    status: s.status ?? 'approved',
    comment: s.status === 'rejected' ? 'Launch moved to January.' : 'Reviewed the scorecard.',
    lastModifiedOn: new Date().toISOString(),
    history: [],
  }));
  const status = decided.some((s) => s.status === 'rejected') ? 'rejected' : decided.every((s) => s.status === 'approved') ? 'approved' : 'pending';
  return { status, createdOn: new Date().toISOString(), steps: decided, ...(o.owner ? { pipeline: { id: '7', owner: { id: o.owner, name: String(o.owner) } } } : {}) };
}

/** A fetch that trusts the emulator's throwaway CA, for a test's own client (the task gets NODE_EXTRA_CA_CERTS). */
export function caFetch(ca: string): FetchLike {
  const dispatcher = new Agent({ connect: { ca } });
  return (input, init) => undiciFetch(input, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
}

export class GateHarness {
  private nextBuild = 500;
  policyDir = '';

  private constructor(
    readonly azdo: AzdoEmulator,
    readonly client: AzureDevOpsClient,
    readonly token: string,
    private readonly caFile: string,
    /** Identity ids of a member of each role group. */
    readonly olga: string,
    readonly bea: string,
  ) {}

  static async start(token = `job-token-${randomUUID()}`): Promise<GateHarness> {
    const azdo = await startAzdoEmulator({ accessToken: token, tls: true });
    const caFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'readiness-ca-')), 'ca.pem');
    writeFileSync(caFile, azdo.caCertificate!);
    const client = createAzureDevOpsClient({
      collectionUri: azdo.collectionUri, project: azdo.project, accessToken: token, publisher: azdo.publisher, extensionId: azdo.extensionId,
      fetch: caFetch(azdo.caCertificate!),
    });
    const olga = azdo.addIdentity({ name: 'Olga Ops' });
    const bea = azdo.addIdentity({ name: 'Bea Business' });
    azdo.addIdentity({ name: OPS_GROUP, members: [olga] });
    azdo.addIdentity({ name: BUSINESS_GROUP, members: [bea] });
    const harness = new GateHarness(azdo, client, token, caFile, olga, bea);
    harness.freshCheckout();
    return harness;
  }

  /** A fresh copy of the sample service, as the run's checkout. */
  freshCheckout(): string {
    this.policyDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-gate-repo-'));
    cpSync(SAMPLE, this.policyDir, { recursive: true });
    return this.policyDir;
  }

  get policyFile(): string {
    return path.join(this.policyDir, 'readiness.yml');
  }

  both(): StepSpec[] {
    return [{ group: OPS_GROUP, by: this.olga }, { group: BUSINESS_GROUP, by: this.bea }];
  }

  /** A new run with the evidence attached by our tasks' steps in it, and its approval decided as `steps` say. */
  newRun(evidence: Evidence[], steps: StepSpec[] = this.both(), build: Partial<EmulatedBuild> = {}): number {
    const buildId = this.nextBuild++;
    this.azdo.addBuild({ id: buildId, definitionId: 7, status: 'inProgress', sourceVersion: COMMIT, ...build });
    for (const e of evidence) this.attach(buildId, { ...e, id: randomUUID(), run: { ...e.run, runId: String(buildId) } });
    if (steps.length) this.azdo.addApproval(buildId, approvalOf(steps));
    return buildId;
  }

  attach(buildId: number, doc: unknown, task?: Parameters<AzdoEmulator['addAttachment']>[4]): void {
    const e = doc as { kind?: string; id?: string };
    this.azdo.addAttachment(buildId, 'readiness.evidence', `${e.kind ?? 'x'}-${e.id ?? randomUUID()}.json`, JSON.stringify(doc), task);
  }

  run(buildId: number, o: { env?: Record<string, string>; inputs?: Record<string, string>; cwd?: string } = {}): Promise<TaskRun> {
    return runBundledTask('ReadinessGateV1', {
      cwd: o.cwd,
      inputs: { policyFile: this.policyFile, environment: 'production', earlierRuns: '0', publisher: this.azdo.publisher, extensionId: this.azdo.extensionId, ...o.inputs },
      env: {
        SYSTEM_COLLECTIONURI: this.azdo.collectionUri, SYSTEM_TEAMPROJECT: this.azdo.project, BUILD_BUILDID: String(buildId), SYSTEM_ACCESSTOKEN: this.token,
        SYSTEM_DEFINITIONID: '7', SYSTEM_STAGENAME: 'deploy', BUILD_SOURCEBRANCH: 'refs/heads/main', BUILD_REASON: 'IndividualCI', BUILD_SOURCEVERSION: COMMIT,
        NODE_EXTRA_CA_CERTS: this.caFile, ...o.env,
      },
    });
  }

  close(): Promise<void> {
    return this.azdo.close();
  }
}

/** The gate evidence the task attached, or undefined when it published none. */
export function gateOf(run: TaskRun): GateEvidence | undefined {
  return run.attachments.filter((a) => a.type === 'readiness.evidence').map((a) => JSON.parse(readFileSync(a.path, 'utf8'))).find((e) => e.kind === 'gate');
}

export function requireGate(run: TaskRun): GateEvidence {
  const gate = gateOf(run);
  if (!gate) throw new Error(`the gate published no gate evidence${explain(run)}`);
  return gate;
}
