import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { signInWithRecoveryCode } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import { FormAlert, TextField } from '../../components/Field.js';
import { AuthLayout } from './AuthLayout.js';

export function RecoveryPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const mutation = useMutation({
    mutationFn: () => signInWithRecoveryCode(code.trim()),
    meta: { handlesAuthErrors: true },
    onSuccess: () => {
      queryClient.clear();
      void navigate('/');
    },
  });
  const errors = formErrors(mutation.error, ['code']);

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate();
  }

  return (
    <AuthLayout
      title="Use a recovery code"
      intro={<p>Lost your authenticator? Enter one of the recovery codes you saved when you set up two-factor authentication. Each code works once.</p>}
    >
      <form className="form" onSubmit={submit}>
        <FormAlert message={errors.summary} />
        <TextField
          label="Recovery code"
          name="code"
          autoComplete="one-time-code"
          spellCheck={false}
          autoCapitalize="none"
          required
          className="field-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          error={errors.fields.code}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={mutation.isPending}>
          {mutation.isPending ? 'Checking…' : 'Sign in'}
        </button>
        <p className="form-links">
          <Link to="/sign-in/totp">Use your authenticator app instead</Link>
        </p>
      </form>
    </AuthLayout>
  );
}
