import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { requestEmailChange } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import { FormAlert, TextField } from '../../components/Field.js';
import { ReauthFields, useReauth } from './Reauth.js';

/**
 * Re-authenticates (password + code, the server's "sudo mode") and then asks for a new address. The server
 * mails a confirmation link to the new address; nothing changes until it is followed.
 */
export function ChangeEmailForm() {
  const reauth = useReauth();
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | undefined>();
  const mutation = useMutation({
    mutationFn: async (newEmail: string) => {
      await reauth.confirm();
      try {
        await requestEmailChange(newEmail);
      } catch (err) {
        // Errors of the second call concern the new address, not the password.
        throw Object.assign(err as object, { stage: 'change' });
      }
      return newEmail;
    },
    // A wrong current password answers 401; that is a form error here, not a lost session.
    meta: { handlesAuthErrors: true },
    onSuccess: (newEmail) => {
      setSentTo(newEmail);
      reauth.clear();
      setEmail('');
    },
  });
  const changing = (mutation.error as { stage?: string } | null)?.stage === 'change';
  const raw = formErrors(mutation.error, ['password', 'code', 'newEmail']);
  const errors = {
    summary: raw.summary,
    current: changing ? undefined : raw.fields.password,
    code: raw.fields.code,
    email: raw.fields.newEmail,
  };

  function submit(e: FormEvent) {
    e.preventDefault();
    setSentTo(undefined);
    mutation.mutate(email.trim());
  }

  return (
    <form className="form narrow-form" onSubmit={submit} aria-labelledby="email-title">
      <FormAlert message={errors.summary} />
      <FormAlert
        message={
          mutation.isSuccess && sentTo
            ? `Check ${sentTo}: we sent a link there. Your address changes when you follow it (within 30 minutes). We also let your current address know.`
            : undefined
        }
        tone="success"
      />
      <ReauthFields reauth={reauth} errors={{ password: errors.current, code: errors.code }} />
      <TextField
        label="New email address"
        name="new-email"
        type="email"
        autoComplete="email"
        maxLength={254}
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={errors.email}
      />
      <div>
        <button type="submit" className="btn btn-primary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Sending…' : 'Change email address'}
        </button>
      </div>
    </form>
  );
}
