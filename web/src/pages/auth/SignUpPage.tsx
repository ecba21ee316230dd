import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client.js';
import { describeError } from '../../api/problem.js';
import { formErrors } from '../../api/form-errors.js';
import { FormAlert, TextField } from '../../components/Field.js';
import { LoadingState } from '../../components/States.js';
import { Gate } from '../../layout/Gate.js';
import { AuthLayout } from './AuthLayout.js';
import { PASSWORD_HINT } from './next-step.js';
// The routes' answer types (type-only: nothing of the schema module is bundled).
import type { DemoConnected, SignupAccepted, SignupInfo } from '../../../../src/signup/signup-schemas.js';

const fetchSignupInfo = () => api.get<SignupInfo>('/api/auth/signup');

/**
 * Public sign-up: organisation + its Admin, then the steps ahead (confirm the address, sign in, set up
 * two-factor authentication, connect Stripe or explore demo data). The answer is the same whether or not the
 * address already has an account, so this page never says which.
 */
export function SignUpPage() {
  const info = useQuery({ queryKey: ['signup-info'], queryFn: fetchSignupInfo });
  const [orgName, setOrgName] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const mutation = useMutation({
    mutationFn: () => api.post<SignupAccepted>('/api/auth/signup', { name: name.trim(), email: email.trim(), password, orgName: orgName.trim() }),
    meta: { handlesAuthErrors: true },
  });
  const errors = formErrors(mutation.error, ['orgName', 'name', 'email', 'password']);

  if (info.isPending) return <AuthLayout title="Create your Mowt account"><LoadingState label="Loading…" /></AuthLayout>;
  if (info.data && !info.data.open) {
    return (
      <AuthLayout title="Sign-up is closed">
        <p>This Mowt deployment does not accept new sign-ups. Ask an administrator of your organisation for an invite.</p>
        <p className="form-links"><Link to="/sign-in">Sign in</Link></p>
      </AuthLayout>
    );
  }
  if (mutation.isSuccess) {
    return (
      <AuthLayout title="Check your inbox">
        <div className="alert alert-success" role="status">
          We sent a link to <strong>{email.trim()}</strong>. Open it to confirm your address.
        </div>
        <ol className="steps">
          <li>Confirm your email address with the link (it works for 30 minutes).</li>
          <li>Sign in and set up two-factor authentication with an authenticator app.</li>
          <li>Connect your Stripe account read-only — or explore the demo data first.</li>
        </ol>
        <p>Your {info.data?.trialDays ?? 14}-day free trial has started; no card needed until you choose a plan.</p>
        <p className="form-links"><Link to="/sign-in">Sign in</Link></p>
      </AuthLayout>
    );
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate();
  }

  return (
    <AuthLayout title="Create your Mowt account" intro={<p>Start a {info.data?.trialDays ?? 14}-day free trial. No card needed.</p>}>
      <form className="form" onSubmit={submit}>
        <FormAlert message={errors.summary} />
        <TextField label="Organisation name" name="orgName" autoComplete="organization" required value={orgName} onChange={(e) => setOrgName(e.target.value)} error={errors.fields.orgName} />
        <TextField label="Your name" name="name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} error={errors.fields.name} />
        <TextField label="Work email" name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} error={errors.fields.email} />
        <TextField label="Password" name="password" type="password" autoComplete="new-password" minLength={12} required hint={PASSWORD_HINT} value={password} onChange={(e) => setPassword(e.target.value)} error={errors.fields.password} />
        <button type="submit" className="btn btn-primary btn-block" disabled={mutation.isPending}>
          {mutation.isPending ? 'Creating…' : 'Start free trial'}
        </button>
      </form>
      <p className="form-links">
        Already have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </AuthLayout>
  );
}

/** After 2FA: connect Stripe (the Stripe settings page) or explore the built-in demo data. */
/** The new Admin's first choice. Both choices are Admin work (stripe.manage): other roles are told so. */
export function WelcomePage() {
  return (
    <Gate capability="manageStripe" what="setting up Stripe">
      <WelcomeChoices />
    </Gate>
  );
}

function WelcomeChoices() {
  const { orgId = '' } = useParams();
  const navigate = useNavigate();
  const info = useQuery({ queryKey: ['signup-info'], queryFn: fetchSignupInfo });
  const demo = useMutation({
    mutationFn: () => api.post<DemoConnected>(`/api/orgs/${encodeURIComponent(orgId)}/onboarding/demo`, {}),
    onSuccess: () => void navigate(`/orgs/${encodeURIComponent(orgId)}/overview`),
  });
  return (
    <div className="page">
      <h1>Welcome to Mowt</h1>
      <p>Your trial is running. Where would you like to start?</p>
      <div className="welcome-choices">
        <section className="card">
          <h2>Connect Stripe</h2>
          <p>Read-only access: Mowt can never charge, refund or change anything in your account.</p>
          <Link className="btn btn-primary" to={`/orgs/${encodeURIComponent(orgId)}/settings/stripe`}>Connect Stripe</Link>
        </section>
        {info.data?.demoData ? (
          <section className="card">
            <h2>Explore the demo data</h2>
            <p>A generated subscription business, clearly labelled as demo data. You can connect Stripe later.</p>
            <button type="button" className="btn btn-secondary" disabled={demo.isPending} onClick={() => demo.mutate()}>
              {demo.isPending ? 'Connecting…' : 'Explore the demo data'}
            </button>
            <FormAlert message={demo.error ? describeError(demo.error) : undefined} />
          </section>
        ) : null}
      </div>
    </div>
  );
}
