import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { forgotPassword } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import { FormAlert, TextField } from '../../components/Field.js';
import { AuthLayout } from './AuthLayout.js';

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const mutation = useMutation({ mutationFn: () => forgotPassword(email.trim()), meta: { handlesAuthErrors: true } });
  const errors = formErrors(mutation.error, ['email']);

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate();
  }

  if (mutation.isSuccess) {
    // The server answers the same whether or not the address has an account, and so do we.
    return (
      <AuthLayout title="Check your email">
        <p>
          If <strong>{email.trim()}</strong> belongs to a Mowt account, a link to choose a new password is on its way. The link works
          once and expires after 30 minutes.
        </p>
        <p className="form-links">
          <Link to="/sign-in">Back to sign in</Link>
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Reset your password" intro={<p>Enter the email you sign in with. We will send you a link to choose a new password.</p>}>
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
        <button type="submit" className="btn btn-primary btn-block" disabled={mutation.isPending}>
          {mutation.isPending ? 'Sending…' : 'Send reset link'}
        </button>
        <p className="form-links">
          <Link to="/sign-in">Back to sign in</Link>
        </p>
      </form>
    </AuthLayout>
  );
}
