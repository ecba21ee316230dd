import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../../api/problem.js';
import { signInPath } from '../../app/auth-redirect.js';
import { acceptInvite } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import { FormAlert, TextField } from '../../components/Field.js';
import { useLinkToken } from '../../app/link-token.js';
import { AuthLayout } from './AuthLayout.js';
import { MissingToken } from './MissingToken.js';
import { PASSWORD_HINT, nextOf, pathForNext } from './next-step.js';

export function AcceptInvitePage() {
  const token = useLinkToken();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const mutation = useMutation({
    mutationFn: () =>
      acceptInvite({ token: token ?? '', ...(name.trim() ? { name: name.trim() } : {}), ...(password ? { password } : {}) }),
    meta: { handlesAuthErrors: true },
    onSuccess: (res) => {
      queryClient.clear();
      // Someone already signed in joins at once; a new account signs in with the password just chosen
      // (and enrols two-factor authentication then).
      const joined = res as { accountCreated?: unknown; orgId?: unknown } | undefined;
      const fallback =
        joined?.accountCreated === false && typeof joined.orgId === 'string' ? `/orgs/${encodeURIComponent(joined.orgId)}/overview` : '/sign-in?invited=1';
      void navigate(pathForNext(nextOf(res), null, fallback));
    },
  });
  const errors = formErrors(mutation.error, ['name', 'password', 'token']);
  // 409: the address already has an account, which must sign in first and then open the link again.
  const mustSignIn = mutation.error instanceof ApiError && mutation.error.status === 409;
  const here = `/invite#token=${encodeURIComponent(token ?? '')}`;

  if (!token) return <MissingToken title="Join your team on Mowt" what="invitation" />;

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate();
  }

  return (
    <AuthLayout
      title="Join your team on Mowt"
      intro={
        <p>
          Choose your name and a password. If you already have a Mowt account with the invited address, leave the password empty: the
          invitation is added to your account and you sign in as usual.
        </p>
      }
    >
      <form className="form" onSubmit={submit}>
        <FormAlert message={errors.fields.token ? 'This invitation is no longer valid. Ask an Admin to invite you again.' : errors.summary} />
        <TextField
          label="Your name"
          name="name"
          autoComplete="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.fields.name}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint={PASSWORD_HINT}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fields.password}
        />
        {mustSignIn ? (
          <p>
            <Link className="btn btn-secondary btn-block" to={signInPath(here)}>
              Sign in, then accept
            </Link>
          </p>
        ) : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={mutation.isPending}>
          {mutation.isPending ? 'Joining…' : 'Accept invitation'}
        </button>
      </form>
    </AuthLayout>
  );
}
