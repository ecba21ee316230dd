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
import { fetchChurn, type ChurnRow } from './metrics-api.js';
import { apiQuery } from './query-state.js';

export function ChurnPage() {
  return (
    <DashboardFrame subject="churn" title="Churn" description="Customers and revenue you lose, and what you keep." page="/churn">
      {(ctx) => <Churn {...ctx} />}
    </DashboardFrame>
  );
}

const pct = (v: number) => formatPercent(v / 100, { digits: 1 });

function Churn({ state, currency, version }: FrameContext) {
  const { org } = useOrgContext();
  const churn = useQuery({ queryKey: ['orgs', org.id, 'metrics', 'churn', version, state.from, state.to, state.interval, state.filters], queryFn: () => fetchChurn(org.id, state) });
  const option = useMemo(() => {
    const rows: ChurnRow[] = churn.data ?? [];
    const p = (r: { value: number | null }) => (r.value === null ? null : r.value * 100);
    return buildLineOption(
      rows.map((r) => formatPeriod(r.date, state.interval)),
      [
        { id: 'customer', name: 'Customer churn', colour: '#b3261e', data: rows.map((r) => p(r.customerChurnRate)) },
        { id: 'gross', name: 'Gross MRR churn', colour: '#d97a1f', data: rows.map((r) => p(r.grossMrrChurnRate)) },
        { id: 'net', name: 'Net MRR churn', colour: '#7a5bc7', data: rows.map((r) => p(r.netMrrChurnRate)) },
      ],
      pct,
    );
  }, [churn.data, state.interval]);
  const retention = useMemo(() => {
    const rows: ChurnRow[] = churn.data ?? [];
    const p = (r: { value: number | null }) => (r.value === null ? null : r.value * 100);
    return buildLineOption(
      rows.map((r) => formatPeriod(r.date, state.interval)),
      [
        { id: 'nrr', name: 'NRR', colour: '#0b6b4d', data: rows.map((r) => p(r.nrr)) },
        { id: 'grr', name: 'GRR', colour: '#2f8fce', data: rows.map((r) => p(r.grr)) },
      ],
      pct,
    );
  }, [churn.data, state.interval]);
  if (churn.isPending) return <LoadingState label="Loading churn…" />;
  if (churn.isError) return <ErrorState error={churn.error} onRetry={() => void churn.refetch()} title="Churn could not be loaded" />;
  if (churn.data.length === 0) return <EmptyState title="No churn figures in this period" />;
  const query = apiQuery(state);
  const table = (
    <table className="table table-numbers">
      <caption className="visually-hidden">Churn and retention by period</caption>
      <thead>
        <tr>
          <th scope="col">Period</th>
          <th scope="col" className="num">Customers at start</th>
          <th scope="col" className="num">Churned customers</th>
          <th scope="col" className="num">Customer churn</th>
          <th scope="col" className="num">MRR at start</th>
          <th scope="col" className="num">Churned MRR</th>
          <th scope="col" className="num">Contraction</th>
          <th scope="col" className="num">Expansion</th>
          <th scope="col" className="num">Gross MRR churn</th>
          <th scope="col" className="num">Net MRR churn</th>
          <th scope="col" className="num">NRR</th>
          <th scope="col" className="num">GRR</th>
        </tr>
      </thead>
      <tbody>
        {churn.data.map((r) => (
          <tr key={r.date}>
            <th scope="row">{formatPeriod(r.date, state.interval)}</th>
            <td className="num">{formatCount(r.startCustomers)}</td>
            <td className="num">{formatCount(r.churnedCustomers)}</td>
            <td className="num">{formatRatio(r.customerChurnRate)}</td>
            <td className="num">{formatMoney(r.startMrr, currency)}</td>
            <td className="num">{formatMoney(r.churnedMrr, currency)}</td>
            <td className="num">{formatMoney(r.contractionMrr, currency)}</td>
            <td className="num">{formatMoney(r.expansionMrr, currency)}</td>
            <td className="num">{formatRatio(r.grossMrrChurnRate)}</td>
            <td className="num">{formatRatio(r.netMrrChurnRate)}</td>
            <td className="num">{formatRatio(r.nrr)}</td>
            <td className="num">{formatRatio(r.grr)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <>
      <ChartFigure title="Churn rates" actions={<ExportLink dataset="churn" query={query} label="churn" />} chart={<Chart option={option} testId="churn-chart" />} table={table} />
      <ChartFigure title="Revenue retention" actions={<ExportLink dataset="churn" query={query} label="revenue retention" />} chart={<Chart option={retention} />} table={table} />
    </>
  );
}
