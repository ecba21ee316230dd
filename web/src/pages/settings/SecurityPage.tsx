import { Link } from 'react-router';
import { PageHeader } from '../../components/PageHeader.js';
import { orgPath } from '../../layout/nav-items.js';
import { useOrgContext } from '../../layout/org-context.js';
import { ChangeEmailForm } from './ChangeEmailForm.js';
import { ChangePasswordForm } from './ChangePasswordForm.js';
import { ResetAuthenticatorForm } from './ResetAuthenticatorForm.js';

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
          You sign in with your password and a code from your authenticator app. It is required for every member of a Mowt team. Lost
          your phone? Sign in with one of the recovery codes you saved when you set it up; each works once.
        </p>
        <details className="disclosure">
          <summary>Moving to a new phone?</summary>
          <p className="muted">
            Removing your authenticator signs you out everywhere else, and you set up the new one straight away. We email you about the
            change.
          </p>
          <ResetAuthenticatorForm />
        </details>
      </section>
      <section className="card" aria-labelledby="password-title">
        <h2 id="password-title">Change password</h2>
        <p className="muted">For your safety we ask for your current password and a code again. Your other sessions end when it changes.</p>
        <ChangePasswordForm />
      </section>
      <section className="card" aria-labelledby="email-title">
        <h2 id="email-title">Change email address</h2>
        <p className="muted">
          We ask for your password and a code again, then send a link to the new address. Your address changes when you follow it, and
          your other sessions end.
        </p>
        <ChangeEmailForm />
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
