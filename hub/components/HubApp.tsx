import * as React from 'react';
import { Header, TitleSize } from 'azure-devops-ui/Header';
import { MessageCard, MessageCardSeverity } from 'azure-devops-ui/MessageCard';
import { Page } from 'azure-devops-ui/Page';
import type { HubUser, ReadinessClient, ReadinessData } from '../client/ReadinessClient';
import { checkEvidence, CheckedEvidence, structuralCheck } from '../model/evidence';
import { Subject, buildSubjects, invalidWithoutSubject } from '../model/overview';
import { Overview } from './Overview';
import { PageState, StateView, errorMessage } from './PageState';
import { InvalidEvidenceList, ServicePage, ServiceTab } from './ServicePage';

interface Loaded {
  user: HubUser;
  data: ReadinessData;
  subjects: Subject[];
  /** Evidence that failed the check and names no service. */
  unattributed: Array<Extract<CheckedEvidence, { valid: false }>>;
  /** False until the full JSON Schema check replaced the quick structural one. */
  schemaChecked: boolean;
}

/** `#/service/<subjectKey>/<tab>`: lets a link or a test open a service page directly. */
export interface Route {
  subjectKey?: string;
  tab?: ServiceTab;
  /** Why the address could not be followed; the overview is shown with this sentence instead. */
  notice?: string;
}

export function parseRoute(hash: string): Route {
  let parts: string[];
  try {
    parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  } catch {
    // decodeURIComponent throws URIError on a broken escape such as %E0; a bad link must not stop the hub.
    return { notice: `The address ${hash} could not be read (it has a broken percent-escape), so the overview is shown instead.` };
  }
  return parts[0] === 'service' && parts[1] ? { subjectKey: parts[1], tab: (parts[2] as ServiceTab) || undefined } : {};
}

/** Marks the first render that shows data, for bench/hub-render.ts. */
export function markFirstRender(): void {
  if (document.body.dataset.firstRenderMs) return;
  document.body.dataset.firstRenderMs = String(Math.round(performance.now()));
}

export function HubApp(props: { client: ReadinessClient; initialRoute?: Route }) {
  const [state, setState] = React.useState<PageState<Loaded>>({ kind: 'loading' });
  const [route, setRoute] = React.useState<Route>(props.initialRoute ?? {});

  const load = React.useCallback(async () => {
    try {
      performance.mark('readiness:load-start');
      const [user, data] = await Promise.all([props.client.currentUser(), props.client.loadAll()]);
      performance.mark('readiness:data-received');
      const subjects = buildSubjects(data, structuralCheck);
      performance.mark('readiness:subjects-built');
      if (subjects.length === 0) {
        setState({ kind: 'empty', title: 'No readiness data yet', detail: 'Run a pipeline with the readiness tasks (load test, DR drill, gate), or `readiness demo` locally, and the services appear here.' });
        return;
      }
      setState({ kind: 'ready', data: { user, data, subjects, unattributed: invalidWithoutSubject(data, structuralCheck), schemaChecked: false } });
      // Paint first, then run the full schema check and show its verdicts (see buildSubjects).
      requestAnimationFrame(() =>
        setTimeout(() => {
          const checked = { subjects: buildSubjects(data, checkEvidence), unattributed: invalidWithoutSubject(data, checkEvidence), schemaChecked: true };
          performance.mark('readiness:schema-checked');
          setState((current) => (current.kind === 'ready' && current.data.data === data ? { kind: 'ready', data: { ...current.data, ...checked } } : current));
        }, 0),
      );
    } catch (error) {
      setState({ kind: 'error', message: errorMessage(error) });
    }
  }, [props.client]);

  React.useEffect(() => {
    void load();
  }, [load]);
  React.useEffect(() => {
    if (state.kind === 'ready') markFirstRender();
    if (state.kind === 'ready' && state.data.schemaChecked) document.body.dataset.schemaChecked = 'true';
  }, [state]);

  const open = (subjectKey?: string, tab?: ServiceTab) => {
    setRoute({ subjectKey, tab });
    try {
      window.location.hash = subjectKey ? `#/service/${encodeURIComponent(subjectKey)}${tab ? `/${tab}` : ''}` : '#/';
    } catch {
      // Some hosts forbid touching the frame's location; the in-memory route still works.
    }
  };

  const subject = state.kind === 'ready' && route.subjectKey ? state.data.subjects.find((s) => s.key === route.subjectKey) : undefined;
  return (
    <Page className="readiness-page flex-grow">
      <Header
        title={subject ? `${subject.service} · ${subject.environment}` : 'Readiness'}
        titleSize={TitleSize.Large}
        backButtonProps={subject ? { onClick: () => open(undefined), ariaLabel: 'Back to all services' } : undefined}
        description={subject ? undefined : 'Is each service ready for production, what is missing, and who signed off.'}
      />
      <div className="page-content page-content-top flex-column">
        <StateView state={state} what="readiness data">
          {(loaded) =>
            subject ? (
              <ServicePage key={subject.key} subject={subject} user={loaded.user} client={props.client} onSaved={() => void load()} initialTab={route.tab} />
            ) : (
              <>
                {route.notice ? (
                  <div className="readiness-section" data-testid="route-notice">
                    <MessageCard severity={MessageCardSeverity.Warning}>{route.notice}</MessageCard>
                  </div>
                ) : null}
                <InvalidEvidenceList items={loaded.unattributed} />
                <Overview subjects={loaded.subjects} onOpen={(s) => open(s.key)} />
              </>
            )
          }
        </StateView>
      </div>
    </Page>
  );
}
