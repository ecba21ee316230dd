import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { disableTotp } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import { ENROL_2FA } from '../../app/auth-redirect.js';
import { FormAlert, TextField } from '../../components/Field.js';
import { CodeField, cleanCode } from '../auth/CodeField.js';

/**
 * Moving 2FA to a new phone: the server removes the current authenticator (password + current code),
 * signs out every other session, and this session can then only enrol again, so we go straight there.
 */
export function ResetAuthenticatorForm() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const mutation = useMutation({
    mutationFn: () => disableTotp(password, cleanCode(code)),
    meta: { handlesAuthErrors: true },
    onSuccess: () => {
      queryClient.clear();
      void navigate(ENROL_2FA);
    },
  });
  const errors = formErrors(mutation.error, ['password', 'code']);

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate();
  }

  return (
    <form className="form narrow-form" onSubmit={submit} aria-label="Set up a new authenticator">
      <FormAlert message={errors.summary} />
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
      <CodeField label="Code from your current authenticator" value={code} onChange={setCode} error={errors.fields.code} />
      <div>
        <button type="submit" className="btn btn-secondary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Removing…' : 'Remove current authenticator and set up a new one'}
        </button>
      </div>
    </form>
  );
}
