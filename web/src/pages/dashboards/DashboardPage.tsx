import { useEffect } from 'react';
import { recordPageView } from '../../api/endpoints.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState } from '../../components/States.js';
import { useOrgContext } from '../../layout/org-context.js';
import type { DashboardInfo } from './dashboards.js';

export function DashboardPage({ info }: { info: DashboardInfo }) {
  const { org } = useOrgContext();
  // Dashboard views are part of the audit trail (issue 4). Best effort: a failure must not disturb the page.
  useEffect(() => {
    recordPageView(org.id, `/${info.path}`).catch(() => undefined);
  }, [org.id, info.path]);
  return (
    <div className="page">
      <PageHeader title={info.title} description={info.description} />
      <EmptyState title={`Connect Stripe to see ${info.subject}`}>
        <p>
          Mowt reads subscriptions, invoices and customers from Stripe through a read-only connection, and nothing is shown here until{' '}
          <strong>{org.name}</strong> has one.{' '}
          {org.role === 'admin'
            ? 'As an Admin you will be able to connect a Stripe account from Settings once Stripe connections are available.'
            : 'An Admin of the organisation connects the Stripe account.'}
        </p>
        <p>Once connected, this page shows:</p>
        <ul>
          {info.shows.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
      </EmptyState>
    </div>
  );
}
