// One Stripe connection: what it is (label, demo flag, masked key — never the key), its sync state with a
// progress bar, ETA, last success and last error, per-object counts, and the Admin's actions.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { disconnectStripe, replaceStripeKey, setStripeWebhookSecret, syncStripeNow } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import { describeError } from '../../api/problem.js';
import type { StripeConnection } from '../../api/types.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { CopyButton } from '../../components/CopyButton.js';
import { DataTable } from '../../components/DataTable.js';
import { FormAlert, TextField } from '../../components/Field.js';
import { Time } from '../../components/Time.js';
import { formatEta, syncPercent } from './sync-progress.js';

const OBJECT_LABELS: Record<string, string> = {
  customers: 'Customers', products: 'Products', prices: 'Prices', coupons: 'Coupons', subscriptions: 'Subscriptions', invoices: 'Invoices',
  charges: 'Charges', refunds: 'Refunds', disputes: 'Disputes', balance_transactions: 'Balance transactions', events: 'Events',
};

const PHASE_LABELS: Record<StripeConnection['sync']['phase'], string> = { backfilling: 'Syncing history', live: 'Up to date', error: 'Sync failed', revoked: 'Uninstalled in Stripe' };

export function StripeConnectionCard({ orgId, connection: c, admin }: { orgId: string; connection: StripeConnection; admin: boolean }) {
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['orgs', orgId, 'stripe', 'connections'] });
  const [confirming, setConfirming] = useState(false);
  const sync = useMutation({ mutationFn: () => syncStripeNow(orgId, c.id), onSuccess: refresh });
  const remove = useMutation({ mutationFn: () => disconnectStripe(orgId, c.id), onSuccess: () => { setConfirming(false); refresh(); } });
  const titleId = `stripe-${c.id}-title`;
  const percent = syncPercent(c.sync.progress);
  const total = c.sync.objects.reduce((s, o) => s + o.count, 0);
  return (
    <section className="card stack" aria-labelledby={titleId}>
      <h2 id={titleId}>
        {c.label}
        {c.isDemo ? <span className="badge">Demo data</span> : null}
        {c.livemode ? null : <span className="badge">Test mode</span>}
      </h2>
      <dl className="definition-list">
        <div>
          <dt>Account</dt>
          <dd>{c.stripeAccountId}</dd>
        </div>
        <div>
          <dt>{c.kind === 'oauth' ? 'Access' : 'Key'}</dt>
          <dd>{c.kind === 'oauth' ? `Stripe App (OAuth), token ${c.tokenMasked}` : `Restricted key ${c.tokenMasked}`}</dd>
        </div>
        <div>
          <dt>State</dt>
          <dd>
            <span className={`badge badge-neutral${c.sync.phase === 'live' ? ' badge-positive' : c.sync.phase === 'error' || c.sync.phase === 'revoked' ? ' badge-negative' : ''}`}>
              {PHASE_LABELS[c.sync.phase]}
            </span>
          </dd>
        </div>
        <div>
          <dt>Last success</dt>
          <dd>{c.sync.lastSuccessAt ? <Time iso={c.sync.lastSuccessAt} /> : 'not yet'}</dd>
        </div>
        <div>
          <dt>Last error</dt>
          <dd>{c.sync.lastError ? <>{c.sync.lastError.message} {c.sync.lastError.at ? <>(<Time iso={c.sync.lastError.at} />)</> : null}</> : 'none'}</dd>
        </div>
      </dl>
      <div className="stack">
        <label htmlFor={`stripe-${c.id}-progress`}>
          History synced: {percent}% ({total.toLocaleString()} objects){c.sync.phase === 'backfilling' ? `, ${formatEta(c.sync.etaSeconds)} left` : ''}
        </label>
        <progress id={`stripe-${c.id}-progress`} max={100} value={percent}>
          {percent}%
        </progress>
      </div>
      <DataTable caption={`Objects synced from ${c.label}`}>
        <thead>
          <tr>
            <th scope="col">Object</th>
            <th scope="col">Count</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {c.sync.objects.map((o) => (
            <tr key={o.type}>
              <td className="cell-primary">{OBJECT_LABELS[o.type] ?? o.type}</td>
              <td>{o.count.toLocaleString()}</td>
              <td>{o.lastError ? `Error: ${o.lastError.message}` : o.done ? 'Done' : `${syncPercent(o.progress)}%`}</td>
            </tr>
          ))}
        </tbody>
      </DataTable>
      {admin && c.kind === 'restricted_key' && c.webhookUrl ? <WebhookSecretForm orgId={orgId} connection={c} onSaved={refresh} /> : null}
      {admin && c.kind === 'restricted_key' ? <ReplaceKeyForm orgId={orgId} connection={c} onSaved={refresh} /> : null}
      {admin ? (
        <div className="form-row">
          <FormAlert message={sync.error ? describeError(sync.error) : undefined} />
          <FormAlert message={sync.isSuccess ? 'A sync pass is queued.' : undefined} tone="success" />
          <button type="button" className="btn btn-secondary" disabled={sync.isPending} onClick={() => sync.mutate()}>
            Sync now<span className="visually-hidden"> {c.label}</span>
          </button>
          <button type="button" className="btn btn-danger-quiet" onClick={() => setConfirming(true)}>
            Disconnect<span className="visually-hidden"> {c.label}</span>
          </button>
        </div>
      ) : null}
      {admin ? (
        <ConfirmDialog
          open={confirming}
          title={`Disconnect ${c.label}?`}
          confirmLabel="Disconnect"
          busy={remove.isPending}
          error={remove.error ? describeError(remove.error) : undefined}
          onConfirm={() => remove.mutate()}
          onCancel={() => setConfirming(false)}
        >
          <p>
            Mowt {c.kind === 'oauth' ? 'revokes its access at Stripe and ' : ''}deletes this connection and every object synced through it. Dashboards
            built on it go empty. Your Stripe account itself is not touched.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function WebhookSecretForm({ orgId, connection: c, onSaved }: { orgId: string; connection: StripeConnection; onSaved: () => void }) {
  return (
    <SecretFieldForm
      id={`stripe-${c.id}-webhook`}
      title="Live updates (webhook)"
      field={{ name: 'secret', label: 'Signing secret (whsec_…)' }}
      submitLabel={c.webhookSecretSet ? 'Replace secret' : 'Save secret'}
      savedMessage="Signing secret saved."
      send={(secret) => setStripeWebhookSecret(orgId, c.id, secret)}
      onSaved={onSaved}
    >
      <p className="muted">
        {c.webhookSecretSet ? 'A signing secret is set: changes reach Mowt within seconds. ' : 'Without a webhook Mowt still polls Stripe every minute. '}
        For instant updates, add an endpoint in the Stripe Dashboard (Developers → Webhooks) with this URL, then paste its signing secret here.
      </p>
      <div className="form-row">
        <code className="grow">{c.webhookUrl}</code>
        <CopyButton text={c.webhookUrl ?? ''} label="Copy URL" />
      </div>
    </SecretFieldForm>
  );
}

/** A rolled or revoked restricted key is replaced in place: the synced history stays. */
function ReplaceKeyForm({ orgId, connection: c, onSaved }: { orgId: string; connection: StripeConnection; onSaved: () => void }) {
  return (
    <SecretFieldForm
      id={`stripe-${c.id}-key`}
      title="Replace key"
      field={{ name: 'restrictedKey', label: 'New restricted key (rk_…)' }}
      submitLabel={<>Replace key<span className="visually-hidden"> of {c.label}</span></>}
      savedMessage="Key replaced; a sync pass is queued."
      send={(key) => replaceStripeKey(orgId, c.id, key)}
      onSaved={onSaved}
    >
      <p className="muted">
        Rolled or revoked the key in Stripe? Paste its read-only replacement (for the same account, {c.stripeAccountId}). What is synced stays, and syncing resumes.
      </p>
    </SecretFieldForm>
  );
}

/** One pasted secret (never echoed back): its field, the server's problems for it, and a success note. */
function SecretFieldForm(props: {
  id: string;
  title: string;
  field: { name: string; label: string };
  submitLabel: ReactNode;
  savedMessage: string;
  send: (value: string) => Promise<unknown>;
  onSaved: () => void;
  children: ReactNode;
}) {
  const [value, setValue] = useState('');
  const save = useMutation({
    mutationFn: () => props.send(value.trim()),
    onSuccess: () => {
      setValue('');
      props.onSaved();
    },
  });
  const errors = formErrors(save.error, [props.field.name]);
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <form className="form stack" onSubmit={submit} aria-labelledby={props.id}>
      <h3 id={props.id}>{props.title}</h3>
      {props.children}
      <FormAlert message={errors.summary} />
      <FormAlert message={save.isSuccess ? props.savedMessage : undefined} tone="success" />
      <div className="form-row">
        <TextField
          label={props.field.label}
          name={props.field.name}
          autoComplete="off"
          spellCheck={false}
          required
          value={value}
          onChange={(e) => setValue(e.target.value)}
          error={errors.fields[props.field.name]}
          className="grow"
        />
        <button type="submit" className="btn btn-secondary" disabled={save.isPending || value.trim() === ''}>
          {props.submitLabel}
        </button>
      </div>
    </form>
  );
}
