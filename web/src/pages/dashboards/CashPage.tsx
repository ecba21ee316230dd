// Cash: what customers paid, what went back out (refunds, disputes, Stripe's fees) and the net, per period —
// GET /metrics/cash, the same figures as the CSV export.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Chart } from '../../components/charts/Chart.js';
import { ChartFigure } from '../../components/charts/ChartFigure.js';
import { buildLineOption } from '../../components/charts/line-option.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { useOrgContext } from '../../layout/org-context.js';
import { DashboardFrame, type FrameContext } from './DashboardFrame.js';
import { ExportLink } from './ExportLink.js';
import { formatMoney, formatPeriod } from './format.js';
import { fetchCash } from './metrics-api.js';
import { apiQuery } from './query-state.js';

export function CashPage() {
  return (
    <DashboardFrame subject="cash and refunds" title="Cash & refunds" description="Payments collected, refunds, disputes and fees, and the net cash left." page="/cash">
      {(ctx) => <Cash {...ctx} />}
    </DashboardFrame>
  );
}

function Cash({ state, currency, version }: FrameContext) {
  const { org } = useOrgContext();
  const rows = useQuery({
    queryKey: ['orgs', org.id, 'metrics', 'cash', version, state.from, state.to, state.interval, state.filters],
    queryFn: () => fetchCash(org.id, state),
  });
  const option = useMemo(() => {
    const data = rows.data ?? [];
    // Money is in minor units; the chart shows major units, formatted as the table does.
    const major = (v: number) => v / 100;
    return buildLineOption(
      data.map((r) => formatPeriod(r.date, state.interval)),
      [
        { id: 'net', name: 'Net cash', colour: '#1a7f37', type: 'bar', data: data.map((r) => major(r.net)) },
        { id: 'refunds', name: 'Refunds', colour: '#b3261e', data: data.map((r) => major(r.refunds)) },
        { id: 'disputes', name: 'Disputes', colour: '#8a5a00', data: data.map((r) => major(r.disputes)) },
      ],
      (v) => formatMoney(Math.round(v * 100), currency),
    );
  }, [rows.data, state.interval, currency]);
  if (rows.isPending) return <LoadingState label="Loading cash…" />;
  if (rows.isError) return <ErrorState error={rows.error} onRetry={() => void rows.refetch()} title="Cash could not be loaded" />;
  if (rows.data.every((r) => r.charges === 0 && r.refunds === 0 && r.disputes === 0 && r.fees === 0)) return <EmptyState title="No payments in this period" />;
  return (
    <ChartFigure
      title="Net cash, refunds and disputes"
      actions={<ExportLink dataset="cash" query={apiQuery(state)} label="cash" />}
      chart={<Chart option={option} testId="cash-chart" />}
      table={
        <table className="table table-numbers">
          <caption className="visually-hidden">Payments, refunds, disputes, fees and net cash by period</caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col" className="num">Payments</th>
              <th scope="col" className="num">Refunds</th>
              <th scope="col" className="num">Disputes</th>
              <th scope="col" className="num">Fees</th>
              <th scope="col" className="num">Net cash</th>
            </tr>
          </thead>
          <tbody>
            {rows.data.map((r) => (
              <tr key={r.date}>
                <th scope="row">{formatPeriod(r.date, state.interval)}</th>
                <td className="num">{formatMoney(r.charges, currency)}</td>
                <td className="num">{formatMoney(r.refunds, currency)}</td>
                <td className="num">{formatMoney(r.disputes, currency)}</td>
                <td className="num">{formatMoney(r.fees, currency)}</td>
                <td className="num" data-cash-net={r.date}>{formatMoney(r.net, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
