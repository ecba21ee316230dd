import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fetchSessions, revokeSession } from '../../api/endpoints.js';
import { describeError } from '../../api/problem.js';
import type { Session } from '../../api/types.js';
import { describeUserAgent } from '../../app/user-agent.js';
import { FormAlert } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { Time } from '../../components/Time.js';
import { useSignOut } from '../../layout/use-sign-out.js';

const SESSIONS_KEY = ['sessions'];

export function SessionsPage() {
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: SESSIONS_KEY, queryFn: fetchSessions });
  const signOut = useSignOut();
  const revoke = useMutation({
    mutationFn: async (ids: string[]) => {
      for (const id of ids) await revokeSession(id);
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: SESSIONS_KEY }),
  });
  const others = sessions.data?.filter((s) => !s.current) ?? [];

  return (
    <div className="page">
      <PageHeader
        title="Sessions"
        description="Browsers signed in to your account. A session ends after 7 days without activity, and after 30 days at most."
        actions={
          others.length > 0 ? (
            <button type="button" className="btn btn-secondary" disabled={revoke.isPending} onClick={() => revoke.mutate(others.map((s) => s.id))}>
              Sign out all other sessions
            </button>
          ) : null
        }
      />
      <FormAlert message={revoke.error ? describeError(revoke.error) : undefined} />
      {sessions.isPending ? <LoadingState label="Loading sessions…" /> : null}
      {sessions.isError ? <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} /> : null}
      {sessions.data && sessions.data.length === 0 ? <EmptyState title="No active sessions" /> : null}
      {sessions.data && sessions.data.length > 0 ? (
        <ul className="session-list">
          {sessions.data.map((s) => (
            <SessionItem
              key={s.id}
              session={s}
              busy={revoke.isPending || signOut.isPending}
              onRevoke={() => (s.current ? signOut.mutate() : revoke.mutate([s.id]))}
            />
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function SessionItem({ session, busy, onRevoke }: { session: Session; busy: boolean; onRevoke: () => void }) {
  const device = describeUserAgent(session.userAgent);
  return (
    <li className="card session">
      <div className="session-main">
        <h2 className="session-device" title={session.userAgent}>
          {device}
          {session.current ? <span className="badge badge-positive">This browser</span> : null}
        </h2>
        <dl className="session-facts">
          <div>
            <dt>IP address</dt>
            <dd>{session.ip ?? '—'}</dd>
          </div>
          <div>
            <dt>Signed in</dt>
            <dd>
              <Time iso={session.createdAt} />
            </dd>
          </div>
          <div>
            <dt>Last active</dt>
            <dd>
              <Time iso={session.lastSeenAt} />
            </dd>
          </div>
        </dl>
      </div>
      <button type="button" className="btn btn-danger-quiet" disabled={busy} onClick={onRevoke}>
        {session.current ? 'Sign out' : 'Revoke'}
        <span className="visually-hidden"> session on {device}</span>
      </button>
    </li>
  );
}
