// The repository of the imported exchange-rate file (analytics_fx_imports, tenant table under forced RLS):
// replaced as a whole by each import, inside the caller's org-scoped transaction.
import { sql } from 'kysely';
import type { Tx } from '../db/tenant.js';
import type { ImportedRate } from './fx-import.js';
import { insertMany } from './store.js';

export interface StoredFxImport {
  /** the reporting currency the rates are expressed in (null when nothing is imported) */
  quoteCurrency: string | null;
  rates: ImportedRate[];
}

type Row = Record<string, unknown>;

export async function readFxImport(tx: Tx, orgId: string, opts: { currency?: string } = {}): Promise<StoredFxImport> {
  const only = opts.currency ? sql`and currency = ${opts.currency}` : sql``;
  const { rows } = await sql<Row>`select currency, day::text as day, rate, quote_currency from analytics_fx_imports
    where org_id = ${orgId} ${only} order by currency, day`.execute(tx);
  return {
    quoteCurrency: rows[0] ? String(rows[0]['quote_currency']) : null,
    rates: rows.map((r) => ({ currency: String(r['currency']), date: String(r['day']), rate: String(r['rate']) })),
  };
}

export interface FxImportSummary {
  currency: string;
  from: string;
  to: string;
  days: number;
}

/** Per currency: first and last day and how many days the file has. */
export async function summariseFxImport(tx: Tx, orgId: string): Promise<{ quoteCurrency: string | null; total: number; currencies: FxImportSummary[] }> {
  const { rows } = await sql<Row>`select currency, min(day)::text as first, max(day)::text as last, count(*)::int as days, min(quote_currency) as quote
    from analytics_fx_imports where org_id = ${orgId} group by currency order by currency`.execute(tx);
  const currencies = rows.map((r) => ({ currency: String(r['currency']), from: String(r['first']), to: String(r['last']), days: Number(r['days']) }));
  return { quoteCurrency: rows[0] ? String(rows[0]['quote']) : null, total: currencies.reduce((s, c) => s + c.days, 0), currencies };
}

/** Replaces the organisation's imported file (an empty list removes it). */
export async function replaceFxImport(tx: Tx, orgId: string, rates: readonly ImportedRate[], quoteCurrency: string): Promise<void> {
  await sql`delete from analytics_fx_imports where org_id = ${orgId}`.execute(tx);
  await insertMany(tx, 'analytics_fx_imports', ['org_id', 'currency', 'day', 'rate', 'quote_currency'],
    rates.map((r) => [orgId, r.currency, sql`${r.date}::date`, r.rate, quoteCurrency.toUpperCase()]));
}
