import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InfrastructureError, ReadinessError } from '../errors';
import type { Evidence, RunInfo } from './types';
import { validateEvidence } from './validate';

/** A fresh document id. Every run makes a new document (DESIGN.md "Evidence"), so every document gets a new id. */
export function newEvidenceId(): string {
  return randomUUID();
}

/** `loadtest-<id>.json`: one file per document id, so two runs never share a file. */
export function evidenceFileName(evidence: Pick<Evidence, 'kind' | 'id'>): string {
  return `${evidence.kind}-${evidence.id}.json`;
}

/**
 * Writes one evidence document into `dir` and returns the file's path. The document is validated first, so an
 * invalid document never reaches disk. The file appears atomically (written aside, then hard-linked into place)
 * and an existing file is never overwritten: writing the same document again is a no-op, while a different
 * document under an id already used is refused.
 */
export async function writeEvidenceFile(dir: string, evidence: Evidence): Promise<string> {
  const check = validateEvidence(evidence);
  if (!check.ok) {
    throw new ReadinessError(`The ${evidence.kind} evidence document is not valid, so it was not written: ${check.errors.join('; ')}`);
  }
  const target = path.join(dir, evidenceFileName(evidence));
  const content = `${JSON.stringify(evidence, null, 2)}\n`;
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new InfrastructureError(`Cannot create the evidence folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const aside = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
  try {
    await fs.writeFile(aside, content, { flag: 'wx' });
    try {
      await fs.link(aside, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return await sameOrRefuse(target, content, evidence.id);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
      // File systems without hard links: exclusive create still never overwrites.
      await fs.writeFile(target, content, { flag: 'wx' }).catch(async (inner: NodeJS.ErrnoException) => {
        if (inner.code === 'EEXIST') return sameOrRefuse(target, content, evidence.id);
        throw inner;
      });
    }
    return target;
  } catch (error) {
    if (error instanceof ReadinessError) throw error;
    throw new InfrastructureError(`Cannot write the evidence file ${target}: ${(error as Error).message}`, { cause: error });
  } finally {
    await fs.rm(aside, { force: true }).catch(() => undefined);
  }
}

async function sameOrRefuse(target: string, content: string, id: string): Promise<string> {
  const existing = await fs.readFile(target, 'utf8');
  if (existing === content) return target;
  throw new ReadinessError(
    `A different evidence document with id ${id} already exists at ${target}; evidence is never rewritten. Give the new run a new id (newEvidenceId()).`,
  );
}

export interface EvidenceDirContents {
  /** Valid documents, oldest `finishedAt` first. */
  valid: Evidence[];
  /** Files that are not valid evidence, with the reasons; they never stop the others from loading. */
  invalid: { file: string; errors: string[] }[];
}

/** Reads every `*.json` file in `dir`. A missing folder holds no evidence. Malformed files are reported, not thrown. */
export async function readEvidenceDir(dir: string): Promise<EvidenceDirContents> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { valid: [], invalid: [] };
    throw new InfrastructureError(`Cannot read the evidence folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const contents: EvidenceDirContents = { valid: [], invalid: [] };
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const file = path.join(dir, name);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      contents.invalid.push({ file, errors: [`cannot be read: ${(error as Error).message}`] });
      continue;
    }
    addEvidenceText(contents, file, text);
  }
  contents.valid.sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
  return contents;
}

/**
 * Parses and validates one evidence document wherever it came from (a file, a build attachment) and files it
 * under valid or invalid. A malformed document is reported, never thrown and never counted as passed.
 */
export function addEvidenceText(into: EvidenceDirContents, source: string, text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    into.invalid.push({ file: source, errors: [`not valid JSON: ${(error as Error).message}`] });
    return;
  }
  const check = validateEvidence(parsed);
  if (check.ok) into.valid.push(check.evidence);
  else into.invalid.push({ file: source, errors: check.errors });
}

/**
 * RunInfo from Azure Pipelines' predefined variables, as the agent exposes them to a task's environment
 * (System.TeamProject -> SYSTEM_TEAMPROJECT, ...). Locally none are set and RunInfo stays empty.
 */
export function runInfoFromEnv(env: Record<string, string | undefined>, task?: string): RunInfo {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const info: RunInfo = {};
  const project = value('SYSTEM_TEAMPROJECT');
  const pipeline = value('BUILD_DEFINITIONNAME');
  const runId = value('BUILD_BUILDID');
  const stage = value('SYSTEM_STAGENAME');
  const job = value('SYSTEM_JOBNAME');
  const attempt = Number(value('SYSTEM_JOBATTEMPT'));
  const collectionUri = value('SYSTEM_COLLECTIONURI');
  if (project) info.project = project;
  if (pipeline) info.pipeline = pipeline;
  if (runId) info.runId = runId;
  if (stage) info.stage = stage;
  if (job) info.job = job;
  if (Number.isInteger(attempt) && attempt >= 1) info.attempt = attempt;
  // Provenance (docs/security.md): which task made the document, and the commit (Build.SourceVersion) it ran for.
  const commit = value('BUILD_SOURCEVERSION');
  if (task) info.task = task;
  if (commit && /^[0-9a-fA-F]{7,64}$/.test(commit)) info.commit = commit;
  if (collectionUri && project && runId) {
    // The build results page: `${collectionUri}${project}/_build/results?buildId=${id}`; the URI ends with "/".
    const base = collectionUri.endsWith('/') ? collectionUri : `${collectionUri}/`;
    info.url = `${base}${encodeURIComponent(project)}/_build/results?buildId=${encodeURIComponent(runId)}`;
  }
  return info;
}
