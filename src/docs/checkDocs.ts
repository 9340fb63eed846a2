import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EVIDENCE_SCHEMA_VERSION, type CriterionResult, type DocFinding, type DocsEvidence, type RunInfo } from '../evidence/types';
import type { DocsRule } from '../gate/policy';
import { headingMatches, readMarkdown, realContentChars, sectionRange, type MarkdownFile } from './markdown';

export interface CheckDocsOptions {
  /** Folder the rule's paths are relative to (absolute, or relative to the process's working folder). */
  root: string;
  /** How the folder is named in the evidence (default: the rule's root as written); keeps evidence portable. */
  displayRoot?: string;
  rule: DocsRule;
  service: string;
  environment: string;
  now?: Date;
  run?: RunInfo;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Documentation readiness: required files exist, required headings are present and not empty, `last_reviewed`
 * is recent, relative links resolve, and a runbook is more than an empty template. See docs/docs-checks.md.
 * Problems are findings in the evidence, never exceptions: a missing folder is a missing-file finding too.
 */
export async function checkDocs(options: CheckDocsOptions): Promise<DocsEvidence> {
  const started = options.now ?? new Date();
  const now = options.now ?? new Date();
  const { rule } = options;
  const root = path.resolve(options.root);
  const findings: DocFinding[] = [];
  const criteria: CriterionResult[] = [];
  const reviewed: DocsEvidence['metrics']['reviewed'] = [];
  const cache = new Map<string, MarkdownFile | null>();
  const error = (file: string, rule: DocFinding['rule'], message: string, line?: number) =>
    findings.push(line ? { file, line, rule, severity: 'error', message } : { file, rule, severity: 'error', message });

  const read = async (rel: string): Promise<MarkdownFile | null> => {
    if (!cache.has(rel)) cache.set(rel, await readText(path.join(root, rel)).then((t) => (t === null ? null : readMarkdown(t))));
    return cache.get(rel)!;
  };

  const present = new Set<string>();
  for (const alternatives of rule.files) {
    const found = await firstExisting(root, alternatives);
    if (found) present.add(found);
    if (!found) {
      const message = alternatives.length === 1 ? 'the file is missing' : `none of ${alternatives.join(', ')} exists`;
      error(alternatives[0], 'missing-file', message);
    } else if (/\.(md|markdown)$/i.test(found)) {
      await read(found);
    }
  }

  const missingReported = new Set(findings.filter((f) => f.rule === 'missing-file').map((f) => f.file));
  const need = async (rel: string): Promise<MarkdownFile | null> => {
    const file = await read(rel);
    if (!file && !missingReported.has(rel)) {
      missingReported.add(rel);
      error(rel, 'missing-file', 'the file is missing');
    }
    return file;
  };

  for (const [rel, required] of Object.entries(rule.headings)) {
    const file = await need(rel);
    if (!file) continue;
    for (const wanted of required) {
      const heading = file.headings.find((h) => headingMatches(h.text, wanted));
      if (!heading) {
        error(rel, 'missing-heading', `has no "${wanted}" heading`);
        continue;
      }
      const [from, to] = sectionRange(file, heading);
      if (realContentChars(file, from, to) === 0) error(rel, 'empty-section', `the "${heading.text}" section has no content beyond placeholders`, heading.line);
    }
    if (rule.minContentChars !== undefined) {
      const chars = realContentChars(file);
      const failed = chars < rule.minContentChars;
      criteria.push({
        expression: `${rel}: real content >= ${rule.minContentChars} characters`,
        actual: chars,
        threshold: rule.minContentChars,
        failed,
        explanation: `${rel} has ${chars} characters of real content (headings and placeholders excluded); at least ${rule.minContentChars} required.`,
      });
      if (failed) error(rel, 'too-short', `has only ${chars} characters of real content (at least ${rule.minContentChars} needed); it looks like an unfilled template`);
    }
  }

  for (const rel of rule.reviewed) {
    const file = rule.reviewedWithinDays === undefined ? await read(rel) : await need(rel);
    if (!file) continue;
    const entry: DocsEvidence['metrics']['reviewed'][number] = { file: rel };
    reviewed.push(entry);
    if (file.frontMatterError) {
      error(rel, 'front-matter', file.frontMatterError, 1);
      continue;
    }
    const value = file.frontMatter?.last_reviewed;
    const line = file.frontMatterLines.last_reviewed;
    const date = toDate(value);
    if (date) {
      entry.lastReviewed = date.toISOString().slice(0, 10);
      entry.ageDays = Math.floor((now.getTime() - date.getTime()) / DAY_MS);
    }
    if (rule.reviewedWithinDays === undefined) continue;
    if (value === undefined) {
      error(rel, 'front-matter', 'has no last_reviewed date in its front matter; add "last_reviewed: YYYY-MM-DD" between --- lines at the top', 1);
    } else if (!date) {
      error(rel, 'front-matter', `last_reviewed "${String(value)}" is not a date; write it as YYYY-MM-DD`, line);
    } else {
      // Inclusive window: reviewed exactly N days ago still counts.
      const ageMs = now.getTime() - date.getTime();
      const failed = ageMs > rule.reviewedWithinDays * DAY_MS;
      criteria.push({
        expression: `${rel}: last_reviewed within ${rule.reviewedWithinDays} days`,
        actual: entry.ageDays!,
        threshold: rule.reviewedWithinDays,
        failed,
        explanation: `${rel} was last reviewed on ${entry.lastReviewed}, ${entry.ageDays} days ago (limit ${rule.reviewedWithinDays}).`,
      });
      if (failed) error(rel, 'stale', `was last reviewed on ${entry.lastReviewed}, ${entry.ageDays} days ago, over the ${rule.reviewedWithinDays}-day limit; review it and update last_reviewed`, line);
      else if (ageMs < 0) findings.push({ file: rel, line, rule: 'front-matter', severity: 'warning', message: `last_reviewed ${entry.lastReviewed} is in the future` });
    }
  }

  if (rule.links) {
    for (const [rel, file] of cache) {
      if (!file) continue;
      for (const link of file.links) {
        const target = relativeTarget(link.target);
        if (target === undefined) continue;
        const resolved = target.startsWith('/') ? path.join(root, target) : path.resolve(root, path.dirname(rel), target);
        if (!(await exists(resolved))) error(rel, 'broken-link', `links to ${link.target}, which does not exist`, link.line);
      }
    }
  }

  const filesChecked = [...new Set([...present, ...[...cache.entries()].filter(([, f]) => f).map(([rel]) => rel)])];
  // Group by file (first mention first) and read top to bottom; findings without a line come last.
  const fileOrder = [...new Set(findings.map((f) => f.file))];
  findings.sort((a, b) => fileOrder.indexOf(a.file) - fileOrder.indexOf(b.file) || (a.line ?? Infinity) - (b.line ?? Infinity));
  const errors = findings.filter((f) => f.severity === 'error');
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    id: randomUUID(),
    kind: 'docs',
    service: options.service,
    environment: options.environment,
    run: options.run ?? {},
    startedAt: started.toISOString(),
    finishedAt: (options.now ?? new Date()).toISOString(),
    verdict: errors.length ? 'failed' : 'passed',
    summary: errors.length
      ? `${errors.length} documentation problem${errors.length === 1 ? '' : 's'} in ${filesChecked.length} file(s) checked.`
      : `${filesChecked.length} file(s) checked; every documentation rule holds.`,
    criteria,
    metrics: { root: options.displayRoot ?? rule.root, filesChecked, findings, reviewed },
    links: [],
  };
}

/** The local path of a relative link, or undefined for URLs, mail links and in-page anchors. */
function relativeTarget(target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#') || target.startsWith('//')) return undefined;
  const bare = target.split('#')[0].split('?')[0];
  if (!bare) return undefined;
  try {
    return decodeURIComponent(bare);
  } catch {
    return bare;
  }
}

function toDate(value: unknown): Date | undefined {
  // The yaml package reads an unquoted 2026-11-01 as a string (YAML 1.2 core schema); accept Date too.
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value : undefined;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}([T ][\d:.]+Z?)?$/.test(value.trim())) return undefined;
  const date = new Date(value.trim().length === 10 ? `${value.trim()}T00:00:00Z` : value.trim());
  return Number.isFinite(date.getTime()) ? date : undefined;
}

async function readText(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch {
    return false;
  }
}

async function firstExisting(root: string, alternatives: string[]): Promise<string | undefined> {
  for (const rel of alternatives) {
    try {
      if ((await fs.stat(path.join(root, rel))).isFile()) return rel;
    } catch {
      // try the next alternative
    }
  }
  return undefined;
}
