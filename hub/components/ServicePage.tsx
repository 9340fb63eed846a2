import * as React from 'react';
import { Card } from 'azure-devops-ui/Card';
import { MessageCard, MessageCardSeverity } from 'azure-devops-ui/MessageCard';
import { Tab, TabBar, TabSize } from 'azure-devops-ui/Tabs';
import type { DocsEvidence, CapacityEvidence, DrillEvidence, EnvironmentEvidence, Evidence, LoadTestEvidence } from '../../src/evidence/types';
import type { HubUser, ReadinessClient } from '../client/ReadinessClient';
import type { Subject } from '../model/overview';
import { CapacityView } from './CapacityView';
import { ChecksView } from './ChecksView';
import { DocsView } from './DocsView';
import { DrillView } from './DrillView';
import { EnvironmentView } from './EnvironmentView';
import { LoadTestView } from './LoadTestView';
import { StatusPill } from './Overview';
import { SignOffPanel } from './SignOffPanel';
import { TrendsView } from './TrendsView';
import { ViewErrorBoundary } from './ViewErrorBoundary';

export type ServiceTab = 'checks' | 'loadtest' | 'capacity' | 'drill' | 'docs' | 'environment' | 'trends' | 'signoffs';

function newestOf<K extends Evidence['kind']>(subject: Subject, kind: K, id?: string) {
  const ofKind = subject.evidence.filter((e) => e.kind === kind);
  return (ofKind.find((e) => e.id === id) ?? ofKind[0]) as Extract<Evidence, { kind: K }> | undefined;
}

export function InvalidEvidenceList(props: { items: Subject['invalidEvidence'] }) {
  if (props.items.length === 0) return null;
  return (
    <div className="readiness-section" data-testid="invalid-evidence">
      <MessageCard severity={MessageCardSeverity.Warning}>
        <div className="flex-column">
          <span>{props.items.length} evidence document(s) failed the schema check and are not shown:</span>
          {props.items.map((i) => (
            <span key={i.id} className="readiness-invalid">Invalid evidence <code>{i.id}</code>: {i.reason}</span>
          ))}
        </div>
      </MessageCard>
    </div>
  );
}

/** Everything about one service in one environment. */
export function ServicePage(props: { subject: Subject; user: HubUser; client: ReadinessClient; onSaved: () => void; initialTab?: ServiceTab }) {
  const { subject } = props;
  const [tab, setTab] = React.useState<ServiceTab>(props.initialTab ?? 'checks');
  const [evidenceId, setEvidenceId] = React.useState<string | undefined>();
  const loadtest = newestOf(subject, 'loadtest', evidenceId) as LoadTestEvidence | undefined;
  const drill = newestOf(subject, 'drill', evidenceId) as DrillEvidence | undefined;
  const docs = newestOf(subject, 'docs', evidenceId) as DocsEvidence | undefined;
  const environment = newestOf(subject, 'environment', evidenceId) as EnvironmentEvidence | undefined;
  const capacity = newestOf(subject, 'capacity', evidenceId) as CapacityEvidence | undefined;
  const openEvidence = (id: string) => {
    const found = subject.evidence.find((e) => e.id === id);
    if (found && found.kind !== 'gate') {
      setEvidenceId(id);
      setTab(found.kind);
    }
  };
  const missing = (what: string) => <p className="readiness-muted">No {what} evidence for {subject.service} in {subject.environment} yet.</p>;
  return (
    <div className="flex-column">
      <div className="flex-row flex-center" style={{ gap: 8 }}>
        <StatusPill status={subject.status} />
        {subject.statusDoc ? (
          <span>
            Level <strong>{subject.statusDoc.level ?? 'none'}</strong>
            {subject.statusDoc.requiredLevel ? ` of required ${subject.statusDoc.requiredLevel}` : ''}, evaluated{' '}
            {new Date(subject.statusDoc.evaluatedAt).toLocaleString()}
          </span>
        ) : (
          <span className="readiness-muted">The gate has not evaluated this service yet.</span>
        )}
      </div>
      {subject.expiredBy ? (
        <p className="readiness-invalid" data-testid="verdict-expired">
          Out of date: newer {subject.expiredBy.kind} evidence finished {new Date(subject.expiredBy.finishedAt).toLocaleString()}, after this
          verdict was reached. It says nothing about that evidence; the next run of the gate decides again.
        </p>
      ) : null}
      <InvalidEvidenceList items={subject.invalidEvidence} />
      <TabBar selectedTabId={tab} onSelectedTabChanged={(id) => setTab(id as ServiceTab)} tabSize={TabSize.Tall} className="readiness-section">
        <Tab id="checks" name="Checks" />
        <Tab id="loadtest" name="Load test" />
        <Tab id="capacity" name="Capacity" />
        <Tab id="drill" name="DR drill" />
        <Tab id="docs" name="Documentation" />
        <Tab id="environment" name="Environment" />
        <Tab id="trends" name="Trends" />
        <Tab id="signoffs" name="Sign-offs" badgeCount={subject.pendingSignOffs.length || undefined} />
      </TabBar>
      <div className="readiness-section">
        {tab === 'checks' ? (
          <Card titleProps={{ text: 'Checks' }}>
            <ChecksView checks={subject.statusDoc?.checks ?? []} onOpenEvidence={openEvidence} />
          </Card>
        ) : null}
        {/* Each view has its own error boundary, keyed by what it shows, so one bad document blanks only its view. */}
        {tab === 'loadtest' ? (loadtest ? <ViewErrorBoundary key={loadtest.id} what="load test"><LoadTestView evidence={loadtest} /></ViewErrorBoundary> : missing('load-test')) : null}
        {tab === 'capacity' ? (capacity ? <ViewErrorBoundary key={capacity.id} what="capacity"><CapacityView evidence={capacity} /></ViewErrorBoundary> : missing('capacity')) : null}
        {tab === 'drill' ? (drill ? <ViewErrorBoundary key={drill.id} what="drill"><DrillView evidence={drill} /></ViewErrorBoundary> : missing('drill')) : null}
        {tab === 'docs' ? (docs ? <ViewErrorBoundary key={docs.id} what="documentation"><DocsView evidence={docs} /></ViewErrorBoundary> : missing('documentation')) : null}
        {tab === 'environment' ? (environment ? <ViewErrorBoundary key={environment.id} what="environment"><EnvironmentView evidence={environment} /></ViewErrorBoundary> : missing('environment')) : null}
        {tab === 'trends' ? <ViewErrorBoundary what="trends"><TrendsView evidence={subject.evidence} /></ViewErrorBoundary> : null}
        {tab === 'signoffs' ? (
          <ViewErrorBoundary what="sign-offs">
            <SignOffPanel subject={subject} user={props.user} client={props.client} onSaved={props.onSaved} />
          </ViewErrorBoundary>
        ) : null}
      </div>
    </div>
  );
}
