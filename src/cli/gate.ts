import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, ExitCode } from '../errors';
import type { Evidence } from '../evidence/types';
import { readEvidenceDir } from '../evidence/files';
import { runGateDetailed } from '../gate/run';
import { scorecardText } from '../gate/scorecard';
import type { SignOffEvent, Waiver } from '../gate/records';
import { loadPolicy } from '../gate/policy';
import type { RunApprovals } from '../gate/approvals';
import { toApproval } from '../azdo/approvals';
import { FileDocumentStore } from '../store/fileStore';
import type { CliIO } from './io';

const USAGE = `Usage: readiness gate --policy readiness.yml --evidence DIR [options]

  --policy FILE        readiness policy (default: readiness.yml)
  --evidence DIR       folder of evidence JSON files (*.json directly in it)
  --environment ENV    environment to evaluate (default: the policy's only environment)
  --approvals FILE     the run's Azure Pipelines approvals as JSON: {"runId": 42, "commit": "<sha>", "approvals": [...]},
                       each approval as GET _apis/pipelines/approvals/{id}?$expand=steps returns it. Release
                       sign-offs come only from these (docs/security.md)
  --signoffs FILE      JSON attestation events (a list, or {"history": [...]}), warn-only, added to the store's
  --store DIR          local store for sign-offs, waivers and the status (default: .readiness/store)
  --version VERSION    version being released; sign-offs for another version are void
  --at TIME            evaluate as of this ISO 8601 time (default: now)
  --out DIR            write gate.json and the docs evidence there
  --json               print the gate evidence JSON instead of the scorecard

Exit codes: 0 ready (or warn), 1 not ready under block enforcement, 2 bad input, 3 infrastructure error.
`;

const VALUE_FLAGS = ['policy', 'evidence', 'environment', 'approvals', 'signoffs', 'store', 'version', 'at', 'out'] as const;
type Flag = (typeof VALUE_FLAGS)[number];

/** `readiness gate`: evaluates the policy against local evidence and the local store, prints the scorecard. */
export async function gateCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    io.stdout(USAGE);
    return ExitCode.passed;
  }
  const { flags, json } = parsed;
  const policyFile = path.resolve(io.cwd, flags.policy ?? 'readiness.yml');
  const now = flags.at === undefined ? new Date() : parseTime(flags.at);
  let environment = flags.environment;
  if (!environment) {
    const envs = Object.keys((await loadPolicy(policyFile, flags.policy ?? 'readiness.yml')).environments);
    if (envs.length !== 1) throw new ConfigError(`--environment is required: the policy defines ${envs.join(', ')}.`);
    environment = envs[0];
  }
  const { evidence, invalid } = flags.evidence ? await readEvidenceFolder(path.resolve(io.cwd, flags.evidence)) : { evidence: [], invalid: [] };
  for (const bad of invalid) io.stderr(`readiness gate: ${bad.file} is not counted (missing): ${bad.errors.join('; ')}\n`);
  const extra = flags.signoffs ? await readSignOffFile(path.resolve(io.cwd, flags.signoffs), flags.signoffs) : { history: [], waivers: [] };

  const result = await runGateDetailed({
    policyFile,
    policyName: flags.policy ?? 'readiness.yml',
    environment,
    evidence,
    invalidEvidence: invalid,
    store: new FileDocumentStore(path.resolve(io.cwd, flags.store ?? '.readiness/store')),
    signoffs: extra.history,
    waivers: extra.waivers,
    approvals: flags.approvals ? await readApprovalsFile(path.resolve(io.cwd, flags.approvals), flags.approvals) : undefined,
    version: flags.version,
    now,
  });
  if (flags.out) {
    const out = path.resolve(io.cwd, flags.out);
    await fs.mkdir(out, { recursive: true });
    await fs.writeFile(path.join(out, 'gate.json'), JSON.stringify(result.gate, null, 2));
    for (const [i, docs] of result.docs.entries()) await fs.writeFile(path.join(out, `docs-${i + 1}.json`), JSON.stringify(docs, null, 2));
  }
  io.stdout(json ? `${JSON.stringify(result.gate, null, 2)}\n` : scorecardText(result.gate));
  return result.gate.metrics.status === 'not-ready' ? ExitCode.checkFailed : ExitCode.passed;
}

function parseArgs(args: string[]): { flags: Partial<Record<Flag, string>>; json: boolean } | 'help' {
  const flags: Partial<Record<Flag, string>> = {};
  let json = false;
  const problems: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--json') {
      json = true;
      continue;
    }
    const [name, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
    if (!name || !(VALUE_FLAGS as readonly string[]).includes(name)) {
      problems.push(`unknown argument "${arg}"`);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || value.startsWith('--')) problems.push(`--${name} needs a value`);
    else flags[name as Flag] = value;
  }
  if (problems.length) throw new ConfigError(problems);
  return { flags, json };
}

