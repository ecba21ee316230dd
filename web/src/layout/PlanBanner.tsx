import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/client.js';
// The route's answer type (type-only: nothing of the schema module is bundled).
import type { BillingStatus as PlanStatus } from '../../../src/billing/billing-schemas.js';

const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long' }) : '');

/** The plan's state above every page: trial days left, payment problems, read-only. Nothing when all is well. */
export function PlanBanner({ orgId, isAdmin }: { orgId: string; isAdmin: boolean }) {
  const status = useQuery({ queryKey: ['plan-status', orgId], queryFn: () => api.get<PlanStatus>(`/api/orgs/${encodeURIComponent(orgId)}/billing/status`), staleTime: 60_000, retry: false });
  const s = status.data;
  if (!s?.managed) return null;
  const billing = isAdmin ? <Link to={`/orgs/${encodeURIComponent(orgId)}/settings/billing`}>{s.state === 'trialing' ? 'Choose a plan' : 'Open billing'}</Link> : <span>Ask an Admin to open Settings → Billing.</span>;
  let text: string | null = null;
  let tone = 'info';
  if (s.state === 'trialing') text = `Free trial: ${s.trialDaysLeft ?? 0} day${s.trialDaysLeft === 1 ? '' : 's'} left.`;
  else if (s.state === 'past_due') {
    text = `Your last payment failed. Update your payment method by ${day(s.graceEndsAt)} to keep full access.`;
    tone = 'warning';
  } else if (s.access === 'read_only') {
    text = s.state === 'canceled' ? `Subscription cancelled: read-only until ${day(s.accessEndsAt)}.` : 'This organisation is read-only until its subscription is active.';
    tone = 'warning';
  } else if (s.access === 'locked') {
    text = 'This subscription has ended. Subscribe again to open your data, or export it.';
    tone = 'error';
  } else if (s.upgradeRequired) text = 'Your tracked MRR has outgrown your plan.';
  if (!text) return null;
  return (
    <div className={`plan-banner plan-banner-${tone} alert alert-${tone === 'info' ? 'info' : tone === 'warning' ? 'warning' : 'error'}`} role="status" data-testid="plan-banner" data-state={s.state ?? ''} style={{ margin: '0 0 1rem' }}>
      {text} {billing}
    </div>
  );
}
