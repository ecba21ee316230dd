// Where the digest and the movement notifications get their figures: the analytics slice's stored daily
// aggregates and per-customer points (src/analytics; contract in docs/metrics-api.md), read with
// parameterised queries so this slice does not depend on those table types. Before analytics has computed
// anything (or is not migrated) there is nothing to report and no mail goes out.
import { sql } from 'kysely';
import { readCustomerDetails } from '../analytics/customer-details.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import { withOrg, type Tx } from '../db/tenant.js';
import type { MovementKind } from './notification-preferences.table.js';

export interface PeriodMetrics {
  currency: string;
  from: string;
  to: string;
  mrr: number;
  mrrAtStart: number;
  movements: { new: number; expansion: number; contraction: number; churn: number; reactivation: number };
  newCustomers: number;
  churnedCustomers: number;
  payingCustomers: number;
  /** Largest movements of the period by amount. */
  notable: { customerId: string; customerName?: string | null; kind: MovementKind | 'reactivation'; amount: number; day: string }[];
}

export interface CustomerMovement {
  customerId: string;
  /** The Stripe customer's name (decrypted for the message), when it has one. */
  customerName?: string | null;
  kind: MovementKind;
  amount: number;
  day: string;
}

export interface MetricsSource {
  /** Figures for the inclusive days from..to (YYYY-MM-DD), or null when analytics has none. */
  period(orgId: string, from: string, to: string): Promise<PeriodMetrics | null>;
  /** Customer movements on days after `after` (exclusive) up to the latest computed day, oldest first. */
  movementsSince(orgId: string, after: string | null, limit: number): Promise<{ movements: CustomerMovement[]; through: string | null; currency: string | null }>;
}

/** The Stripe customer id in an analytics customer key (`acct_…/cus_…`, see customerKey in src/metrics). */
const customerIdOf = (key: string): string => key.slice(key.lastIndexOf('/') + 1);
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const dayText = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

async function tolerateMissing<T>(fallback: T, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return fallback;
    throw err;
  }
}

function kindOf(row: { new: unknown; expansion: unknown; contraction: unknown; churn: unknown }): MovementKind | null {
  if (num(row.new) !== 0) return 'new';
  if (num(row.churn) !== 0) return 'churn';
  if (num(row.expansion) !== 0) return 'upgrade';
  if (num(row.contraction) !== 0) return 'downgrade';
  return null;
}

/**
 * The names of the customers behind these analytics keys, for the messages: a team reads "Acme Ltd" more
 * readily than cus_… (the id stays alongside). Names are encrypted at rest; a name that cannot be decrypted
 * is left out rather than failing the message.
 */
async function customerNames(tx: Tx, crypto: Pick<FieldCrypto, 'decryptField'> | undefined, orgId: string, keys: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (!crypto || keys.length === 0) return names;
  const { rows } = await sql<{ customer_key: string; customer_id: string; payload_encrypted: string | null }>`
    select a.customer_key, a.customer_id, s.payload_encrypted from analytics_customers a
    join stripe_customers s on s.connection_id = a.connection_id and s.id = a.customer_id
    where a.org_id = ${orgId} and a.customer_key in (${sql.join([...new Set(keys)])})`.execute(tx);
  for (const r of rows) {
    // A shredded or unreadable payload: the id alone still identifies the customer.
    const name = (await readCustomerDetails(crypto, orgId, r.customer_id, r.payload_encrypted, tx))?.name?.trim();
    if (name) names.set(r.customer_key, name);
  }
  return names;
}

