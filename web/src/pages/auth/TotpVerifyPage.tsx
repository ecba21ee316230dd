import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { verifyTotp } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import { safeReturnPath } from '../../app/auth-redirect.js';
import { FormAlert } from '../../components/Field.js';
import { AuthLayout } from './AuthLayout.js';
import { CodeField, cleanCode } from './CodeField.js';

export function TotpVerifyPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const [code, setCode] = useState('');
  const mutation = useMutation({
    mutationFn: () => verifyTotp(cleanCode(code)),
    meta: { handlesAuthErrors: true },
    onSuccess: () => {
      // Anything cached before the second factor belongs to a half-signed-in session.
      queryClient.clear();
      void navigate(safeReturnPath(params.get('next')) ?? '/');
    },
  });
  const errors = formErrors(mutation.error, ['code']);

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate();
  }

  return (
    <AuthLayout title="Two-factor authentication" intro={<p>Open your authenticator app and enter the current code for Mowt.</p>}>
      <form className="form" onSubmit={submit}>
        <FormAlert message={errors.summary} />
        <CodeField value={code} onChange={setCode} error={errors.fields.code} />
        <button type="submit" className="btn btn-primary btn-block" disabled={mutation.isPending}>
          {mutation.isPending ? 'Checking…' : 'Verify'}
        </button>
        <p className="form-links">
          <Link to="/sign-in/recovery">Use a recovery code instead</Link>
          <Link to="/sign-in">Back to sign in</Link>
        </p>
      </form>
    </AuthLayout>
  );
}
