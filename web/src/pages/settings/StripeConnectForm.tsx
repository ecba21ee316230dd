// Connecting Stripe, Admins only: the Stripe App (OAuth: read permissions only, revocable from Stripe), or
// a pasted restricted key. Full secret keys are refused by the server, and the form says why up front.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { connectStripeKey, startStripeOAuth } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import { describeError } from '../../api/problem.js';
import { FormAlert, TextField } from '../../components/Field.js';

export function StripeConnectForm({ orgId }: { orgId: string }) {
  const queryClient = useQueryClient();
  const [key, setKey] = useState('');
  const [done, setDone] = useState(false);
  const connect = useMutation({
    mutationFn: () => connectStripeKey(orgId, key.trim()),
    onSuccess: () => {
      setKey('');
      setDone(true);
      void queryClient.invalidateQueries({ queryKey: ['orgs', orgId, 'stripe', 'connections'] });
    },
  });
  const oauth = useMutation({
    mutationFn: () => startStripeOAuth(orgId),
    onSuccess: ({ url }) => window.location.assign(url),
  });
  const errors = formErrors(connect.error, ['restrictedKey']);
  const secretKey = /^sk_/.test(key.trim());

  function submit(e: FormEvent) {
    e.preventDefault();
    setDone(false);
    connect.mutate();
  }

  return (
    <section className="card stack" aria-labelledby="stripe-connect-title">
      <h2 id="stripe-connect-title">Connect a Stripe account</h2>
      <div className="stack">
        <h3>With the Mowt Stripe App</h3>
        <p className="muted">
          Stripe asks you to approve read-only access for Mowt. You can revoke it from Stripe at any time, and disconnecting here revokes it too.
        </p>
        <FormAlert message={oauth.error ? describeError(oauth.error) : undefined} />
        <div>
          <button type="button" className="btn btn-primary" disabled={oauth.isPending} onClick={() => oauth.mutate()}>
            {oauth.isPending ? 'Opening Stripe…' : 'Connect with Stripe'}
          </button>
        </div>
      </div>
      <form className="form stack" onSubmit={submit}>
        <h3>With a restricted key</h3>
        <p className="muted">
          In the Stripe Dashboard, under Developers → API keys, create a <strong>restricted key</strong> (it starts with <code>rk_</code>) with
          read access only. Mowt refuses full secret keys (<code>sk_</code>): they can create charges and refunds, and Mowt must never hold a key
          that can move money.
        </p>
        <FormAlert message={errors.summary} />
        <FormAlert message={done ? 'Connected. The first sync has started.' : undefined} tone="success" />
        <div className="form-row">
          <TextField
            label="Restricted key"
            name="restrictedKey"
            autoComplete="off"
            spellCheck={false}
            required
            value={key}
            onChange={(e) => setKey(e.target.value)}
            error={errors.fields.restrictedKey ?? (secretKey ? 'This is a full secret key (sk_…). Create a read-only restricted key (rk_…) instead.' : undefined)}
            className="grow"
          />
          <button type="submit" className="btn btn-secondary" disabled={connect.isPending || secretKey || key.trim() === ''}>
            {connect.isPending ? 'Checking the key…' : 'Connect key'}
          </button>
        </div>
      </form>
    </section>
  );
}