export function analyticsMetricsSource(db: Db, crypto?: Pick<FieldCrypto, 'decryptField'>): MetricsSource {
  return {
    period: (orgId, from, to) =>
      tolerateMissing(null, () =>
        withOrg(db, orgId, async (tx) => {
          const state = await sql<{ currency: string | null; status: string }>`select currency, status from analytics_state where org_id = ${orgId}`.execute(tx);
          const currency = state.rows[0]?.currency;
          if (!currency) return null;
          const sums = await sql<Record<string, unknown>>`
            select coalesce(sum(new), 0) as new, coalesce(sum(expansion), 0) as expansion, coalesce(sum(contraction), 0) as contraction,
                   coalesce(sum(churn), 0) as churn, coalesce(sum(reactivation), 0) as reactivation,
                   coalesce(sum(new_customers), 0) as new_customers, coalesce(sum(churned_customers), 0) as churned_customers
            from analytics_days where org_id = ${orgId} and day >= ${from}::date and day <= ${to}::date`.execute(tx);
          const end = await sql<{ mrr: unknown; paying: unknown }>`select mrr, paying from analytics_days where org_id = ${orgId} and day <= ${to}::date order by day desc limit 1`.execute(tx);
          const start = await sql<{ mrr: unknown }>`select mrr from analytics_days where org_id = ${orgId} and day < ${from}::date order by day desc limit 1`.execute(tx);
          const notable = await sql<Record<string, unknown>>`
            select customer_key, day, mrr_delta, new, expansion, contraction, churn, reactivation from analytics_points
            where org_id = ${orgId} and day >= ${from}::date and day <= ${to}::date and mrr_delta <> 0
            order by abs(mrr_delta) desc limit 5`.execute(tx);
          const s = sums.rows[0] ?? {};
          const names = await customerNames(tx, crypto, orgId, notable.rows.map((r) => String(r.customer_key)));
          return {
            currency,
            from,
            to,
            mrr: num(end.rows[0]?.mrr),
            mrrAtStart: num(start.rows[0]?.mrr),
            movements: { new: num(s.new), expansion: num(s.expansion), contraction: num(s.contraction), churn: num(s.churn), reactivation: num(s.reactivation) },
            newCustomers: num(s.new_customers),
            churnedCustomers: num(s.churned_customers),
            payingCustomers: num(end.rows[0]?.paying),
            notable: notable.rows.map((r) => ({
              customerId: customerIdOf(String(r.customer_key)),
              customerName: names.get(String(r.customer_key)) ?? null,
              kind: num(r.reactivation) !== 0 ? ('reactivation' as const) : (kindOf(r as never) ?? (num(r.mrr_delta) > 0 ? 'upgrade' : 'downgrade')),
              amount: num(r.mrr_delta),
              day: dayText(r.day),
            })),
          };
        }),
      ),
    movementsSince: (orgId, after, limit) =>
      tolerateMissing({ movements: [], through: null, currency: null }, () =>
        withOrg(db, orgId, async (tx) => {
          const state = await sql<{ currency: string | null }>`select currency from analytics_state where org_id = ${orgId}`.execute(tx);
          const latest = await sql<{ day: unknown }>`select max(day) as day from analytics_days where org_id = ${orgId}`.execute(tx);
          const through = latest.rows[0]?.day ? dayText(latest.rows[0].day) : null;
          if (!through) return { movements: [], through: null, currency: state.rows[0]?.currency ?? null };
          const rows = await sql<Record<string, unknown>>`
            select customer_key, day, mrr_delta, new, expansion, contraction, churn from analytics_points
            where org_id = ${orgId} and day > coalesce(${after}::date, ${through}::date - 1) and day <= ${through}::date
              and (new <> 0 or expansion <> 0 or contraction <> 0 or churn <> 0)
            order by day, customer_key limit ${limit}`.execute(tx);
          const movements: CustomerMovement[] = [];
          const names = await customerNames(tx, crypto, orgId, rows.rows.map((r) => String(r.customer_key)));
          for (const r of rows.rows) {
            const kind = kindOf(r as never);
            const key = String(r.customer_key);
            if (kind) movements.push({ customerId: customerIdOf(key), customerName: names.get(key) ?? null, kind, amount: num(r.mrr_delta), day: dayText(r.day) });
          }
          return { movements, through, currency: state.rows[0]?.currency ?? null };
        }),
      ),
  };
}
