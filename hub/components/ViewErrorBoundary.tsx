import * as React from 'react';
import { MessageCard, MessageCardSeverity } from 'azure-devops-ui/MessageCard';
import { errorMessage } from './PageState';

/**
 * Keeps one broken view from blanking the whole page: React unmounts the entire tree when a render throws
 * and no error boundary catches it (React 16 docs, "Error Boundaries"). Evidence comes from other versions
 * and other hands, so a view that trips over it shows what went wrong here and the rest of the hub works.
 */
export class ViewErrorBoundary extends React.Component<{ what: string; children?: React.ReactNode }, { message?: string }> {
  state: { message?: string } = {};

  static getDerivedStateFromError(error: unknown): { message: string } {
    return { message: errorMessage(error) || 'unknown error' };
  }

  componentDidCatch(error: unknown): void {
    // Kept in the browser console for whoever investigates; the page shows the sentence below.
    console.error(`readiness hub: the ${this.props.what} view failed`, error);
  }

  render(): React.ReactNode {
    if (this.state.message === undefined) return this.props.children ?? null;
    return (
      <div style={{ padding: 16 }} data-state="view-error" data-view={this.props.what}>
        <MessageCard severity={MessageCardSeverity.Error}>
          The {this.props.what} view could not be shown: {this.state.message}. The rest of the page still works; the evidence document
          may be from another version of the readiness tasks.
        </MessageCard>
      </div>
    );
  }
}
