import { Link } from 'react-router';
import { PageHeader } from '../../components/PageHeader.js';
import { orgPath } from '../../layout/nav-items.js';
import { useOrgContext } from '../../layout/org-context.js';

export function SecurityPage() {
  const { me, org } = useOrgContext();
  return (
    <div className="page">
      <PageHeader title="Security" description={`How ${me.user.email} signs in to Mowt.`} />
      <section className="card" aria-labelledby="twofa-title">
        <div className="card-heading-row">
          <h2 id="twofa-title">Two-factor authentication</h2>
          <span className="badge badge-positive">On</span>
        </div>
        <p>
          You sign in with your password and a code from your authenticator app. Two-factor authentication is required for every member
          of a Mowt team, so it cannot be switched off.
        </p>
        <p>
          Lost your phone? Sign in with one of the recovery codes you saved when you set it up; each code works once.
        </p>
      </section>
      <section className="card" aria-labelledby="password-title">
        <h2 id="password-title">Password</h2>
        <p>
          To change your password, ask for a reset link. We email it to you, and the reset asks for your authenticator code too. Changing
          the password signs you out everywhere.
        </p>
        <Link className="btn btn-secondary" to="/forgot-password">
          Send me a reset link
        </Link>
      </section>
      <section className="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Where you are signed in</h2>
        <p>Review the browsers signed in to your account and end the ones you do not recognise.</p>
        <Link className="btn btn-secondary" to={orgPath(org.id, 'settings/sessions')}>
          Review sessions
        </Link>
      </section>
    </div>
  );
}
