import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { orgPath } from '../../layout/nav-items.js';
import { useOrgContext } from '../../layout/org-context.js';
import { DashboardFrame, type FrameContext } from './DashboardFrame.js';
import { ExportLink } from './ExportLink.js';
import { formatDay, formatMoney } from './format.js';
import { customersQuery, fetchCustomers, type CustomerQuery, type CustomerStatus } from './metrics-api.js';

export function CustomersPage() {
  return (
    <DashboardFrame subject="your customers" title="Customers" description="Every customer, their plans and revenue." page="/customers" filters={{ range: false, interval: false }}>
      {(ctx) => <Customers {...ctx} />}
    </DashboardFrame>
  );
}

export const STATUS_LABELS: Record<CustomerStatus, string> = { active: 'Paying', trialing: 'Trialing', churned: 'Churned', never: 'Never paid' };
const SORTS = [
  { id: 'name', label: 'Name' },
  { id: 'email', label: 'Email' },
  { id: 'mrr', label: 'MRR' },
  { id: 'firstPaidDate', label: 'First paid' },
  { id: 'country', label: 'Country' },
  { id: 'status', label: 'Status' },
] as const;
const PAGE_SIZE = 50;

/** The list's own query from the URL (search, status, sort, page) next to the dashboard filters. */
export function readCustomerQuery(params: URLSearchParams): CustomerQuery {
  const sort = SORTS.some((s) => s.id === params.get('sort')) ? (params.get('sort') as string) : 'mrr';
  const order = params.get('order') === 'asc' ? 'asc' : params.get('order') === 'desc' ? 'desc' : sort === 'mrr' || sort === 'firstPaidDate' ? 'desc' : 'asc';
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  const status = (params.get('status') ?? '')
    .split(',')
    .filter((s) => s in STATUS_LABELS)
    .join(',');
  return { q: params.get('q')?.trim() || undefined, status: status || undefined, sort, order, page, pageSize: PAGE_SIZE };
}

function Customers({ state, currency, version }: FrameContext) {
  const { org } = useOrgContext();
  const id = useId();
  const [params, setParams] = useSearchParams();
  const cq = readCustomerQuery(params);
  const [search, setSearch] = useState(cq.q ?? '');
  useEffect(() => setSearch(cq.q ?? ''), [cq.q]);
  const list = useQuery({
    queryKey: ['orgs', org.id, 'customers', version, state.filters, cq],
    queryFn: () => fetchCustomers(org.id, state, cq),
    placeholderData: keepPreviousData,
  });

  function update(changes: Record<string, string | undefined>) {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    update({ q: search.trim() || undefined, page: undefined });
  }
  function sortBy(sort: string) {
    const same = cq.sort === sort;
    update({ sort, order: same ? (cq.order === 'asc' ? 'desc' : 'asc') : undefined, page: undefined });
  }

  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="card-heading-row">
        <h2 id={`${id}-title`}>Customers{data ? ` (${data.total})` : ''}</h2>
        <div className="section-actions">
          <ExportLink dataset="customers" query={customersQuery(state, { q: cq.q, status: cq.status, sort: cq.sort, order: cq.order })} label="customers" />
        </div>
      </div>
      <form className="filter-row" role="search" aria-label="Search customers" onSubmit={submit}>
        <div className="field grow">
          <label htmlFor={`${id}-q`}>Search</label>
          <input id={`${id}-q`} type="search" value={search} placeholder="Name, email or cus_…" maxLength={200} onChange={(e) => setSearch(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-status`}>Status</label>
          <select id={`${id}-status`} value={cq.status ?? ''} onChange={(e) => update({ status: e.target.value || undefined, page: undefined })}>
            <option value="">Any</option>
            {(Object.keys(STATUS_LABELS) as CustomerStatus[]).map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn btn-secondary">
          Search
        </button>
      </form>
      {list.isPending ? (
        <LoadingState label="Loading customers…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} title="Customers could not be loaded" />
      ) : data && data.items.length === 0 ? (
        <EmptyState title="No customers match">{cq.q || cq.status ? <p>Try another search or status.</p> : null}</EmptyState>
      ) : data ? (
        <>
          <div className="table-wrap" role="region" aria-label="Customer list" tabIndex={0}>
            <table className="table" aria-busy={list.isFetching}>
              <caption className="visually-hidden">Customers, sorted by {SORTS.find((s) => s.id === cq.sort)?.label} {cq.order === 'asc' ? 'ascending' : 'descending'}</caption>
              <thead>
                <tr>
                  {SORTS.filter((s) => s.id !== 'email').map((s) => (
                    <th key={s.id} scope="col" className={s.id === 'mrr' ? 'num' : undefined} aria-sort={cq.sort === s.id ? (cq.order === 'asc' ? 'ascending' : 'descending') : undefined}>
                      <button type="button" className="sort-button" onClick={() => sortBy(s.id)}>
                        {s.id === 'name' ? 'Customer' : s.label}
                        <span aria-hidden="true">{cq.sort === s.id ? (cq.order === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                      </button>
                    </th>
                  ))}
                  <th scope="col">Plans</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((c) => (
                  <tr key={`${c.accountId}-${c.id}`}>
                    <td>
                      <Link to={`${orgPath(org.id, `customers/${encodeURIComponent(c.id)}`)}${c.accountId ? `?account=${encodeURIComponent(c.accountId)}` : ''}`}>{c.name || c.email || c.id}</Link>
                      {c.name && c.email ? <div className="cell-secondary">{c.email}</div> : null}
                    </td>
                    <td className="num">{formatMoney(c.mrr, data.currency || currency)}</td>
                    <td>{formatDay(c.firstPaidDate)}</td>
                    <td>{c.country ?? '—'}</td>
                    <td>
                      <span className={`badge badge-neutral status-${c.status}`}>{STATUS_LABELS[c.status] ?? c.status}</span>
                    </td>
                    <td className="cell-secondary">{c.plans.join(', ') || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages of customers">
            <button type="button" className="btn btn-secondary" disabled={(cq.page ?? 1) <= 1} onClick={() => update({ page: String((cq.page ?? 1) - 1) })}>
              Previous
            </button>
            <span>
              Page {data.page} of {pages}
            </span>
            <button type="button" className="btn btn-secondary" disabled={(cq.page ?? 1) >= pages} onClick={() => update({ page: String((cq.page ?? 1) + 1) })}>
              Next
            </button>
          </nav>
        </>
      ) : null}
    </section>
  );
}
