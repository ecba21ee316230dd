// Settings → Stripe: the organisation's read-only Stripe connections and how their sync is going. The whole
// team sees progress (counts, progress bar, ETA, last success, last error), refreshed every few seconds while
// a backfill runs; Admins also connect, re-sync, set a webhook secret and disconnect.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { fetchStripeConnections } from '../../api/endpoints.js';
import { can } from '../../app/roles.js';
import { PageHeader } from '../../components/PageHeader.js';
import { FormAlert } from '../../components/Field.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { useOrgContext } from '../../layout/org-context.js';
import { StripeConnectForm } from './StripeConnectForm.js';
import { StripeConnectionCard } from './StripeConnectionCard.js';

/** While anything is still backfilling the page refreshes every 2 s; otherwise every 30 s. */
export const SYNCING_REFRESH_MS = 2_000;
const IDLE_REFRESH_MS = 30_000;

export function StripePage() {
  const { org } = useOrgContext();
  const [params] = useSearchParams();
  const admin = can(org.role, 'manageStripe');
  const client = useQueryClient();
  const key = ['orgs', org.id, 'stripe', 'connections'];
  const connections = useQuery({
    queryKey: key,
    // Polling what the page already shows is not the user's activity (the 7-day idle limit).
    queryFn: () => fetchStripeConnections(org.id, { background: client.getQueryData(key) !== undefined }),
    refetchInterval: (query) => (query.state.data?.some((c) => c.sync.phase !== 'live') ? SYNCING_REFRESH_MS : IDLE_REFRESH_MS),
  });
  const connected = params.get('connected');
  return (
    <div className="page">
      <PageHeader
        title="Stripe"
        description={`Mowt reads ${org.name}’s Stripe data — it never writes to Stripe — and keeps an encrypted copy for your dashboards.`}
      />
      <FormAlert message={connected ? 'Stripe is connected. The first sync has started; its progress shows below.' : undefined} tone="success" />
      {connections.isPending ? <LoadingState label="Loading Stripe connections…" /> : null}
      {connections.isError ? <ErrorState error={connections.error} onRetry={() => void connections.refetch()} /> : null}
      {connections.data && connections.data.length === 0 ? (
        <EmptyState title="No Stripe account is connected yet">
          {admin ? 'Connect one below: your dashboards fill in as the first sync runs.' : 'Ask an Admin of this organisation to connect one.'}
        </EmptyState>
      ) : null}
      {connections.data?.map((c) => <StripeConnectionCard key={c.id} orgId={org.id} connection={c} admin={admin} />)}
      {admin ? <StripeConnectForm orgId={org.id} /> : null}
    </div>
  );
}
