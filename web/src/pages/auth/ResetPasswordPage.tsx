import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { resetPassword } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import { FormAlert, TextField } from '../../components/Field.js';
import { useLinkToken } from '../../app/link-token.js';
import { AuthLayout } from './AuthLayout.js';
import { MissingToken } from './MissingToken.js';
import { PASSWORD_HINT } from './next-step.js';

export function ResetPasswordPage() {
  const token = useLinkToken();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const mutation = useMutation({
    mutationFn: () => resetPassword(token ?? '', password, code.replace(/\s+/g, '')),
    meta: { handlesAuthErrors: true },
    onSuccess: () => void navigate('/sign-in?passwordReset=1'),
  });
  const errors = formErrors(mutation.error, ['password', 'code', 'token']);

  if (!token) return <MissingToken title="Choose a new password" what="password reset" />;

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate();
  }

  return (
    <AuthLayout
      title="Choose a new password"
      intro={<p>For your safety, a reset also asks for your second factor, and signs you out everywhere once it is done.</p>}
    >
      <form className="form" onSubmit={submit}>
        <FormAlert message={errors.fields.token ? 'This reset link is no longer valid. Ask for a new one.' : errors.summary} />
        <TextField
          label="New password"
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
        <TextField
          label="Authenticator code or recovery code"
          name="code"
          hint="Needed when your account has two-factor authentication, as every team account does."
          autoComplete="one-time-code"
          spellCheck={false}
          className="field-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          error={errors.fields.code}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={mutation.isPending}>
          {mutation.isPending ? 'Saving…' : 'Change password'}
        </button>
        <p className="form-links">
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      </form>
    </AuthLayout>
  );
}
