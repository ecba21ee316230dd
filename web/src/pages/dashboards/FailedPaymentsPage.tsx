import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Chart } from '../../components/charts/Chart.js';
import { ChartFigure } from '../../components/charts/ChartFigure.js';
import { buildLineOption } from '../../components/charts/line-option.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { useOrgContext } from '../../layout/org-context.js';
import { DashboardFrame, type FrameContext } from './DashboardFrame.js';
import { ExportLink } from './ExportLink.js';
import { formatCount, formatMoney, formatPercent, formatPeriod, formatRatio } from './format.js';
import { fetchFailedPayments } from './metrics-api.js';
import { apiQuery } from './query-state.js';

export function FailedPaymentsPage() {
  return (
    <DashboardFrame subject="failed payments" title="Failed payments" description="Payment attempts that failed, and the revenue recovered afterwards." page="/failed-payments">
      {(ctx) => <FailedPayments {...ctx} />}
    </DashboardFrame>
  );
}

function FailedPayments({ state, currency, version }: FrameContext) {
  const { org } = useOrgContext();
  const rows = useQuery({
    queryKey: ['orgs', org.id, 'metrics', 'failed-payments', version, state.from, state.to, state.interval, state.filters],
    queryFn: () => fetchFailedPayments(org.id, state),
  });
  const option = useMemo(() => {
    const data = rows.data ?? [];
    return buildLineOption(
      data.map((r) => formatPeriod(r.date, state.interval)),
      [{ id: 'rate', name: 'Failed-payment rate', colour: '#b3261e', data: data.map((r) => (r.rate.value === null ? null : r.rate.value * 100)) }],
      (v) => formatPercent(v / 100, { digits: 1 }),
    );
  }, [rows.data, state.interval]);
  if (rows.isPending) return <LoadingState label="Loading failed payments…" />;
  if (rows.isError) return <ErrorState error={rows.error} onRetry={() => void rows.refetch()} title="Failed payments could not be loaded" />;
  if (rows.data.every((r) => r.attempted === 0)) return <EmptyState title="No payment attempts in this period" />;
  return (
    <ChartFigure
      title="Failed payments and recovery"
      actions={<ExportLink dataset="failed-payments" query={apiQuery(state)} label="failed payments" />}
      chart={<Chart option={option} testId="failed-payments-chart" />}
      table={
        <table className="table table-numbers">
          <caption className="visually-hidden">Failed payments and recovered revenue by period</caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col" className="num">Attempts</th>
              <th scope="col" className="num">Failed</th>
              <th scope="col" className="num">Failure rate</th>
              <th scope="col" className="num">Recovered invoices</th>
              <th scope="col" className="num">Recovered revenue</th>
            </tr>
          </thead>
          <tbody>
            {rows.data.map((r) => (
              <tr key={r.date}>
                <th scope="row">{formatPeriod(r.date, state.interval)}</th>
                <td className="num">{formatCount(r.attempted)}</td>
                <td className="num">{formatCount(r.failed)}</td>
                <td className="num">{formatRatio(r.rate)}</td>
                <td className="num">{formatCount(r.recoveredInvoices)}</td>
                <td className="num">{formatMoney(r.recoveredRevenue, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
