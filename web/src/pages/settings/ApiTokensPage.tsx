// Settings → API tokens: Admins create read-only tokens for GET /api/v1 (shown once), see when each was last
// used, and revoke them. Creating asks for the password and a code again: the server requires sudo mode.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.js';
import { formErrors } from '../../api/form-errors.js';
import { describeError } from '../../api/problem.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { CopyButton } from '../../components/CopyButton.js';
import { DataTable } from '../../components/DataTable.js';
import { FormAlert, SelectField, TextField } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { Time } from '../../components/Time.js';
import { Gate } from '../../layout/Gate.js';
import { useOrgContext } from '../../layout/org-context.js';
import { ReauthFields, useReauth } from './Reauth.js';
import type { ApiTokenCreated, ApiTokenList, ApiTokenView } from '../../../../src/tokens/tokens-schemas.js';

/** The server's own answer types (type-only: erased from the bundle), so the page cannot drift from the route. */
export type ApiToken = ApiTokenView;

const STATUS_LABEL: Record<ApiToken['status'], string> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
  suspended: 'Suspended (its creator is no longer an Admin)',
};

const base = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}/api-tokens`;

export function ApiTokensPage() {
  return (
    <Gate capability="manageMembers" what="API tokens">
      <ApiTokensContent />
    </Gate>
  );
}

function ApiTokensContent() {
  const { org } = useOrgContext();
  const client = useQueryClient();
  const key = ['orgs', org.id, 'api-tokens'];
  const list = useQuery({ queryKey: key, queryFn: () => api.get<ApiTokenList>(base(org.id)) });
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete<unknown>(`${base(org.id)}/${encodeURIComponent(id)}`),
    onSuccess: () => {
      setRevoking(null);
      void client.invalidateQueries({ queryKey: key });
    },
  });
  const tokens = list.data?.tokens ?? [];

  return (
    <div className="page">
      <PageHeader
        title="API tokens"
        description="Read-only tokens for the metrics API (GET /api/v1/…, documented at /api/v1/openapi.json). A token is shown once, stored only as a hash, and stops working when revoked, when it expires, or when the Admin who made it leaves the role."
      />
      {list.data ? <CreateTokenForm orgId={org.id} scopes={list.data.scopes} expiryDays={list.data.expiryDays} onCreated={() => void client.invalidateQueries({ queryKey: key })} /> : null}
      <section className="card" aria-labelledby="tokens-title">
        <h2 id="tokens-title">Tokens</h2>
        {list.isPending ? <LoadingState label="Loading API tokens…" /> : null}
        {list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : null}
        {list.isSuccess && tokens.length === 0 ? <EmptyState title="No API tokens yet" /> : null}
        {tokens.length > 0 ? (
          <DataTable caption="API tokens">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Token</th>
                <th scope="col">Scopes</th>
                <th scope="col">Status</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id}>
                  <th scope="row">{t.name}</th>
                  <td>
                    <code>{t.display}</code>
                  </td>
                  <td>{t.scopes.join(', ')}</td>
                  <td>{STATUS_LABEL[t.status]}</td>
                  <td>
                    <Time iso={t.expiresAt} withTime={false} />
                  </td>
                  <td>
                    {t.lastUsedAt ? (
                      <>
                        <Time iso={t.lastUsedAt} /> {t.lastUsedIp ? `from ${t.lastUsedIp}` : ''}
                      </>
                    ) : (
                      'Never'
                    )}
                  </td>
                  <td>
                    {t.status === 'revoked' ? null : (
                      <button type="button" className="btn btn-secondary" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        ) : null}
      </section>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this token?"
        confirmLabel="Revoke token"
        busy={revoke.isPending}
        error={revoke.error ? describeError(revoke.error) : undefined}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onCancel={() => {
          setRevoking(null);
          revoke.reset();
        }}
      >
        <p>Anything using “{revoking?.name}” will be refused from its next request. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}

function CreateTokenForm({ orgId, scopes, expiryDays, onCreated }: { orgId: string; scopes: Record<string, string>; expiryDays: number[]; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>(['metrics:read']);
  const [days, setDays] = useState(String(expiryDays.includes(90) ? 90 : (expiryDays[0] ?? 30)));
  const reauth = useReauth();
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: async () => {
      // The server wants a re-authentication within 10 minutes; asking every time keeps the rule obvious.
      await reauth.confirm();
      return api.post<ApiTokenCreated>(base(orgId), { name, scopes: chosen, expiresInDays: Number(days) });
    },
    // A wrong password answers 401: a form error here, not a lost session.
    meta: { handlesAuthErrors: true },
    onSuccess: (created) => {
      setSecret(created.secret);
      setName('');
      reauth.clear();
      onCreated();
    },
  });
  const errors = formErrors(create.error, ['name', 'scopes', 'expiresInDays', 'password', 'code']);

  function submit(e: FormEvent) {
    e.preventDefault();
    setSecret(null);
    create.mutate();
  }

  return (
    <section className="card" aria-labelledby="create-token-title">
      <h2 id="create-token-title">Create a token</h2>
      {secret ? (
        <div className="alert alert-success" role="status">
          <p>Copy this token now: it will not be shown again.</p>
          <p>
            <code data-testid="new-token">{secret}</code> <CopyButton text={secret} label="Copy token" />
          </p>
        </div>
      ) : null}
      <form className="form narrow-form" onSubmit={submit}>
        <FormAlert message={errors.summary} />
        <TextField label="Name" name="token-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} error={errors.fields.name} hint="What uses it, e.g. “Finance warehouse”." />
        <fieldset>
          <legend>Scopes (read-only)</legend>
          {Object.entries(scopes).map(([scope, description]) => (
            <label key={scope} className="checkbox">
              <input
                type="checkbox"
                checked={chosen.includes(scope)}
                onChange={(e) => setChosen((c) => (e.target.checked ? [...c, scope] : c.filter((s) => s !== scope)))}
              />{' '}
              <code>{scope}</code> — {description}
            </label>
          ))}
          {errors.fields.scopes ? <p className="field-error">{errors.fields.scopes}</p> : null}
        </fieldset>
        <SelectField label="Expires after" name="token-expiry" value={days} onChange={(e) => setDays(e.target.value)} error={errors.fields.expiresInDays}>
          {expiryDays.map((d) => (
            <option key={d} value={String(d)}>
              {d} days
            </option>
          ))}
        </SelectField>
        <ReauthFields reauth={reauth} label="Your password" errors={{ password: errors.fields.password, code: errors.fields.code }} />
        <div>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || chosen.length === 0}>
            {create.isPending ? 'Creating…' : 'Create token'}
          </button>
        </div>
      </form>
    </section>
  );
}
