import { useQuery } from '@tanstack/react-query';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { useOrgContext } from '../../layout/org-context.js';
import { DashboardFrame, type FrameContext } from './DashboardFrame.js';
import { ExportLink } from './ExportLink.js';
import { formatCount, formatMoney, formatRatio } from './format.js';
import { fetchPlans } from './metrics-api.js';
import { apiQuery } from './query-state.js';

const EVERY: Record<string, string> = { day: 'Daily', week: 'Weekly', month: 'Monthly', year: 'Yearly' };

/** Empty when the price's interval is unknown (its price is not in the synced data). */
export function billingText(interval: string | null, count: number | null): string {
  if (interval === null) return '';
  return count !== null && count > 1 ? `Every ${count} ${interval}s` : (EVERY[interval] ?? interval);
}

export function PlansPage() {
  return (
    <DashboardFrame subject="revenue by plan" title="Plans" description="Which plans your revenue comes from, today." page="/plans" filters={{ range: false, interval: false }}>
      {(ctx) => <Plans {...ctx} />}
    </DashboardFrame>
  );
}

function Plans({ state, currency, version }: FrameContext) {
  const { org } = useOrgContext();
  const plans = useQuery({ queryKey: ['orgs', org.id, 'metrics', 'plans', version, state.filters], queryFn: () => fetchPlans(org.id, state) });
  if (plans.isPending) return <LoadingState label="Loading plans…" />;
  if (plans.isError) return <ErrorState error={plans.error} onRetry={() => void plans.refetch()} title="Plans could not be loaded" />;
  if (plans.data.length === 0) return <EmptyState title="No plan earns MRR today" />;
  return (
    <section className="card" aria-labelledby="plans-title">
      <div className="card-heading-row">
        <h2 id="plans-title">MRR by plan</h2>
        <div className="section-actions">
          <ExportLink dataset="plans" query={apiQuery(state, {}, { range: false, interval: false })} label="plans" />
        </div>
      </div>
      <div className="table-wrap" role="region" aria-label="MRR by plan" tabIndex={0}>
        <table className="table table-numbers">
          <caption className="visually-hidden">MRR by plan, biggest first</caption>
          <thead>
            <tr>
              <th scope="col">Plan</th>
              <th scope="col">Billing</th>
              <th scope="col" className="num">Customers</th>
              <th scope="col" className="num">Subscriptions</th>
              <th scope="col" className="num">MRR ({currency})</th>
              <th scope="col" className="num">MRR (plan currency)</th>
              <th scope="col" className="num">Share</th>
            </tr>
          </thead>
          <tbody>
            {plans.data.map((p) => (
              <tr key={`${p.priceId}-${p.currency}`}>
                <th scope="row">
                  <span className="cell-primary">{p.nickname || p.productName || p.priceId}</span>
                  <div className="cell-secondary">{p.priceId} · {p.currency}</div>
                </th>
                <td>{billingText(p.interval, p.intervalCount)}</td>
                <td className="num">{formatCount(p.customers)}</td>
                <td className="num">{formatCount(p.subscriptions)}</td>
                <td className="num">{formatMoney(p.mrr, currency)}</td>
                <td className="num">{formatMoney(p.nativeMrr, p.currency)}</td>
                <td className="num">{formatRatio(p.share)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
