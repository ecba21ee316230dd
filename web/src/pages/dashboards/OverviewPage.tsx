import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ChartFigure } from '../../components/charts/ChartFigure.js';
import { MrrChart, MrrTable } from '../../components/charts/MrrChart.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { useOrgContext } from '../../layout/org-context.js';
import { AnnotationsPanel } from './Annotations.js';
import { DashboardFrame, type FrameContext } from './DashboardFrame.js';
import { DrillDown, type DrillTarget } from './DrillDown.js';
import { ExportLink } from './ExportLink.js';
import { formatPeriod } from './format.js';
import { KpiTiles } from './KpiTiles.js';
import { apiQuery } from './query-state.js';
import { fetchAnnotations, fetchKpis, fetchMrr, MOVEMENT_LABELS, type MovementKind, type MrrRow } from './metrics-api.js';

export function OverviewPage() {
  return (
    <DashboardFrame subject="your revenue overview" title="Overview" description="The health of your subscription business at a glance." page="/overview">
      {(ctx) => <Overview {...ctx} />}
    </DashboardFrame>
  );
}

export function useAnnotations(from: string, to: string) {
  const { org } = useOrgContext();
  return useQuery({ queryKey: ['orgs', org.id, 'annotations', from, to], queryFn: () => fetchAnnotations(org.id, { from, to }) });
}

function Overview({ state, today, currency, version }: FrameContext) {
  const { org } = useOrgContext();
  const [drill, setDrill] = useState<DrillTarget | null>(null);
  const kpis = useQuery({ queryKey: ['orgs', org.id, 'metrics', 'kpis', version, state.from, state.to, state.filters], queryFn: () => fetchKpis(org.id, state) });
  const mrr = useQuery({ queryKey: ['orgs', org.id, 'metrics', 'mrr', version, state.from, state.to, state.interval, state.filters], queryFn: () => fetchMrr(org.id, state) });
  const annotations = useAnnotations(state.from, state.to);
  const onBar = (row: MrrRow, kind: MovementKind) =>
    setDrill({ title: `${MOVEMENT_LABELS[kind]} · ${formatPeriod(row.date, state.interval)}`, from: row.from, to: row.to, kinds: [kind] });

  return (
    <>
      {kpis.isPending ? (
        <LoadingState label="Loading key figures…" />
      ) : kpis.isError ? (
        <ErrorState error={kpis.error} onRetry={() => void kpis.refetch()} title="Key figures could not be loaded" />
      ) : (
        <section aria-label="Key figures" className="kpi-section">
          <div className="section-actions">
            <ExportLink dataset="kpis" query={apiQuery(state, {}, { interval: false })} label="key figures" />
          </div>
          <KpiTiles data={kpis.data} onDrill={({ label, kinds }) => setDrill({ title: label, from: state.from, to: state.to, kinds: kinds.length ? kinds : undefined })} />
        </section>
      )}
      {mrr.isPending ? (
        <LoadingState label="Loading MRR…" />
      ) : mrr.isError ? (
        <ErrorState error={mrr.error} onRetry={() => void mrr.refetch()} title="MRR could not be loaded" />
      ) : mrr.data.length === 0 ? (
        <EmptyState title="No MRR in this period">
          <p>Choose a longer period or clear the filters.</p>
        </EmptyState>
      ) : (
        <ChartFigure
          title="MRR and movements"
          description="Click a bar to see the customers behind it."
          actions={<ExportLink dataset="mrr" query={apiQuery(state)} label="MRR and movements" />}
          chart={<MrrChart rows={mrr.data} currency={currency} interval={state.interval} annotations={annotations.data ?? []} onBar={onBar} />}
          table={<MrrTable rows={mrr.data} currency={currency} interval={state.interval} onBar={onBar} caption="MRR and movements by period" />}
        />
      )}
      <AnnotationsPanel annotations={annotations.data ?? []} today={today} />
      <DrillDown target={drill} filters={state.filters} version={version} onClose={() => setDrill(null)} />
    </>
  );
}
