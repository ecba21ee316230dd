import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { auditExportUrl, fetchAudit, fetchMembers } from '../../api/endpoints.js';
import type { AuditFilters } from '../../api/types.js';
import { DataTable } from '../../components/DataTable.js';
import { SelectField, TextField } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { Time } from '../../components/Time.js';
import { Gate } from '../../layout/Gate.js';
import { useOrgContext } from '../../layout/org-context.js';

const FILTER_KEYS = ['actor', 'action', 'from', 'to'] as const;

function filtersFrom(params: URLSearchParams): AuditFilters {
  const f: AuditFilters = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v) f[k] = v;
  }
  return f;
}

export function AuditLogPage() {
  return (
    <Gate capability="viewAuditLog" what="the audit log">
      <AuditLogContent />
    </Gate>
  );
}

function AuditLogContent() {
  const { org } = useOrgContext();
  // Filters live in the URL so a filtered view can be bookmarked or shared with another Admin.
  const [params, setParams] = useSearchParams();
  const applied = filtersFrom(params);
  const [draft, setDraft] = useState<AuditFilters>(applied);

  const log = useInfiniteQuery({
    queryKey: ['orgs', org.id, 'audit', applied],
    queryFn: ({ pageParam }) => fetchAudit(org.id, applied, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = log.data?.pages.flatMap((p) => p.entries) ?? [];
  // The log stores user ids; members' names make it readable (former members stay as ids).
  const members = useQuery({ queryKey: ['orgs', org.id, 'members'], queryFn: () => fetchMembers(org.id) });
  const nameOf = new Map((members.data ?? []).map((m) => [m.userId, m.name || m.email]));

  function apply(e: FormEvent) {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const k of FILTER_KEYS) {
      const v = draft[k]?.trim();
      if (v) next.set(k, v);
    }
    setParams(next);
  }

  function clear() {
    setDraft({});
    setParams(new URLSearchParams());
  }

  const set = (k: keyof AuditFilters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));

  return (
    <div className="page">
      <PageHeader
        title="Audit log"
        description="Every sign-in, change and read of customer data in this organisation. Entries are chained by hash, so tampering shows."
        actions={
          <div className="button-row">
            <a className="btn btn-secondary" href={auditExportUrl(org.id, applied, 'csv')} download>
              Export CSV
            </a>
            <a className="btn btn-secondary" href={auditExportUrl(org.id, applied, 'json')} download>
              Export JSON
            </a>
          </div>
        }
      />
      <form className="card filters" onSubmit={apply} aria-label="Filter the audit log">
        <div className="filters-grid">
          <SelectField label="Actor" name="actor" value={draft.actor ?? ''} onChange={set('actor')}>
            <option value="">Anyone</option>
            {(members.data ?? []).map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.name ? `${m.name} (${m.email})` : m.email}
              </option>
            ))}
            {draft.actor && !nameOf.has(draft.actor) ? <option value={draft.actor}>{draft.actor}</option> : null}
          </SelectField>
          <TextField label="Action" name="action" aria-describedby="action-help" value={draft.action ?? ''} onChange={set('action')} />
          <TextField label="From" name="from" type="date" value={draft.from ?? ''} onChange={set('from')} />
          <TextField label="To" name="to" type="date" value={draft.to ?? ''} onChange={set('to')} />
        </div>
        <p id="action-help" className="muted filters-help">
          Action: an exact name such as <code>auth.login</code>, or every action starting with a prefix that ends in a dot, such as{' '}
          <code>member.</code>
        </p>
        <div className="button-row">
          <button type="submit" className="btn btn-primary">
            Apply filters
          </button>
          <button type="button" className="btn btn-secondary" onClick={clear}>
            Clear
          </button>
        </div>
      </form>
      <section className="card" aria-labelledby="audit-entries">
        <h2 id="audit-entries">Entries</h2>
        {log.isPending ? <LoadingState label="Loading the audit log…" /> : null}
        {log.isError ? <ErrorState error={log.error} onRetry={() => void log.refetch()} /> : null}
        {log.isSuccess && entries.length === 0 ? (
          <EmptyState title={Object.keys(applied).length > 0 ? 'No entries match these filters' : 'No entries yet'} />
        ) : null}
        {entries.length > 0 ? (
          <DataTable caption="Audit log entries">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Result</th>
                <th scope="col">IP address</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">
                    <Time iso={e.at} />
                  </td>
                  <td>{(e.actorId && nameOf.get(e.actorId)) || e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.target || '—'}</td>
                  <td>
                    <span className={`badge ${/fail|denied|error|refused/i.test(e.result) ? 'badge-negative' : 'badge-neutral'}`}>{e.result || '—'}</span>
                  </td>
                  <td className="nowrap" title={e.userAgent}>
                    {e.ip || '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        ) : null}
        {log.hasNextPage ? (
          <button type="button" className="btn btn-secondary" disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
            {log.isFetchingNextPage ? 'Loading…' : 'Load older entries'}
          </button>
        ) : null}
      </section>
    </div>
  );
}
