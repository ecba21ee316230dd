import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { acceptInvite, fetchMe } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import { signInPath } from '../../app/auth-redirect.js';
import { useLinkToken } from '../../app/link-token.js';
import { FormAlert, TextField } from '../../components/Field.js';
import { LoadingState } from '../../components/States.js';
import { AuthLayout } from './AuthLayout.js';
import { MissingToken } from './MissingToken.js';
import { PASSWORD_HINT, nextOf, pathForNext } from './next-step.js';

/**
 * The invitation link. Someone new chooses a name and password (an account is created, and they enrol 2FA
 * at first sign-in). Someone who already has an account signs in first and comes back here; the server
 * then adds the membership to the signed-in account (and refuses a different address).
 */
export function AcceptInvitePage() {
  const token = useLinkToken();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  // Only to know whether someone is signed in: a 401 here is the normal case, not a reason to redirect.
  const me = useQuery({ queryKey: ['me'], queryFn: fetchMe, retry: false, meta: { handlesAuthErrors: true } });
  const signedIn = me.data;
  const mutation = useMutation({
    mutationFn: () =>
      acceptInvite({
        token: token ?? '',
        ...(!signedIn && name.trim() ? { name: name.trim() } : {}),
        ...(!signedIn && password ? { password } : {}),
      }),
    meta: { handlesAuthErrors: true },
    onSuccess: (res) => {
      queryClient.clear();
      // A signed-in person joins at once; a new account signs in with the password just chosen.
      const joined = res as { accountCreated?: unknown; orgId?: unknown } | undefined;
      const fallback =
        joined?.accountCreated === false && typeof joined.orgId === 'string' ? `/orgs/${encodeURIComponent(joined.orgId)}/overview` : '/sign-in?invited=1';
      void navigate(pathForNext(nextOf(res), null, fallback));
    },
  });
  const errors = formErrors(mutation.error, ['name', 'password', 'token']);
  const here = `/invite#token=${encodeURIComponent(token ?? '')}`;

  if (!token) return <MissingToken title="Join your team on Mowt" what="invitation" />;

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate();
  }

  const summary = errors.fields.token ? 'This invitation is no longer valid. Ask an Admin to invite you again.' : errors.summary;
  const button = (
    <button type="submit" className="btn btn-primary btn-block" disabled={mutation.isPending}>
      {mutation.isPending ? 'Joining…' : 'Accept invitation'}
    </button>
  );

  if (me.isPending) {
    return (
      <AuthLayout title="Join your team on Mowt">
        <LoadingState label="Opening your invitation…" />
      </AuthLayout>
    );
  }

  if (signedIn) {
    return (
      <AuthLayout title="Join your team on Mowt" intro={<p>You are signed in as <strong>{signedIn.user.email}</strong>. The invitation must have been sent to this address.</p>}>
        <form className="form" onSubmit={submit}>
          <FormAlert message={summary} />
          {button}
        </form>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Join your team on Mowt"
      intro={<p>New to Mowt? Choose your name and a password for your account.</p>}
      footer={
        <p>
          Already have a Mowt account with the invited address? <Link to={signInPath(here)}>Sign in first</Link>, and you will come back
          here to accept.
        </p>
      }
    >
      <form className="form" onSubmit={submit}>
        <FormAlert message={summary} />
        <TextField label="Your name" name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} error={errors.fields.name} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={12}
          required
          hint={PASSWORD_HINT}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fields.password}
        />
        {button}
      </form>
    </AuthLayout>
  );
}
