import * as React from 'react';
import { Card } from 'azure-devops-ui/Card';
import { Pill, PillSize, PillVariant } from 'azure-devops-ui/Pill';
import { Tab, TabBar, TabSize } from 'azure-devops-ui/Tabs';
import { ITableColumn, SimpleTableCell, Table } from 'azure-devops-ui/Table';
import { ArrayItemProvider } from 'azure-devops-ui/Utilities/Provider';
import { ago } from '../model/evidence';
import { STATUS_LABEL, StatusFilter, Subject, filterSubjects } from '../model/overview';

export const STATUS_COLOR: Record<Subject['status'], { red: number; green: number; blue: number } | undefined> = {
  ready: { red: 16, green: 124, blue: 16 },
  'not-ready': { red: 209, green: 52, blue: 56 },
  warn: { red: 202, green: 80, blue: 16 },
  unknown: undefined,
};

export function StatusPill(props: { status: Subject['status'] }) {
  const color = STATUS_COLOR[props.status];
  return (
    <Pill size={PillSize.compact} variant={color ? PillVariant.colored : PillVariant.outlined} color={color}>
      <span data-status={props.status}>{STATUS_LABEL[props.status]}</span>
    </Pill>
  );
}

function cell(render: (s: Subject) => React.ReactNode) {
  return (rowIndex: number, columnIndex: number, column: ITableColumn<Subject>, item: Subject) => (
    <SimpleTableCell key={`${rowIndex}-${columnIndex}`} columnIndex={columnIndex} tableColumn={column}>
      {render(item)}
    </SimpleTableCell>
  );
}

function columns(now: number): ITableColumn<Subject>[] {
  return [
    { id: 'service', name: 'Service', width: -25, renderCell: cell((s) => <span className="font-weight-semibold" data-subject={s.key}>{s.service}</span>) },
    { id: 'environment', name: 'Environment', width: -15, renderCell: cell((s) => s.environment) },
    { id: 'status', name: 'Status', width: -15, renderCell: cell((s) => (
      <span className="flex-row flex-center" style={{ gap: 6 }}>
        <StatusPill status={s.status} />
        {s.expiredBy ? (
          <span className="readiness-invalid" data-expired-by={s.expiredBy.id} title={`Newer ${s.expiredBy.kind} evidence finished ${new Date(s.expiredBy.finishedAt).toLocaleString()}, after this verdict.`}>
            out of date
          </span>
        ) : null}
      </span>
    )) },
    { id: 'level', name: 'Level', width: -15, renderCell: cell((s) => s.statusDoc ? `${s.statusDoc.level ?? 'none'}${s.statusDoc.requiredLevel ? ` / ${s.statusDoc.requiredLevel}` : ''}` : '—') },
    { id: 'fresh', name: 'Newest evidence', width: -15, renderCell: cell((s) => (
      <span>
        {ago(s.newestEvidenceAt, now)}
        {s.invalidEvidence.length ? <span className="readiness-invalid"> · {s.invalidEvidence.length} invalid</span> : null}
      </span>
    )) },
    { id: 'pending', name: 'Pending sign-offs', width: -15, renderCell: cell((s) => s.pendingSignOffs.length ? s.pendingSignOffs.join(', ') : <span className="readiness-muted">none</span>) },
  ];
}

const FILTERS: StatusFilter[] = ['all', 'ready', 'not-ready', 'warn', 'unknown'];

/** Services by environment with their gate status; filterable by status. */
export function Overview(props: { subjects: Subject[]; onOpen: (subject: Subject) => void }) {
  const [filter, setFilter] = React.useState<StatusFilter>('all');
  const shown = filterSubjects(props.subjects, filter);
  const count = (f: StatusFilter) => filterSubjects(props.subjects, f).length;
  // Freshness is computed against the time the data arrived; the columns stay stable between renders.
  const tableColumns = React.useMemo(() => columns(Date.now()), [props.subjects]);
  return (
    <div className="flex-column">
      <TabBar selectedTabId={filter} onSelectedTabChanged={(id) => setFilter(id as StatusFilter)} tabSize={TabSize.Compact}>
        {FILTERS.filter((f) => f === 'all' || count(f) > 0).map((f) => (
          <Tab key={f} id={f} name={f === 'all' ? 'All' : STATUS_LABEL[f as Subject['status']]} badgeCount={count(f)} />
        ))}
      </TabBar>
      <Card className="readiness-section" contentProps={{ contentPadding: false }}>
        {shown.length === 0 ? (
          <p className="readiness-muted" style={{ padding: 16 }}>No service has this status.</p>
        ) : (
          <Table<Subject>
            ariaLabel="Services"
            columns={tableColumns}
            itemProvider={new ArrayItemProvider(shown)}
            onActivate={(_e, row) => props.onOpen(row.data)}
            role="table"
          />
        )}
      </Card>
    </div>
  );
}
