import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client.js';
import { describeError } from '../../api/problem.js';
import { FormAlert } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { ErrorState, LoadingState, NoAccess } from '../../components/States.js';
import { useOrgContext } from '../../layout/org-context.js';
// The routes' answer types (type-only: nothing of the schema module is bundled).
import type { BillingRedirect, BillingSummary } from '../../../../src/billing/billing-schemas.js';

export type { BillingSummary };

const gbp = (pence: number) => new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', maximumFractionDigits: pence % 100 === 0 ? 0 : 2 }).format(pence / 100);
const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' }) : '—');

const STATE_LABEL: Record<string, string> = {
  trialing: 'Free trial',
  trial_expired: 'Trial ended (read-only)',
  active: 'Active',
  past_due: 'Payment failed — grace period',
  read_only: 'Read-only (payment overdue)',
  canceled: 'Cancelled (read-only until the period ends)',
  ended: 'Ended',
  pending_erasure: 'Pending erasure',
};

/** Settings → Billing (Admins): plan, trial, limits, and the hosted Stripe Checkout / Customer Portal. */
export function BillingPage() {
  const { org } = useOrgContext();
  const [params] = useSearchParams();
  const [interval, setInterval] = useState<'month' | 'year'>('month');
  const summary = useQuery({ queryKey: ['billing', org.id], queryFn: () => api.get<BillingSummary>(`/api/orgs/${encodeURIComponent(org.id)}/billing`), enabled: org.role === 'admin', refetchInterval: params.get('checkout') === 'success' ? 2000 : false });
  const redirectTo = (url: string) => window.location.assign(url);
  const checkout = useMutation({ mutationFn: (planId: string) => api.post<BillingRedirect>(`/api/orgs/${encodeURIComponent(org.id)}/billing/checkout`, { planId, interval }), onSuccess: (r) => redirectTo(r.url) });
  const portal = useMutation({ mutationFn: () => api.post<BillingRedirect>(`/api/orgs/${encodeURIComponent(org.id)}/billing/portal`, {}), onSuccess: (r) => redirectTo(r.url) });

  if (org.role !== 'admin') return <NoAccess what="billing" backTo={`/orgs/${org.id}/overview`} />;
  if (summary.isPending) return <LoadingState label="Loading billing…" />;
  if (summary.isError) return <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />;
  const s = summary.data;

  return (
    <div className="page">
      <PageHeader
        title="Billing"
        description="Your Mowt subscription. Payments, VAT invoices and card details are handled on Stripe's own pages: Mowt never sees your card."
        actions={s.portalAvailable ? <button type="button" className="btn btn-secondary" disabled={portal.isPending} onClick={() => portal.mutate()}>Manage payment method and invoices</button> : null}
      />
      {params.get('checkout') === 'success' && s.state !== 'active' ? <FormAlert tone="success" message="Payment received by Stripe — confirming your subscription…" /> : null}
      {params.get('checkout') === 'cancelled' ? <FormAlert message="Checkout was cancelled; nothing was charged." /> : null}
      <FormAlert message={checkout.error ? describeError(checkout.error) : portal.error ? describeError(portal.error) : undefined} />
      {!s.managed ? (
        <p>This organisation is not billed through self-serve plans. Contact us about your agreement.</p>
      ) : (
        <section className="card" aria-labelledby="plan-heading">
          <h2 id="plan-heading">Current plan</h2>
          <dl className="facts">
            <dt>Status</dt>
            <dd data-testid="billing-state">{STATE_LABEL[s.state ?? ''] ?? s.state}</dd>
            <dt>Plan</dt>
            <dd>{s.plan ? `${s.plan.name} (${s.interval === 'year' ? 'yearly' : 'monthly'})` : 'None yet'}</dd>
            {s.trialDaysLeft !== null ? (<><dt>Trial</dt><dd>{s.trialDaysLeft} days left (ends {day(s.trialEndsAt)})</dd></>) : null}
            {s.currentPeriodEnd ? (<><dt>Renews</dt><dd>{day(s.currentPeriodEnd)}</dd></>) : null}
            {s.graceEndsAt ? (<><dt>Pay by</dt><dd>{day(s.graceEndsAt)}</dd></>) : null}
            {s.accessEndsAt ? (<><dt>Access until</dt><dd>{day(s.accessEndsAt)}</dd></>) : null}
            {s.eraseAfter ? (<><dt>Data erased after</dt><dd>{day(s.eraseAfter)}</dd></>) : null}
            {s.limits ? (<><dt>Usage</dt><dd>{s.usage.members} of {s.limits.members} members · {s.usage.stripeConnections} of {s.limits.stripeConnections} Stripe connections</dd></>) : null}
            {s.trackedMrrPence !== null ? (<><dt>Tracked MRR</dt><dd>{gbp(s.trackedMrrPence)}</dd></>) : null}
          </dl>
          {s.upgradeRequired ? <FormAlert message={`Your tracked MRR is above your plan's band: please upgrade${s.recommendedPlan ? ` to ${s.plans.find((p) => p.id === s.recommendedPlan)?.name ?? s.recommendedPlan}` : ''}.`} /> : null}
        </section>
      )}
      {s.managed && s.checkoutAvailable && s.state !== 'active' && s.state !== 'past_due' ? (
        <section aria-labelledby="plans-heading">
          <h2 id="plans-heading">Choose a plan</h2>
          <fieldset className="segmented">
            <legend className="visually-hidden">Billing interval</legend>
            <label><input type="radio" name="interval" checked={interval === 'month'} onChange={() => setInterval('month')} /> Monthly</label>
            <label><input type="radio" name="interval" checked={interval === 'year'} onChange={() => setInterval('year')} /> Yearly (2 months free)</label>
          </fieldset>
          <ul className="plan-grid">
            {s.plans.map((p) => {
              const price = interval === 'month' ? p.monthlyPence : p.yearlyPence;
              return (
                <li key={p.id} className="card">
                  <h3>{p.name}</h3>
                  <p>{p.maxMrrPence === null ? 'Above £250k MRR' : `Up to ${gbp(p.maxMrrPence)} tracked MRR`}</p>
                  <p>{p.limits.members} members · {p.limits.stripeConnections} Stripe connection{p.limits.stripeConnections === 1 ? '' : 's'}</p>
                  {price === null ? (
                    <a className="btn btn-secondary" href="mailto:sales@mowt.com">Contact us</a>
                  ) : (
                    <button type="button" className="btn btn-primary" disabled={checkout.isPending} onClick={() => checkout.mutate(p.id)}>
                      Choose {p.name} — {gbp(price)}/{interval === 'month' ? 'month' : 'year'} + VAT
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
