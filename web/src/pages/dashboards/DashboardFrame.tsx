// What every analytics page shares: its header, the audit page view, the data-status gate (empty, syncing,
// failed) and the filter bar whose state lives in the URL.
import { useEffect, type ReactNode } from 'react';
import { recordPageView } from '../../api/endpoints.js';
import { PageHeader } from '../../components/PageHeader.js';
import { useOrgContext } from '../../layout/org-context.js';
import { DataStatus, useMetricsStatus } from './DataStatus.js';
import { FilterBar } from './FilterBar.js';
import type { DashboardState } from './query-state.js';
import { useDashboardState } from './use-dashboard-state.js';

export interface FrameContext {
  state: DashboardState;
  setState: (s: DashboardState) => void;
  today: string;
  currency: string;
  /** Moves whenever the stored figures change: part of every query key so pages refetch. */
  version: number;
}

export function DashboardFrame({
  title,
  description,
  subject,
  page,
  filters = { range: true, interval: true },
  children,
}: {
  title: string;
  description: string;
  /** What the page shows, for the empty state: "Connect Stripe to see <subject>". */
  subject: string;
  page: string;
  filters?: { range: boolean; interval: boolean } | false;
  children: (ctx: FrameContext) => ReactNode;
}) {
  const { org } = useOrgContext();
  const status = useMetricsStatus();
  const [state, setState, today] = useDashboardState(status.data?.timezone);
  // Dashboard views are part of the audit trail (issue 4). Best effort: a failure must not disturb the page.
  useEffect(() => {
    recordPageView(org.id, page).catch(() => undefined);
  }, [org.id, page]);
  return (
    <div className="page">
      <PageHeader title={title} description={description} />
      <DataStatus subject={subject}>
        {(s) => (
          <>
            {filters ? <FilterBar state={state} onChange={setState} today={today} showRange={filters.range} showInterval={filters.interval} /> : null}
            {children({ state, setState, today, currency: s.currency, version: s.version })}
          </>
        )}
      </DataStatus>
    </div>
  );
}
