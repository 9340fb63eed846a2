import * as React from 'react';
import { Card } from 'azure-devops-ui/Card';
import { Page } from 'azure-devops-ui/Page';
import type { DocsEvidence, CapacityEvidence, DrillEvidence, EnvironmentEvidence, Evidence, GateEvidence, LoadTestEvidence } from '../../src/evidence/types';
import type { BuildRef, ReadinessClient } from '../client/ReadinessClient';
import { CheckedEvidence, checkEvidence } from '../model/evidence';
import { CapacityView } from './CapacityView';
import { ChecksView } from './ChecksView';
import { DocsView } from './DocsView';
import { EnvironmentView } from './EnvironmentView';
import { DrillView } from './DrillView';
import { EvidenceHeader } from './EvidenceHeader';
import { ViewErrorBoundary } from './ViewErrorBoundary';
import { LoadTestView } from './LoadTestView';
import { markFirstRender } from './HubApp';
import { PageState, StateView, errorMessage } from './PageState';
import { InvalidEvidenceList } from './ServicePage';

interface RunEvidence {
  valid: Evidence[];
  invalid: Array<Extract<CheckedEvidence, { valid: false }>>;
}

function EvidenceCard(props: { evidence: Evidence }) {
  const e = props.evidence;
  const title = `${e.kind === 'loadtest' ? 'Load test' : e.kind === 'drill' ? 'DR drill' : e.kind === 'docs' ? 'Documentation' : e.kind === 'environment' ? 'Environment' : e.kind === 'capacity' ? 'Capacity search' : 'Readiness gate'} · ${e.service} · ${e.environment}`;
  return (
    <section className="readiness-section" style={{ marginBottom: 24 }}>
      <h2 className="title-m">{title}</h2>
      <div className="flex-column flex-grow">
        {e.kind === 'loadtest' ? <ViewErrorBoundary what="load test"><LoadTestView evidence={e as LoadTestEvidence} /></ViewErrorBoundary> : null}
        {e.kind === 'drill' ? <ViewErrorBoundary what="drill"><DrillView evidence={e as DrillEvidence} /></ViewErrorBoundary> : null}
        {e.kind === 'docs' ? <ViewErrorBoundary what="documentation"><DocsView evidence={e as DocsEvidence} /></ViewErrorBoundary> : null}
        {e.kind === 'environment' ? <ViewErrorBoundary what="environment"><EnvironmentView evidence={e as EnvironmentEvidence} /></ViewErrorBoundary> : null}
        {e.kind === 'capacity' ? <ViewErrorBoundary what="capacity"><CapacityView evidence={e as CapacityEvidence} /></ViewErrorBoundary> : null}
        {e.kind === 'gate' ? (
          <>
            <EvidenceHeader evidence={e} />
            <Card className="readiness-section" titleProps={{ text: 'Checks' }}>
              <ChecksView checks={(e as GateEvidence).metrics.checks} />
            </Card>
          </>
        ) : null}
      </div>
    </section>
  );
}

/** The build-results tab: the evidence this run attached, with the hub's views. */
export function BuildResultsApp(props: { client: ReadinessClient; build: BuildRef }) {
  const [state, setState] = React.useState<PageState<RunEvidence>>({ kind: 'loading' });
  React.useEffect(() => {
    let live = true;
    props.client.runEvidence(props.build).then(
      (documents) => {
        if (!live) return;
        const checked = documents.map(checkEvidence);
        const valid = checked.filter((c): c is Extract<CheckedEvidence, { valid: true }> => c.valid).map((c) => c.evidence);
        const invalid = checked.filter((c): c is Extract<CheckedEvidence, { valid: false }> => !c.valid);
        setState(
          documents.length === 0
            ? { kind: 'empty', title: 'No readiness evidence in this run', detail: 'The readiness tasks attach their evidence when they finish; this run has none.' }
            : { kind: 'ready', data: { valid, invalid } },
        );
      },
      (error) => live && setState({ kind: 'error', message: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [props.client, props.build.project, props.build.buildId]);
  React.useEffect(() => {
    if (state.kind === 'ready') markFirstRender();
  }, [state.kind]);
  return (
    <Page className="readiness-page flex-grow">
      <div className="page-content page-content-top flex-column">
        <StateView state={state} what="this run's evidence">
          {(run) => (
            <>
              <InvalidEvidenceList items={run.invalid} />
              {run.valid.map((e) => <EvidenceCard key={e.id} evidence={e} />)}
            </>
          )}
        </StateView>
      </div>
    </Page>
  );
}
