import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ChartFigure } from '../../components/charts/ChartFigure.js';
import { MrrChart, MrrTable } from '../../components/charts/MrrChart.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { useOrgContext } from '../../layout/org-context.js';
import { DashboardFrame, type FrameContext } from './DashboardFrame.js';
import { DrillDown, type DrillTarget } from './DrillDown.js';
import { ExportLink } from './ExportLink.js';
import { formatPeriod } from './format.js';
import { fetchMrr, MOVEMENT_LABELS, type MovementKind, type MrrRow } from './metrics-api.js';
import { useAnnotations } from './OverviewPage.js';
import { apiQuery } from './query-state.js';

export function MrrPage() {
  return (
    <DashboardFrame subject="your monthly recurring revenue" title="MRR" description="Monthly recurring revenue over time and what moved it." page="/mrr">
      {(ctx) => <Mrr {...ctx} />}
    </DashboardFrame>
  );
}

function Mrr({ state, currency, version }: FrameContext) {
  const { org } = useOrgContext();
  const [drill, setDrill] = useState<DrillTarget | null>(null);
  const mrr = useQuery({ queryKey: ['orgs', org.id, 'metrics', 'mrr', version, state.from, state.to, state.interval, state.filters], queryFn: () => fetchMrr(org.id, state) });
  const annotations = useAnnotations(state.from, state.to);
  const onBar = (row: MrrRow, kind: MovementKind) =>
    setDrill({ title: `${MOVEMENT_LABELS[kind]} · ${formatPeriod(row.date, state.interval)}`, from: row.from, to: row.to, kinds: [kind] });
  if (mrr.isPending) return <LoadingState label="Loading MRR…" />;
  if (mrr.isError) return <ErrorState error={mrr.error} onRetry={() => void mrr.refetch()} title="MRR could not be loaded" />;
  if (mrr.data.length === 0) return <EmptyState title="No MRR in this period" />;
  const rows = [...mrr.data].reverse();
  return (
    <>
      <ChartFigure
        title="MRR"
        actions={<ExportLink dataset="mrr" query={apiQuery(state)} label="MRR series" />}
        chart={<MrrChart rows={mrr.data} currency={currency} interval={state.interval} annotations={annotations.data ?? []} onBar={onBar} />}
        table={<MrrTable rows={mrr.data} currency={currency} interval={state.interval} caption="MRR by period" />}
      />
      <section className="card" aria-labelledby="breakdown-title">
        <div className="card-heading-row">
          <h2 id="breakdown-title">MRR breakdown</h2>
          <div className="section-actions">
            <ExportLink dataset="mrr" query={apiQuery(state)} label="MRR breakdown" />
          </div>
        </div>
        <p className="field-hint">Newest first. Each row: start MRR + movements = end MRR. Choose a figure to see its customers.</p>
        <div className="table-wrap" role="region" aria-label="MRR breakdown" tabIndex={0}>
          <MrrTable rows={rows} currency={currency} interval={state.interval} onBar={onBar} caption="MRR breakdown by period" />
        </div>
      </section>
      <DrillDown target={drill} filters={state.filters} version={version} onClose={() => setDrill(null)} />
    </>
  );
}
