import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { login } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import { FormAlert, TextField } from '../../components/Field.js';
import { AuthLayout } from './AuthLayout.js';
import { pathForNext } from './next-step.js';

const FIELDS = ['email', 'password'] as const;

function notice(params: URLSearchParams): string | undefined {
  if (params.has('signedOut')) return 'You have been signed out.';
  if (params.has('invited')) return 'Invitation accepted. Sign in with your email and password to continue.';
  if (params.has('passwordReset')) return 'Your password has been changed and all your sessions have ended. Sign in with the new password.';
  if (params.has('setup')) return 'Your organisation is ready. Sign in to set up two-factor authentication.';
  return undefined;
}

export function SignInPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const mutation = useMutation({
    mutationFn: () => login(email.trim(), password),
    meta: { handlesAuthErrors: true },
    onSuccess: (res) => void navigate(pathForNext(res.next, params.get('next'), '/')),
  });
  const errors = formErrors(mutation.error, FIELDS);

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate();
  }

  return (
    <AuthLayout
      title="Sign in to Mowt"
      footer={
        <p>
          Invited to a team? Open the link in your invitation email.
        </p>
      }
    >
      <FormAlert message={notice(params)} tone="success" />
      <form className="form" onSubmit={submit}>
        <FormAlert message={errors.summary} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.fields.email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fields.password}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={mutation.isPending}>
          {mutation.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="form-links">
          <Link to="/forgot-password">Forgot your password?</Link>
        </p>
        <p className="form-links">
          New to Mowt? <Link to="/sign-up">Create an account</Link>
        </p>
      </form>
    </AuthLayout>
  );
}
