import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Chart } from '../../components/charts/Chart.js';
import { ChartFigure } from '../../components/charts/ChartFigure.js';
import { buildLineOption } from '../../components/charts/line-option.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { useOrgContext } from '../../layout/org-context.js';
import { DashboardFrame, type FrameContext } from './DashboardFrame.js';
import { ExportLink } from './ExportLink.js';
import { formatCount, formatPeriod, formatRatio } from './format.js';
import { fetchTrials } from './metrics-api.js';
import { apiQuery } from './query-state.js';

export function TrialsPage() {
  return (
    <DashboardFrame subject="trial conversion" title="Trials" description="Trials that ended in each period and how many became paying customers." page="/trials">
      {(ctx) => <Trials {...ctx} />}
    </DashboardFrame>
  );
}

function Trials({ state, version }: FrameContext) {
  const { org } = useOrgContext();
  const trials = useQuery({ queryKey: ['orgs', org.id, 'metrics', 'trials', version, state.from, state.to, state.interval, state.filters], queryFn: () => fetchTrials(org.id, state) });
  const option = useMemo(() => {
    const rows = trials.data ?? [];
    return buildLineOption(
      rows.map((r) => formatPeriod(r.date, state.interval)),
      [
        { id: 'trials', name: 'Trials ended', colour: '#2f8fce', type: 'bar', data: rows.map((r) => r.trials) },
        { id: 'converted', name: 'Converted', colour: '#0b6b4d', type: 'bar', data: rows.map((r) => r.converted) },
      ],
      (v) => formatCount(v),
    );
  }, [trials.data, state.interval]);
  if (trials.isPending) return <LoadingState label="Loading trials…" />;
  if (trials.isError) return <ErrorState error={trials.error} onRetry={() => void trials.refetch()} title="Trials could not be loaded" />;
  if (trials.data.every((r) => r.trials === 0)) return <EmptyState title="No trials ended in this period" />;
  return (
    <ChartFigure
      title="Trial conversion"
      actions={<ExportLink dataset="trials" query={apiQuery(state)} label="trials" />}
      chart={<Chart option={option} testId="trials-chart" />}
      table={
        <table className="table table-numbers">
          <caption className="visually-hidden">Trials and conversions by period</caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col" className="num">Trials ended</th>
              <th scope="col" className="num">Converted</th>
              <th scope="col" className="num">Conversion</th>
            </tr>
          </thead>
          <tbody>
            {trials.data.map((r) => (
              <tr key={r.date}>
                <th scope="row">{formatPeriod(r.date, state.interval)}</th>
                <td className="num">{formatCount(r.trials)}</td>
                <td className="num">{formatCount(r.converted)}</td>
                <td className="num">{formatRatio(r.rate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
