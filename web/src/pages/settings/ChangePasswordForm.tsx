import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { changePassword } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import { FormAlert, TextField } from '../../components/Field.js';
import { ReauthFields, useReauth } from './Reauth.js';
import { PASSWORD_HINT } from '../auth/next-step.js';

/** Re-authenticates (password + code, the server's "sudo mode") and then sets the new password. */
export function ChangePasswordForm() {
  const reauth = useReauth();
  const [next, setNext] = useState('');
  const mutation = useMutation({
    mutationFn: async () => {
      await reauth.confirm();
      try {
        await changePassword(next);
      } catch (err) {
        // Field errors of the second call concern the new password, not the current one.
        throw Object.assign(err as object, { stage: 'change' });
      }
    },
    // A wrong current password answers 401; that is a form error here, not a lost session.
    meta: { handlesAuthErrors: true },
    onSuccess: () => {
      reauth.clear();
      setNext('');
    },
  });
  const changing = (mutation.error as { stage?: string } | null)?.stage === 'change';
  const raw = formErrors(mutation.error, ['password', 'code']);
  const errors = {
    summary: raw.summary,
    current: changing ? undefined : raw.fields.password,
    code: raw.fields.code,
    next: changing ? raw.fields.password : undefined,
  };

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate();
  }

  return (
    <form className="form narrow-form" onSubmit={submit} aria-labelledby="password-title">
      <FormAlert message={errors.summary} />
      <FormAlert message={mutation.isSuccess ? 'Password changed. Your other sessions have been signed out.' : undefined} tone="success" />
      <ReauthFields reauth={reauth} errors={{ password: errors.current, code: errors.code }} />
      <TextField
        label="New password"
        name="new-password"
        type="password"
        autoComplete="new-password"
        minLength={12}
        required
        hint={PASSWORD_HINT}
        value={next}
        onChange={(e) => setNext(e.target.value)}
        error={errors.next}
      />
      <div>
        <button type="submit" className="btn btn-primary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
