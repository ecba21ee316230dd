import { Navigate, useLocation } from 'react-router';
import { lastOrg, useMe } from '../app/use-me.js';
import { usePageTitle } from '../components/PageHeader.js';
import { ErrorState, LoadingState } from '../components/States.js';
import { orgPath } from '../layout/nav-items.js';
import { useSignOut } from '../layout/use-sign-out.js';

/** "/" opens the organisation used last, or the first one. */
export function HomeRedirect() {
  const me = useMe();
  if (me.isPending) return <main id="main" className="full-page"><LoadingState label="Loading your account…" /></main>;
  if (me.isError) return <main id="main" className="full-page"><ErrorState error={me.error} onRetry={() => void me.refetch()} /></main>;
  const remembered = lastOrg();
  const org = me.data.orgs.find((o) => o.id === remembered) ?? me.data.orgs[0];
  if (org) return <Navigate to={orgPath(org.id)} replace />;
  return <NoOrganisation email={me.data.user.email} />;
}

function NoOrganisation({ email }: { email: string }) {
  usePageTitle('No organisation');
  const signOut = useSignOut();
  // Set by the page that just deleted the person's organisation.
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  return (
    <main id="main" className="full-page">
      <div className="card narrow">
        {notice ? (
          <div className="alert alert-success" role="status">
            {notice}
          </div>
        ) : null}
        <h1>You are not in an organisation</h1>
        <p>
          You are signed in as <strong>{email}</strong>, but no organisation has this account as a member. Ask an Admin to invite you,
          then open the link in the invitation email.
        </p>
        <button type="button" className="btn btn-secondary" onClick={() => signOut.mutate()}>
          Sign out
        </button>
      </div>
    </main>
  );
}
