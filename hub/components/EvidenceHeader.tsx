import * as React from 'react';
import { Pill, PillSize, PillVariant } from 'azure-devops-ui/Pill';
import { isWebUrl } from '../../src/evidence/links';
import type { Evidence } from '../../src/evidence/types';

export const VERDICT_COLOR = {
  passed: { red: 16, green: 124, blue: 16 },
  failed: { red: 209, green: 52, blue: 56 },
  error: { red: 202, green: 80, blue: 16 },
};

/** Verdict, summary, time and the links back to the run and the evidence. */
export function EvidenceHeader(props: { evidence: Evidence }) {
  const e = props.evidence;
  // Only http(s) links become anchors, whatever check let the document through (docs/security.md S14).
  const links = [...(e.run.url ? [{ name: `Run ${e.run.runId ?? ''}`.trim(), url: e.run.url }] : []), ...e.links].filter((l) => isWebUrl(l.url));
  return (
    <div className="flex-column">
      <div className="flex-row flex-center">
        <Pill size={PillSize.compact} variant={PillVariant.colored} color={VERDICT_COLOR[e.verdict]} className="margin-right-8">
          {e.verdict}
        </Pill>
        <span className="body-m">{e.summary}</span>
      </div>
      <div className="readiness-muted body-s" style={{ marginTop: 4 }}>
        Finished {new Date(e.finishedAt).toLocaleString()} · evidence <code>{e.id}</code>
        {links.map((l) => (
          <span key={l.url}>
            {' · '}
            <a href={l.url} target="_blank" rel="noopener noreferrer">{l.name}</a>
          </span>
        ))}
      </div>
    </div>
  );
}
