// The customers behind a movement bar or a KPI, in a side drawer (a modal <dialog>: focus is trapped,
// Escape closes it and focus returns to the bar's table cell or tile that opened it).
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { ErrorState, LoadingState } from '../../components/States.js';
import { orgPath } from '../../layout/nav-items.js';
import { useOrgContext } from '../../layout/org-context.js';
import { ExportLink } from './ExportLink.js';
import { formatDay, formatMoney } from './format.js';
import { fetchMovements, MOVEMENT_LABELS, movementsQuery, type MovementKind } from './metrics-api.js';
import type { Filters } from './query-state.js';

export interface DrillTarget {
  title: string;
  from: string;
  to: string;
  kinds?: MovementKind[];
}

const PAGE_SIZE = 25;

export function DrillDown({ target, filters, version, onClose }: { target: DrillTarget | null; filters: Filters; version: number; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const { org } = useOrgContext();
  const [page, setPage] = useState(1);
  useEffect(() => setPage(1), [target]);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (target && !d.open) d.showModal();
    if (!target && d.open) d.close();
  }, [target]);
  const kind = target?.kinds?.join(',');
  const q = { from: target?.from ?? '', to: target?.to ?? '', kind, page, pageSize: PAGE_SIZE };
  const movements = useQuery({
    queryKey: ['orgs', org.id, 'metrics', 'movements', version, filters, q],
    queryFn: () => fetchMovements(org.id, filters, q),
    enabled: target !== null,
  });
  const data = movements.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  return (
    <dialog ref={ref} className="drawer" aria-labelledby="drill-title" onClose={onClose} onCancel={onClose}>
      <div className="drawer-header">
        <div>
          <h2 id="drill-title">{target?.title ?? ''}</h2>
          {target ? (
            <p className="page-description">
              {formatDay(target.from)} – {formatDay(target.to)}
            </p>
          ) : null}
        </div>
        <button type="button" className="btn btn-secondary" onClick={onClose}>
          Close
        </button>
      </div>
      {target === null ? null : movements.isPending ? (
        <LoadingState label="Loading the customers behind this figure…" />
      ) : movements.isError ? (
        <ErrorState error={movements.error} onRetry={() => void movements.refetch()} />
      ) : data && data.total === 0 ? (
        <p>No customer moved MRR in this period{kind ? ' in this way' : ''}.</p>
      ) : data ? (
        <>
          <p className="drawer-summary">
            {data.total} {data.total === 1 ? 'movement' : 'movements'}, {formatMoney(data.totalAmount, data.currency, { signed: true })} in total.
          </p>
          <div className="button-row">
            <ExportLink dataset="movements" query={movementsQuery(filters, { from: target.from, to: target.to, kind })} label={`${target.title} customers`} />
          </div>
          <div className="table-wrap" role="region" aria-label="Customers behind this figure" tabIndex={0}>
            <table className="table">
              <caption className="visually-hidden">Customers behind {target.title}</caption>
              <thead>
                <tr>
                  <th scope="col">Customer</th>
                  <th scope="col">Date</th>
                  <th scope="col">Movement</th>
                  <th scope="col" className="num">
                    Change
                  </th>
                  <th scope="col" className="num">
                    MRR after
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((m) => (
                  <tr key={`${m.accountId}-${m.customerId}-${m.date}-${m.kind}`}>
                    <td>
                      <Link to={`${orgPath(org.id, `customers/${encodeURIComponent(m.customerId)}`)}${m.accountId ? `?account=${encodeURIComponent(m.accountId)}` : ''}`}>
                        {m.name || m.email || m.customerId}
                      </Link>
                      {m.name && m.email ? <div className="cell-secondary">{m.email}</div> : null}
                    </td>
                    <td>{formatDay(m.date)}</td>
                    <td>{MOVEMENT_LABELS[m.kind] ?? m.kind}</td>
                    <td className="num">{formatMoney(m.amount, data.currency, { signed: true })}</td>
                    <td className="num">{formatMoney(m.mrr, data.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {pages > 1 ? (
            <nav className="pager" aria-label="Pages of customers">
              <button type="button" className="btn btn-secondary" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
                Previous
              </button>
              <span>
                Page {page} of {pages}
              </span>
              <button type="button" className="btn btn-secondary" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
                Next
              </button>
            </nav>
          ) : null}
        </>
      ) : null}
    </dialog>
  );
}
