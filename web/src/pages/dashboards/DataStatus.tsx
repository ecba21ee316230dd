// Before any figure: is there data? The metrics status says whether figures exist; when they do not, the
// Stripe connections say why — nothing connected yet, or a first sync still running — in words a person
// can act on. Polls while figures are being computed so the page fills itself in.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { orgPath } from '../../layout/nav-items.js';
import { useOrgContext } from '../../layout/org-context.js';
import { formatEta, syncPercent } from '../settings/sync-progress.js';
import { fetchConnections, fetchStatus, type MetricsStatus } from './metrics-api.js';

export function useMetricsStatus() {
  const { org } = useOrgContext();
  const client = useQueryClient();
  const key = ['orgs', org.id, 'metrics', 'status'];
  return useQuery({
    queryKey: key,
    // A refetch of data the page already has is its own poll, not the user's activity (the 7-day idle limit).
    queryFn: () => fetchStatus(org.id, { background: client.getQueryData(key) !== undefined }),
    // `version` moves whenever the stored figures change (docs/metrics-api.md): poll it, faster while busy.
    refetchInterval: (q) => (q.state.data && q.state.data.state !== 'ready' ? 5_000 : 30_000),
    staleTime: 0,
  });
}

export function DataStatus({ subject, children }: { subject: string; children: (status: MetricsStatus) => ReactNode }) {
  const { org } = useOrgContext();
  const status = useMetricsStatus();
  const empty = status.data?.state === 'empty';
  const client = useQueryClient();
  const connectionsKey = ['orgs', org.id, 'stripe', 'connections'];
  const connections = useQuery({
    queryKey: connectionsKey,
    queryFn: () => fetchConnections(org.id, { background: client.getQueryData(connectionsKey) !== undefined }),
    enabled: empty,
    refetchInterval: empty ? 5_000 : false,
  });

  if (status.isPending) return <LoadingState label="Loading your metrics…" />;
  if (status.isError) return <ErrorState error={status.error} onRetry={() => void status.refetch()} title="Your metrics could not be loaded" />;
  const s = status.data;
  if (s.state === 'empty') {
    if (connections.isPending) return <LoadingState label="Checking your Stripe connection…" />;
    const list = connections.data ?? [];
    const syncing = list.find((c) => c.sync.phase === 'backfilling');
    const failing = list.find((c) => c.sync.phase === 'error' || c.sync.phase === 'revoked');
    if (list.length === 0) {
      return (
        <EmptyState
          title={`Connect Stripe to see ${subject}`}
          action={
            org.role === 'admin' ? (
              <Link className="btn btn-primary" to={orgPath(org.id, 'settings/stripe')}>
                Connect Stripe
              </Link>
            ) : null
          }
        >
          <p>
            No Stripe data yet. Mowt reads subscriptions, invoices and customers from Stripe through a read-only connection, and nothing is shown here until {org.name} has one.{' '}
            {org.role === 'admin' ? 'Connect a Stripe account to start.' : 'Ask an Admin of the organisation to connect the Stripe account.'}
          </p>
        </EmptyState>
      );
    }
    if (syncing) {
      return (
        <EmptyState title="Sync in progress">
          <p>
            Mowt is reading {syncing.label} from Stripe ({syncPercent(syncing.sync.progress)}% done
            {syncing.sync.etaSeconds !== null ? `, ${formatEta(syncing.sync.etaSeconds)} left` : ''}). Your figures appear here as soon as the first
            sync finishes; this page updates by itself.
          </p>
          <progress max={1} value={syncing.sync.progress} aria-label="Stripe sync progress" />
        </EmptyState>
      );
    }
    if (failing) {
      return (
        <EmptyState title="The Stripe sync needs attention">
          <p>
            Reading {failing.label} from Stripe stopped: {failing.sync.lastError?.message ?? 'an unknown error'}.{' '}
            {org.role === 'admin' ? 'Check the connection in Settings.' : 'An Admin can check the connection in Settings.'}
          </p>
        </EmptyState>
      );
    }
    return (
      <EmptyState title="Calculating your metrics">
        <p>Your Stripe data has arrived and Mowt is working out your figures. This page updates by itself.</p>
      </EmptyState>
    );
  }
  return (
    <>
      {s.state === 'failed' ? (
        <div className="alert alert-error" role="alert">
          The latest recalculation failed ({s.lastError ?? 'unknown error'}); these figures are from the last one that worked.
        </div>
      ) : null}
      {s.state === 'computing' ? (
        <div className="alert alert-info" role="status">
          Recalculating your figures after a settings change; the ones shown are from the previous calculation.
        </div>
      ) : null}
      {s.warnings.length > 0 ? (
        <div className="alert alert-info" role="status">
          <ul className="plain-list">
            {s.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {children(s)}
    </>
  );
}
