// Settings → Exchange rates: where the figures' exchange rates come from (Stripe's balance transactions, an
// imported file, or the file first) and the imported file itself — everyone who reads dashboards sees them;
// an Admin uploads a CSV (every problem listed with its line; nothing stored unless the whole file is right),
// changes the source, or removes the file. Each change queues a full recompute. Format: docs/metrics.md §5.1.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { api } from '../../api/client.js';
import { ApiError, describeError } from '../../api/problem.js';
import { can } from '../../app/roles.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { DataTable } from '../../components/DataTable.js';
import { FormAlert, SelectField } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { Time } from '../../components/Time.js';
import { Gate } from '../../layout/Gate.js';
import { useOrgContext } from '../../layout/org-context.js';
// The route's answer types (type-only: nothing of the schema module is bundled).
import type { FxRatesView, FxSource } from '../../../../src/analytics/fx-schemas.js';

export type { FxRatesView, FxSource };

export const FX_SOURCE_LABELS: Record<FxSource, string> = {
  'imported-then-stripe': 'Imported file first, Stripe for other currencies (default)',
  imported: 'Imported file only',
  stripe: 'Stripe balance transactions only',
};

const PAGE_SIZE = 50;
const base = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}/analytics/fx-rates`;

export function ExchangeRatesPage() {
  return (
    <Gate capability="viewDashboards" what="exchange rates">
      <ExchangeRatesContent />
    </Gate>
  );
}

function ExchangeRatesContent() {
  const { org } = useOrgContext();
  const client = useQueryClient();
  const admin = can(org.role, 'manageMembers');
  const [currency, setCurrency] = useState('');
  const [page, setPage] = useState(1);
  const key = ['orgs', org.id, 'fx-rates'];
  const query = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE), ...(currency ? { currency } : {}) });
  const view = useQuery({ queryKey: [...key, currency, page], queryFn: () => api.get<FxRatesView>(`${base(org.id)}?${query.toString()}`) });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: key });
    // the figures change after the recompute: the dashboards refetch when the status version moves
    void client.invalidateQueries({ queryKey: ['orgs', org.id, 'metrics'] });
  };
  const [removing, setRemoving] = useState(false);
  const remove = useMutation({
    mutationFn: () => api.delete<{ removed: number }>(base(org.id)),
    onSuccess: () => {
      setRemoving(false);
      refresh();
    },
  });
  const data = view.data;
  const pages = data ? Math.max(1, Math.ceil(data.matching / PAGE_SIZE)) : 1;

  return (
    <div className="page">
      <PageHeader
        title="Exchange rates"
        description="Figures are reported in your reporting currency. Rates come from Stripe's balance transactions, from a file of daily rates you import, or from the file first and Stripe for the currencies it does not have."
      />
      {view.isPending ? <LoadingState label="Loading exchange rates…" /> : null}
      {view.isError ? <ErrorState error={view.error} onRetry={() => void view.refetch()} title="Exchange rates could not be loaded" /> : null}
      {data ? (
        <>
          <SourceCard orgId={org.id} data={data} admin={admin} onChanged={refresh} />
          {admin ? <ImportCard orgId={org.id} reportingCurrency={data.reportingCurrency} onImported={refresh} /> : null}
          <section className="card" aria-labelledby="fx-file-title">
            <h2 id="fx-file-title">Imported file</h2>
            {data.total === 0 ? (
              <EmptyState title="No rates imported">
                <p>{admin ? 'Upload a CSV above to use your own rates.' : 'An Admin can import a file of daily rates.'}</p>
              </EmptyState>
            ) : (
              <>
                <p>
                  {data.total} rates in {data.quoteCurrency}
                  {data.importedAt ? (
                    <>
                      , imported <Time iso={data.importedAt} />
                    </>
                  ) : null}
                  .{' '}
                  <a href={`${base(org.id)}?format=csv`} download>
                    Download the file
                  </a>
                </p>
                {!data.usable ? (
                  <div className="alert alert-warning" role="status">
                    These rates are in {data.quoteCurrency} but your reporting currency is {data.reportingCurrency}, so they are not used. Import a file in {data.reportingCurrency}.
                  </div>
                ) : null}
                <DataTable caption="Imported currencies">
                  <thead>
                    <tr>
                      <th scope="col">Currency</th>
                      <th scope="col">First day</th>
                      <th scope="col">Last day</th>
                      <th scope="col">Days</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.currencies.map((c) => (
                      <tr key={c.currency}>
                        <th scope="row">{c.currency}</th>
                        <td>{c.from}</td>
                        <td>{c.to}</td>
                        <td>{c.days}</td>
                      </tr>
                    ))}
                  </tbody>
                </DataTable>
                <SelectField label="Show rates for" name="fx-currency" value={currency} onChange={(e) => { setCurrency(e.target.value); setPage(1); }}>
                  <option value="">Every currency</option>
                  {data.currencies.map((c) => (
                    <option key={c.currency} value={c.currency}>
                      {c.currency}
                    </option>
                  ))}
                </SelectField>
                <DataTable caption={`Rates (${data.reportingCurrency} per one unit), page ${data.page} of ${pages}`}>
                  <thead>
                    <tr>
                      <th scope="col">Date</th>
                      <th scope="col">Currency</th>
                      <th scope="col">Rate</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.rates.map((r) => (
                      <tr key={`${r.currency}-${r.date}`}>
                        <td>{r.date}</td>
                        <th scope="row">{r.currency}</th>
                        <td>{r.rate}</td>
                      </tr>
                    ))}
                  </tbody>
                </DataTable>
                <nav aria-label="Rate pages" className="section-actions">
                  <button type="button" className="btn btn-secondary" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
                    Previous
                  </button>
                  <button type="button" className="btn btn-secondary" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
                    Next
                  </button>
                </nav>
                {admin ? (
                  <button type="button" className="btn btn-secondary" onClick={() => setRemoving(true)}>
                    Remove the imported file
                  </button>
                ) : null}
              </>
            )}
          </section>
        </>
      ) : null}
      <ConfirmDialog
        open={removing}
        title="Remove the imported rates?"
        confirmLabel="Remove rates"
        busy={remove.isPending}
        error={remove.error ? describeError(remove.error) : undefined}
        onConfirm={() => remove.mutate()}
        onCancel={() => {
          setRemoving(false);
          remove.reset();
        }}
      >
        <p>Stripe&apos;s rates will be used for every currency, and your metrics will be recomputed.</p>
      </ConfirmDialog>
    </div>
  );
}

function SourceCard({ orgId, data, admin, onChanged }: { orgId: string; data: FxRatesView; admin: boolean; onChanged: () => void }) {
  const [source, setSource] = useState<FxSource>(data.source);
  const save = useMutation({
    mutationFn: () => api.put<unknown>(`/api/orgs/${encodeURIComponent(orgId)}/metrics/settings`, { fxSource: source }),
    onSuccess: onChanged,
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <section className="card" aria-labelledby="fx-source-title">
      <h2 id="fx-source-title">Source</h2>
      {admin ? (
        <form className="form narrow-form" onSubmit={submit}>
          <FormAlert message={save.error ? describeError(save.error) : undefined} />
          {save.isSuccess ? <FormAlert tone="success" message="Saved. Your metrics are being recomputed." /> : null}
          <SelectField label="Exchange rates from" name="fx-source" value={source} onChange={(e) => setSource(e.target.value as FxSource)}>
            {(Object.keys(FX_SOURCE_LABELS) as FxSource[]).map((s) => (
              <option key={s} value={s}>
                {FX_SOURCE_LABELS[s]}
              </option>
            ))}
          </SelectField>
          <div>
            <button type="submit" className="btn btn-primary" disabled={save.isPending || source === data.source}>
              {save.isPending ? 'Saving…' : 'Save source'}
            </button>
          </div>
        </form>
      ) : (
        <p>
          Exchange rates from: <strong>{FX_SOURCE_LABELS[data.source]}</strong>. Reporting currency {data.reportingCurrency}.
        </p>
      )}
    </section>
  );
}

function ImportCard({ orgId, reportingCurrency, onImported }: { orgId: string; reportingCurrency: string; onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const upload = useMutation({
    mutationFn: async () => {
      if (!file) throw new Error('Choose a CSV file first.');
      // sent as the file's text so the server reports problems by the file's own line numbers
      return api.put<{ imported: number; currencies: { currency: string }[] }>(base(orgId), { csv: await file.text() });
    },
    onSuccess: onImported,
  });
  const problems = upload.error instanceof ApiError ? upload.error.errors : [];
  function submit(e: FormEvent) {
    e.preventDefault();
    upload.mutate();
  }
  return (
    <section className="card" aria-labelledby="fx-import-title">
      <h2 id="fx-import-title">Import a rates file</h2>
      <p>
        A CSV with the header <code>date,currency,rate</code>, one line per currency and day. <code>rate</code> is how many {reportingCurrency} one unit of the currency
        is worth that day (e.g. <code>2026-03-10,USD,0.79</code>). The file replaces any earlier one; nothing is imported unless every line is right.
      </p>
      <form className="form narrow-form" onSubmit={submit}>
        {upload.isSuccess ? <FormAlert tone="success" message={`Imported ${upload.data.imported} rates. Your metrics are being recomputed.`} /> : null}
        {upload.error ? <FormAlert message={describeError(upload.error)} /> : null}
        {problems.length > 0 ? (
          <ul className="field-error" aria-label="Problems in the file">
            {problems.map((p) => (
              <li key={`${p.field}-${p.message}`}>
                {p.field}: {p.message}
              </li>
            ))}
          </ul>
        ) : null}
        <div className="field">
          <label htmlFor="fx-file">CSV file</label>
          <input id="fx-file" name="fx-file" type="file" accept=".csv,text/csv" onChange={(e: ChangeEvent<HTMLInputElement>) => { setFile(e.target.files?.[0] ?? null); upload.reset(); }} />
        </div>
        <div>
          <button type="submit" className="btn btn-primary" disabled={!file || upload.isPending}>
            {upload.isPending ? 'Importing…' : 'Import rates'}
          </button>
        </div>
      </form>
    </section>
  );
}
