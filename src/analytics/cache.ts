// Per-organisation read cache of the snapshot's customers: attributes (for filters, the list and plans),
// names, emails and metadata decrypted once (they are encrypted at rest, so searching and sorting by them
// happens here, in memory), and — loaded on first need — every customer's stored series. Validated against
// analytics_state on each use: a new full recompute (computed_at) reloads everything; a higher version
// reloads only the customers written since (each analytics_customers row carries the version that wrote it).
// Works across processes because the database, not this process, says what changed.
import { sql } from 'kysely';
import type { Tx } from '../db/tenant.js';
import type { CustomerPoint, CustomerSeries } from '../metrics/index.js';
import type { PlanContribution } from './analytics.table.js';
import { readCustomerDetails } from './customer-details.js';
import type { AnalyticsCrypto } from './load.js';
import type { StateRow } from './store.js';

export interface CachedCustomer {
  key: string;
  connectionId: string | null;
  accountId: string | null;
  customerId: string;
  status: string;
  mrr: number;
  native: Record<string, number>;
  firstPaidDate: string | null;
  opening: CustomerPoint;
  country: string | null;
  currencies: string[];
  plans: string[];
  billingIntervals: string[];
  planMrr: Record<string, PlanContribution>;
  created: string | null;
  name: string | null;
  email: string | null;
  metadata: Record<string, string>;
  /** lower-cased name, email and id, for search */
  haystack: string;
}

export interface OrgCache {
  orgId: string;
  version: number;
  computedAt: number;
  customers: Map<string, CachedCustomer>;
  /** points per customer key (ascending); null until a query needs series */
  points: Map<string, CustomerPoint[]> | null;
}

type Row = Record<string, unknown>;
const parse = <T>(v: unknown, fallback: T): T => (v === null || v === undefined ? fallback : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const ZERO_MOVES = (): CustomerPoint['movements'] => ({ new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0, fx: 0 });

export class AnalyticsCache {
  private readonly orgs = new Map<string, OrgCache>();

  constructor(private readonly crypto: AnalyticsCrypto, private readonly maxOrgs = 16) {}

  invalidate(orgId: string): void {
    this.orgs.delete(orgId);
  }

  /** The organisation's cache, brought up to the state's version inside the caller's transaction. */
  async get(tx: Tx, orgId: string, state: StateRow | null, opts: { series?: boolean } = {}): Promise<OrgCache> {
    const computedAt = state?.computedAt?.getTime() ?? 0;
    const version = state?.version ?? 0;
    let c = this.orgs.get(orgId);
    if (!c || c.computedAt !== computedAt || c.version > version) {
      c = { orgId, version: -1, computedAt, customers: new Map(), points: null };
      this.orgs.delete(orgId);
      if (this.orgs.size >= this.maxOrgs) {
        const oldest = this.orgs.keys().next().value;
        if (oldest !== undefined) this.orgs.delete(oldest);
      }
      this.orgs.set(orgId, c);
    } else {
      // keep recently used organisations at the end of the map (LRU order)
      this.orgs.delete(orgId);
      this.orgs.set(orgId, c);
    }
    if (c.version < version) {
      const changed = await this.loadCustomers(tx, c, c.version);
      if (c.points) await this.loadPoints(tx, c, c.version < 0 ? null : changed);
      c.version = version;
    }
    if (opts.series && !c.points) {
      c.points = new Map();
      await this.loadPoints(tx, c, null);
    }
    return c;
  }

  private async loadCustomers(tx: Tx, c: OrgCache, since: number): Promise<string[]> {
    const { rows } = await sql<Row>`select a.customer_key, a.connection_id, a.account_id, a.customer_id, a.status, a.mrr::text as mrr, a.native,
        a.first_paid_date::text as first_paid_date, a.opening_mrr::text as opening_mrr, a.opening_paying, a.opening_native, a.country, a.currencies, a.plans,
        a.billing_intervals, a.plan_mrr, a.customer_created, s.payload_encrypted
      from analytics_customers a
      left join stripe_customers s on s.connection_id = a.connection_id and s.id = a.customer_id
      where a.org_id = ${c.orgId} and a.version > ${since}`.execute(tx);
    const keys: string[] = [];
    for (const r of rows) {
      const key = String(r['customer_key']);
      keys.push(key);
      const id = String(r['customer_id']);
      // An unreadable payload (a shredded key) leaves the customer listed by id alone.
      const { name, email, metadata } = (await readCustomerDetails(this.crypto, c.orgId, id, r['payload_encrypted'], tx)) ?? { name: null, email: null, metadata: {} };
      const created = r['customer_created'];
      c.customers.set(key, {
        key, connectionId: (r['connection_id'] as string | null) ?? null, accountId: (r['account_id'] as string | null) ?? null, customerId: id,
        status: String(r['status']), mrr: Number(r['mrr']), native: parse(r['native'], {}), firstPaidDate: (r['first_paid_date'] as string | null) ?? null,
        opening: { date: '', mrr: Number(r['opening_mrr']), paying: r['opening_paying'] === true, native: parse(r['opening_native'], {}), movements: ZERO_MOVES(), event: null },
        country: (r['country'] as string | null) ?? null, currencies: (r['currencies'] as string[]) ?? [], plans: (r['plans'] as string[]) ?? [],
        billingIntervals: (r['billing_intervals'] as string[]) ?? [], planMrr: parse(r['plan_mrr'], {}),
        created: created ? new Date(created as string).toISOString() : null,
        name, email, metadata, haystack: `${name ?? ''}\n${email ?? ''}\n${id}`.toLowerCase(),
      });
    }
    return keys;
  }

  private async loadPoints(tx: Tx, c: OrgCache, keys: string[] | null): Promise<void> {
    const points = c.points ?? new Map<string, CustomerPoint[]>();
    if (keys && keys.length === 0) return;
    const filter = keys ? sql`and customer_key = any(${keys})` : sql``;
    if (keys) for (const k of keys) points.delete(k);
    const { rows } = await sql<Row>`select customer_key, day::text as day, mrr::text as mrr, paying, new::text as new, expansion::text as expansion,
        contraction::text as contraction, churn::text as churn, reactivation::text as reactivation, fx::text as fx, event, native
      from analytics_points where org_id = ${c.orgId} ${filter} order by customer_key, day`.execute(tx);
    for (const r of rows) {
      const key = String(r['customer_key']);
      let list = points.get(key);
      if (!list) points.set(key, (list = []));
      list.push({
        date: String(r['day']), mrr: Number(r['mrr']), paying: r['paying'] === true, native: parse(r['native'], {}),
        movements: { new: Number(r['new']), expansion: Number(r['expansion']), contraction: Number(r['contraction']), churn: Number(r['churn']), reactivation: Number(r['reactivation']), fx: Number(r['fx']) },
        event: (r['event'] as CustomerPoint['event']) ?? null,
      });
    }
    c.points = points;
  }
}

/** A cached customer's series over the snapshot range (for the engine's per-customer functions). */
export function seriesOf(c: OrgCache, customer: CachedCustomer, range: { from: string; to: string }): CustomerSeries {
  const s: CustomerSeries = {
    key: customer.key, customerId: customer.customerId, from: range.from, to: range.to, firstPaidDate: customer.firstPaidDate,
    opening: { ...customer.opening, date: '' }, points: c.points?.get(customer.key) ?? [],
  };
  if (customer.accountId) s.accountId = customer.accountId;
  return s;
}
