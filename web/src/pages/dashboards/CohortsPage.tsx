import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { CohortHeatmap, type CohortMeasure } from '../../components/charts/CohortHeatmap.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { useOrgContext } from '../../layout/org-context.js';
import { DashboardFrame, type FrameContext } from './DashboardFrame.js';
import { ExportLink } from './ExportLink.js';
import { cohortQuery, fetchCohorts } from './metrics-api.js';

export function CohortsPage() {
  return (
    <DashboardFrame subject="cohort retention" title="Cohorts" description="How each signup month retains customers and revenue." page="/cohorts" filters={{ range: true, interval: false }}>
      {(ctx) => <Cohorts {...ctx} />}
    </DashboardFrame>
  );
}

function Cohorts({ state, currency, version }: FrameContext) {
  const { org } = useOrgContext();
  const id = useId();
  const [measure, setMeasure] = useState<CohortMeasure>('customers');
  const cohorts = useQuery({ queryKey: ['orgs', org.id, 'metrics', 'cohorts', version, state.from, state.to, state.filters], queryFn: () => fetchCohorts(org.id, state) });
  if (cohorts.isPending) return <LoadingState label="Loading cohorts…" />;
  if (cohorts.isError) return <ErrorState error={cohorts.error} onRetry={() => void cohorts.refetch()} title="Cohorts could not be loaded" />;
  if (cohorts.data.length === 0) return <EmptyState title="No customers started paying in this period" />;
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="card-heading-row">
        <h2 id={`${id}-title`}>Retention by signup month</h2>
        <div className="section-actions">
          <div className="segmented" role="radiogroup" aria-label="Measure retention by">
            {(['customers', 'mrr'] as const).map((m) => (
              <label key={m} className={`segmented-option${measure === m ? ' selected' : ''}`}>
                <input type="radio" name={`${id}-measure`} value={m} checked={measure === m} onChange={() => setMeasure(m)} />
                {m === 'mrr' ? 'By MRR' : 'By customers'}
              </label>
            ))}
          </div>
          <ExportLink dataset="cohorts" query={cohortQuery(state)} label="cohorts" />
        </div>
      </div>
      <p className="field-hint">Month 0 is the month a customer first paid. Darker cells keep more; MRR retention above 100% means expansion outgrew churn.</p>
      <CohortHeatmap cohorts={cohorts.data} measure={measure} currency={currency} />
    </section>
  );
}
