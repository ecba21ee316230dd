import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { setup } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import { FormAlert, TextField } from '../../components/Field.js';
import { useLinkToken } from '../../app/link-token.js';
import { AuthLayout } from './AuthLayout.js';
import { MissingToken } from './MissingToken.js';
import { PASSWORD_HINT, nextOf, pathForNext } from './next-step.js';

/** First run: the one-time link printed by `npm start` creates the first organisation and its Admin. */
export function SetupPage() {
  const token = useLinkToken();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [orgName, setOrgName] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const mutation = useMutation({
    mutationFn: () => setup({ token: token ?? '', email: email.trim(), password, orgName: orgName.trim(), ...(name.trim() ? { name: name.trim() } : {}) }),
    meta: { handlesAuthErrors: true },
    onSuccess: (res) => {
      queryClient.clear();
      void navigate(pathForNext(nextOf(res), null, '/sign-in?setup=1'));
    },
  });
  const errors = formErrors(mutation.error, ['orgName', 'name', 'email', 'password', 'token']);

  if (!token) return <MissingToken title="Set up Mowt" what="set-up" />;

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate();
  }

  return (
    <AuthLayout title="Set up Mowt" intro={<p>Create your organisation and the first Admin account. You will set up two-factor authentication next.</p>}>
      <form className="form" onSubmit={submit}>
        <FormAlert message={errors.fields.token ? 'This set-up link has already been used or has expired.' : errors.summary} />
        <TextField
          label="Organisation name"
          name="orgName"
          autoComplete="organization"
          required
          value={orgName}
          onChange={(e) => setOrgName(e.target.value)}
          error={errors.fields.orgName}
        />
        <TextField
          label="Your name"
          name="name"
          autoComplete="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.fields.name}
        />
        <TextField
          label="Your email"
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
          autoComplete="new-password"
          minLength={12}
          required
          hint={PASSWORD_HINT}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fields.password}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={mutation.isPending}>
          {mutation.isPending ? 'Creating…' : 'Create organisation'}
        </button>
      </form>
    </AuthLayout>
  );
}