function parseTime(text: string): Date {
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || !Number.isFinite(t)) throw new ConfigError(`--at "${text}" is not an ISO 8601 time; write e.g. 2026-11-26T12:00:00Z.`);
  return new Date(t);
}

/**
 * Reads the evidence folder (src/evidence/files.ts). A file that does not parse or fails the evidence schema is
 * reported and left out, so the check it was meant for counts as missing, never as passed. A folder that does not
 * exist is bad input here: a typo in --evidence must not quietly evaluate nothing.
 */
async function readEvidenceFolder(dir: string): Promise<{ evidence: Evidence[]; invalid: Array<{ file: string; errors: string[] }> }> {
  try {
    if (!(await fs.stat(dir)).isDirectory()) throw new ConfigError(`--evidence ${dir}: not a folder`);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`--evidence ${dir}: folder not found`, { cause: error });
  }
  const { valid, invalid } = await readEvidenceDir(dir);
  return { evidence: valid, invalid };
}

async function readSignOffFile(file: string, shown: string): Promise<{ history: SignOffEvent[]; waivers: Waiver[] }> {
  let doc: unknown;
  try {
    doc = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`--signoffs ${shown}: ${code === 'ENOENT' ? 'file not found' : `not valid JSON (${(error as Error).message})`}`, { cause: error });
  }
  const obj = (Array.isArray(doc) ? { history: doc } : doc) as { history?: unknown; waivers?: unknown };
  const history = Array.isArray(obj?.history) ? obj.history : [];
  const waivers = Array.isArray(obj?.waivers) ? obj.waivers : [];
  const problems: string[] = [];
  history.forEach((e: Record<string, unknown>, i: number) => {
    const by = e?.by as { id?: unknown } | undefined;
    const ok = (e?.type === 'signoff' || e?.type === 'revoke') && typeof e.id === 'string' && typeof e.role === 'string' && typeof by?.id === 'string' && typeof e.at === 'string' && Number.isFinite(Date.parse(e.at as string));
    const decided = e?.type !== 'signoff' || ((e.decision === 'approve' || e.decision === 'reject') && typeof (e.for as { service?: unknown })?.service === 'string');
    if (!ok || !decided) problems.push(`--signoffs ${shown}: history[${i}] is not a sign-off event (needs type, id, role, by.id, at, and for a sign-off decision and for.service)`);
  });
  waivers.forEach((w: Record<string, unknown>, i: number) => {
    if (typeof w?.check !== 'string' || typeof w.until !== 'string' || typeof w.at !== 'string' || !Number.isFinite(Date.parse(w.until as string))) {
      problems.push(`--signoffs ${shown}: waivers[${i}] needs check, at and until`);
    }
  });
  if (!Array.isArray(doc) && !Array.isArray(obj?.history) && !Array.isArray(obj?.waivers)) problems.push(`--signoffs ${shown}: expected a list of sign-off events or {"history": [...], "waivers": [...]}`);
  if (problems.length) throw new ConfigError(problems);
  return { history: history as SignOffEvent[], waivers: waivers as Waiver[] };
}

/** `{ runId, commit, approvals: [...] }`: what the gate task reads from the timeline and the Approvals API. */
async function readApprovalsFile(file: string, shown: string): Promise<RunApprovals> {
  let doc: { runId?: unknown; commit?: unknown; approvals?: unknown };
  try {
    doc = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`--approvals ${shown}: ${code === 'ENOENT' ? 'file not found' : `not valid JSON (${(error as Error).message})`}`, { cause: error });
  }
  const problems: string[] = [];
  if (!Number.isInteger(doc?.runId) || (doc.runId as number) <= 0) problems.push(`--approvals ${shown}: runId must be the run's id (Build.BuildId), a positive whole number`);
  if (doc?.commit !== undefined && (typeof doc.commit !== 'string' || !/^[0-9a-f]{7,64}$/i.test(doc.commit))) problems.push(`--approvals ${shown}: commit must be the run's commit SHA (Build.SourceVersion)`);
  if (!Array.isArray(doc?.approvals)) problems.push(`--approvals ${shown}: approvals must be a list of approvals with their steps`);
  const approvals = (Array.isArray(doc?.approvals) ? doc.approvals : []).flatMap((a: unknown, i: number) => {
    try {
      return [toApproval(a)];
    } catch (error) {
      problems.push(`--approvals ${shown}: approvals[${i}]: ${(error as Error).message}`);
      return [];
    }
  });
  if (problems.length) throw new ConfigError(problems);
  return { runId: doc.runId as number, commit: doc.commit as string | undefined, approvals };
}
