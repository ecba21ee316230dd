// One customer: MRR over time (a step chart: each point holds until the next), subscriptions, invoices
// and Stripe events. Opening it is recorded in the audit log by the server (a read of customer data).
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../api/problem.js';
import { Chart } from '../../components/charts/Chart.js';
import { ChartFigure } from '../../components/charts/ChartFigure.js';
import { buildLineOption } from '../../components/charts/line-option.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { Time } from '../../components/Time.js';
import { orgPath } from '../../layout/nav-items.js';
import { useOrgContext } from '../../layout/org-context.js';
import { ExportLink } from './ExportLink.js';
import { formatDay, formatMoney, toMajor } from './format.js';
import { fetchCustomer, MOVEMENT_LABELS, type MovementKind } from './metrics-api.js';
import { billingText } from './PlansPage.js';
import { STATUS_LABELS } from './CustomersPage.js';

export function CustomerDetailPage() {
  const { org } = useOrgContext();
  const { customerId = '' } = useParams();
  const [params] = useSearchParams();
  const account = params.get('account') ?? undefined;
  const detail = useQuery({ queryKey: ['orgs', org.id, 'customer', customerId, account], queryFn: () => fetchCustomer(org.id, customerId, account) });
  const d = detail.data;
  const option = useMemo(() => {
    if (!d) return null;
    return buildLineOption(
      d.timeline.map((p) => formatDay(p.date)),
      [{ id: 'mrr', name: 'MRR', colour: '#16211c', step: true, data: d.timeline.map((p) => toMajor(p.mrr, d.currency)) }],
      (v) => formatMoney(Math.round(v / toMajor(1, d.currency)), d.currency, { compact: true }),
    );
  }, [d]);

  const back = (
    <Link className="btn btn-secondary" to={orgPath(org.id, 'customers')}>
      All customers
    </Link>
  );
  if (detail.isPending)
    return (
      <div className="page">
        <PageHeader title="Customer" actions={back} />
        <LoadingState label="Loading the customer…" />
      </div>
    );
  if (detail.isError)
    return (
      <div className="page">
        <PageHeader title="Customer" actions={back} />
        {detail.error instanceof ApiError && detail.error.status === 404 ? (
          <EmptyState title="No such customer">
            <p>This customer is not in {org.name}’s Stripe data, or was removed from it.</p>
          </EmptyState>
        ) : (
          <ErrorState error={detail.error} onRetry={() => void detail.refetch()} title="The customer could not be loaded" />
        )}
      </div>
    );
  const c = d!.customer;
  const currency = d!.currency;
  return (
    <div className="page">
      <PageHeader title={c.name || c.email || c.id} description={[c.email, c.id, c.country].filter(Boolean).join(' · ')} actions={back} />
      <ul className="kpi-grid" aria-label="Customer figures">
        <li className="kpi">
          <div className="kpi-static">
            <span className="kpi-label">MRR</span>
            <span className="kpi-value">{formatMoney(c.mrr, currency)}</span>
          </div>
        </li>
        <li className="kpi">
          <div className="kpi-static">
            <span className="kpi-label">Status</span>
            <span className="kpi-value">{STATUS_LABELS[c.status] ?? c.status}</span>
          </div>
        </li>
        <li className="kpi">
          <div className="kpi-static">
            <span className="kpi-label">First paid</span>
            <span className="kpi-value">{formatDay(c.firstPaidDate)}</span>
          </div>
        </li>
        {Object.entries(c.native).map(([cur, amount]) => (
          <li className="kpi" key={cur}>
            <div className="kpi-static">
              <span className="kpi-label">MRR in {cur}</span>
              <span className="kpi-value">{formatMoney(amount, cur)}</span>
            </div>
          </li>
        ))}
      </ul>
      {d!.timeline.length > 0 && option ? (
        <ChartFigure
          title="MRR over time"
          actions={<ExportLink dataset="customer-timeline" query={`?customerId=${encodeURIComponent(c.id)}${account ? `&account=${encodeURIComponent(account)}` : ''}`} label="customer MRR timeline" />}
          chart={<Chart option={option} testId="customer-chart" />}
          table={
            <table className="table table-numbers">
              <caption className="visually-hidden">MRR changes of this customer</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Change</th>
                  <th scope="col" className="num">Amount</th>
                  <th scope="col" className="num">MRR after</th>
                </tr>
              </thead>
              <tbody>
                {d!.timeline.map((p) => {
                  const amount = (['new', 'expansion', 'contraction', 'churn', 'reactivation', 'currencyAdjustment'] as MovementKind[]).reduce((s, k) => s + (p[k] ?? 0), 0);
                  return (
                    <tr key={p.date}>
                      <th scope="row">{formatDay(p.date)}</th>
                      <td>{MOVEMENT_LABELS[p.kind as MovementKind] ?? (p.kind === 'mixed' ? 'Several' : p.kind)}</td>
                      <td className="num">{formatMoney(amount, currency, { signed: true })}</td>
                      <td className="num">{formatMoney(p.mrr, currency)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          }
        />
      ) : null}
      {c.metadata && Object.keys(c.metadata).length > 0 ? (
        <section className="card" aria-labelledby="meta-title">
          <h2 id="meta-title">Stripe metadata</h2>
          <dl className="definition-list">
            {Object.entries(c.metadata).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </section>
      ) : null}
      <section className="card" aria-labelledby="subs-title">
        <h2 id="subs-title">Subscriptions</h2>
        {d!.subscriptions.length === 0 ? (
          <p className="field-hint">No subscriptions.</p>
        ) : (
          <div className="table-wrap" role="region" aria-label="Subscriptions" tabIndex={0}>
            <table className="table">
              <caption className="visually-hidden">Subscriptions</caption>
              <thead>
                <tr>
                  <th scope="col">Subscription</th>
                  <th scope="col">Status</th>
                  <th scope="col">Items</th>
                  <th scope="col" className="num">MRR</th>
                  <th scope="col">Started</th>
                  <th scope="col">Ends</th>
                </tr>
              </thead>
              <tbody>
                {d!.subscriptions.map((s) => (
                  <tr key={s.id}>
                    <th scope="row" className="cell-secondary">{s.id}</th>
                    <td>
                      {s.status}
                      {s.cancelAtPeriodEnd ? <div className="cell-secondary">cancels at period end</div> : null}
                    </td>
                    <td>
                      {s.items.map((i) => (
                        <div key={`${s.id}-${i.priceId}`}>
                          {i.productName ?? i.priceId} × {i.quantity ?? 1} · {i.unitAmount === null ? 'tiered' : formatMoney(i.unitAmount, i.currency)} {billingText(i.interval, i.intervalCount).toLowerCase()}
                        </div>
                      ))}
                    </td>
                    <td className="num">
                      {formatMoney(s.mrr, currency)}
                      {s.currency.toUpperCase() !== currency ? <div className="cell-secondary">{formatMoney(s.nativeMrr, s.currency.toUpperCase())}</div> : null}
                    </td>
                    <td>
                      <Time iso={s.startDate ?? undefined} withTime={false} />
                    </td>
                    <td>
                      <Time iso={(s.endedAt ?? s.cancelAt ?? undefined) || undefined} withTime={false} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="invoices-title">
        <h2 id="invoices-title">Invoices</h2>
        {d!.invoices.length === 0 ? (
          <p className="field-hint">No invoices.</p>
        ) : (
          <div className="table-wrap" role="region" aria-label="Invoices" tabIndex={0}>
            <table className="table">
              <caption className="visually-hidden">Invoices, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Invoice</th>
                  <th scope="col">Date</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">Total</th>
                  <th scope="col" className="num">Paid</th>
                  <th scope="col" className="num">Attempts</th>
                </tr>
              </thead>
              <tbody>
                {d!.invoices.map((i) => (
                  <tr key={i.id}>
                    <th scope="row" className="cell-secondary">{i.number ?? i.id}</th>
                    <td>
                      <Time iso={i.created ?? undefined} withTime={false} />
                    </td>
                    <td>{i.status}</td>
                    <td className="num">{formatMoney(i.total, i.currency.toUpperCase())}</td>
                    <td className="num">{formatMoney(i.amountPaid, i.currency.toUpperCase())}</td>
                    <td className="num">{i.attemptCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="events-title">
        <h2 id="events-title">Stripe events</h2>
        {d!.events.length === 0 ? (
          <p className="field-hint">No events.</p>
        ) : (
          <ul className="plain-list event-list">
            {d!.events.map((e) => (
              <li key={e.id}>
                <Time iso={e.created ?? undefined} /> <code>{e.type}</code>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
