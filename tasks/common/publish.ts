import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { EVIDENCE_ATTACHMENT_TYPE, Evidence } from '../../src/evidence/types';
import { writeEvidenceFile } from '../../src/evidence/files';
import { renderHtml, renderJUnit, renderMarkdown } from '../../src/evidence/render';

/** Attachment type of the self-contained HTML report; the build-results tab links it. */
export const REPORT_ATTACHMENT_TYPE = 'readiness.report';

export interface PublishedFiles {
  evidenceFile: string;
  junitFile: string;
  summaryFile: string;
  htmlFile: string;
}

/**
 * Publishes one evidence document the way every task does: the JSON as a `readiness.evidence` build
 * attachment (what the gate and the hub read), the markdown summary on the run's summary page, the
 * JUnit file in the Tests tab (one case per criterion, probe or check) and the HTML report.
 */
export async function publishEvidence(evidence: Evidence, resultsDirectory: string, testRunTitle: string): Promise<PublishedFiles> {
  await fs.mkdir(resultsDirectory, { recursive: true });
  const evidenceFile = await writeEvidenceFile(resultsDirectory, evidence);
  const stem = path.join(resultsDirectory, path.basename(evidenceFile, '.json'));
  const junitFile = `${stem}.junit.xml`;
  const summaryFile = `${stem}.summary.md`;
  const htmlFile = `${stem}.report.html`;
  await fs.writeFile(junitFile, renderJUnit(evidence));
  await fs.writeFile(summaryFile, renderMarkdown(evidence));
  await fs.writeFile(htmlFile, renderHtml(evidence));

  tl.addAttachment(EVIDENCE_ATTACHMENT_TYPE, path.basename(evidenceFile), evidenceFile);
  tl.addAttachment(REPORT_ATTACHMENT_TYPE, path.basename(htmlFile), htmlFile);
  tl.uploadSummary(summaryFile);
  new tl.TestPublisher('JUnit').publish([junitFile], 'false', '', '', testRunTitle, 'true');
  console.log(`Evidence: ${evidenceFile}`);
  console.log(`JUnit: ${junitFile}`);
  console.log(`HTML report: ${htmlFile}`);
  return { evidenceFile, junitFile, summaryFile, htmlFile };
}

/** Sets `<prefix>.<name>` as an output variable (AzureLoadTest@1 uses the same dotted names). */
export function setOutputs(prefix: string | undefined, values: Record<string, string | number | boolean | null | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === null) continue;
    tl.setVariable(prefix ? `${prefix}.${name}` : name, String(value), false, true);
  }
}
