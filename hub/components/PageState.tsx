import * as React from 'react';
import { Spinner, SpinnerSize } from 'azure-devops-ui/Spinner';
import { MessageCard, MessageCardSeverity } from 'azure-devops-ui/MessageCard';
import { ZeroData } from 'azure-devops-ui/ZeroData';

/** One typed page state with one render branch each (STYLE.md "Page state"). */
export type PageState<T> =
  | { kind: 'loading' }
  | { kind: 'empty'; title: string; detail: string }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; data: T };

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function StateView<T>(props: { state: PageState<T>; what: string; children: (data: T) => React.ReactNode }) {
  const { state } = props;
  switch (state.kind) {
    case 'loading':
      return (
        <div className="flex-row flex-grow justify-center" style={{ padding: 48 }} data-state="loading">
          <Spinner size={SpinnerSize.large} label={`Loading ${props.what}…`} />
        </div>
      );
    case 'empty':
      return (
        <div data-state="empty">
          <ZeroData primaryText={state.title} secondaryText={state.detail} imageAltText="" iconProps={{ iconName: 'Rocket' }} />
        </div>
      );
    case 'error':
      return (
        <div style={{ padding: 16 }} data-state="error">
          <MessageCard severity={MessageCardSeverity.Error}>{state.message}</MessageCard>
        </div>
      );
    case 'ready':
      return <>{props.children(state.data)}</>;
  }
}
