// Loaders: build the engine's inputs for one organisation (or one customer of it) from the synced stripe_*
// tables, inside the caller's org-scoped transaction (RLS). Rows are read in keyset pages; encrypted payloads
// are decrypted one row at a time, reduced at once to the few fields the engine needs, and dropped. Only
// payloads that hold something the clear columns lack are decrypted: customers (discount, metadata),
// subscriptions (discount ids, metadata), prices (tiers, currency_options, transform_quantity, metadata),
// amount_off coupons (currency_options), subscription events, and the invoices that carry a discount or were
// paid after a failed attempt.
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../db/tenant.js';
import {
  customerKey, type CouponInput, type CustomerInput, type DiscountInput, type PriceCurrencyOption, type PriceInput, type PriceTier, type SubscriptionInput,
} from '../metrics/index.js';
import { couponFromObject, discountFromObject, inferSubscriptionDiscounts, invoiceDiscountAmounts, type DiscountObservation } from './discounts.js';
import { readPayload } from './customer-details.js';
import type { ConversionRow } from './fx-rates.js';
import { SUBSCRIPTION_EVENT_PREFIX } from '../stripe/object-kinds.js';
import {
  asStatus, buildSubscription, stringRecord, subscriptionPayloadParts, type SubscriptionEvent, type SubscriptionInvoice, type SubscriptionRow,
} from './versions.js';

export interface AnalyticsCrypto {
  decryptField(orgId: string | null, ctx: { table: string; column: string; rowId: string }, ciphertext: string, tx?: Tx): Promise<string>;
}

export interface Connection {
  id: string;
  accountId: string;
  livemode: boolean;
  isDemo: boolean;
}

/** Restricts a load to one customer of one connection (incremental updates). */
export interface LoadScope {
  connectionId: string;
  customerId: string;
}

export interface CustomerRecord extends CustomerInput {
  key: string;
  connectionId: string;
  accountId: string;
}

export interface InvoiceRecord {
  key: string;
  customerKey: string;
  accountId: string;
  livemode: boolean;
  currency: string;
  amountDue: number;
  status: string | null;
  attemptCount: number;
  created: number;
  /** when paid after a failed attempt (status_transitions.paid_at) */
  recoveredAt: number | null;
}

export interface CashRecord {
  key: string;
  customerKey: string | null;
  accountId: string;
  livemode: boolean;
  /** a dispute's amount is what it withdrew: negative for a reversal (a won dispute's money coming back) */
  type: 'charge' | 'refund' | 'dispute';
  currency: string;
  amount: number;
  fee: number;
  created: number;
}

/**
 * Which cash line a balance transaction is. Disputes are `adjustment`s (Stripe's reporting category `dispute`
 * for the withdrawal and its fee, `dispute_reversal` when a won dispute's money comes back); other
 * adjustments, payouts, transfers and the like are not revenue cash.
 */
export function cashKind(type: string, reportingCategory: string | null): CashRecord['type'] | null {
  if (type === 'charge' || type === 'payment') return 'charge';
  if (type === 'refund' || type === 'payment_refund') return 'refund';
  if (reportingCategory === 'dispute' || reportingCategory === 'dispute_reversal') return 'dispute';
  return null;
}

export interface PlanInfo {
  priceId: string;
  productId: string | null;
  productName: string | null;
  nickname: string | null;
  currency: string;
  interval: string | null;
  intervalCount: number | null;
}

export interface OrgData {
  customers: CustomerRecord[];
  subscriptions: SubscriptionInput[];
  /** current subscription status and current item price ids, by account/subscription key */
  current: Map<string, { status: string; priceIds: string[]; endedAt: number | null }>;
  invoices: InvoiceRecord[];
  cash: CashRecord[];
  conversions: ConversionRow[];
  plans: Map<string, PlanInfo>;
  warnings: string[];
}

const PAGE = 1000;
type Row = Record<string, unknown>;

const secs = (v: unknown): number | null => {
  if (v === null || v === undefined) return null;
  const ms = v instanceof Date ? v.getTime() : new Date(String(v)).getTime();
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
};
const int = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Keyset pages of a query ordered by (connection_id, id). `query(after)` must apply the cursor. */
async function* pages(tx: Tx, query: (after: { c: string; id: string } | null) => RawBuilder<Row>): AsyncGenerator<Row[]> {
  let after: { c: string; id: string } | null = null;
  for (;;) {
    const { rows } = await query(after).execute(tx);
    if (rows.length === 0) return;
    yield rows;
    const last = rows[rows.length - 1] as Row;
    after = { c: String(last['connection_id']), id: String(last['id']) };
    if (rows.length < PAGE) return;
  }
}

const cursor = (after: { c: string; id: string } | null): RawBuilder<unknown> =>
  after ? sql`and (connection_id, id) > (${after.c}::uuid, ${after.id})` : sql``;

export async function loadConnections(tx: Tx): Promise<Map<string, Connection>> {
  const rows = await tx.selectFrom('stripe_connections').select(['id', 'stripe_account_id', 'livemode', 'is_demo']).execute();
  return new Map(rows.map((r) => [r.id, { id: r.id, accountId: r.stripe_account_id, livemode: r.livemode, isDemo: r.is_demo }]));
}

interface Ctx {
  tx: Tx;
  crypto: AnalyticsCrypto;
  orgId: string;
  connections: Map<string, Connection>;
  warnings: string[];
}

async function payload(ctx: Ctx, table: string, id: string, ciphertext: unknown): Promise<Row> {
  const read = await readPayload(ctx.crypto, ctx.orgId, table, id, ciphertext, ctx.tx);
  if (read === null && typeof ciphertext === 'string') ctx.warnings.push(`${table} ${id}: payload could not be read`);
  return read ?? {};
}

function tiersOf(v: unknown): PriceTier[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((t: Row) => ({
    up_to: t['up_to'] === 'inf' ? 'inf' : (int(t['up_to']) ?? null),
    unit_amount: int(t['unit_amount']),
    unit_amount_decimal: text(t['unit_amount_decimal']),
    flat_amount: int(t['flat_amount']),
    flat_amount_decimal: text(t['flat_amount_decimal']),
  }));
}

/** A price's `currency_options` (only present when the sync expanded it), keys in upper case. */
function priceCurrencyOptions(v: unknown): Record<string, PriceCurrencyOption> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, PriceCurrencyOption> = {};
  for (const [currency, raw] of Object.entries(v as Row)) {
    if (!raw || typeof raw !== 'object') continue;
    const o = raw as Row;
    const option: PriceCurrencyOption = {
      unit_amount: int(o['unit_amount']),
      unit_amount_decimal: o['unit_amount_decimal'] === null || o['unit_amount_decimal'] === undefined ? null : String(o['unit_amount_decimal']),
    };
    const tiers = tiersOf(o['tiers']);
    if (tiers) option.tiers = tiers;
    out[currency.toUpperCase()] = option;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** An amount_off coupon's `currency_options` (present when expanded), keys in upper case. */
function couponCurrencyOptions(v: unknown): Record<string, { amount_off: number }> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, { amount_off: number }> = {};
  for (const [currency, raw] of Object.entries(v as Row)) {
    const off = raw && typeof raw === 'object' ? int((raw as Row)['amount_off']) : null;
    if (off !== null && Number.isFinite(off)) out[currency.toUpperCase()] = { amount_off: off };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function priceFromParts(row: Row, p: Row): PriceInput {
  const interval = text(row['recurring_interval']);
  const price: PriceInput = {
    id: String(row['id']),
    currency: String(row['currency'] ?? p['currency'] ?? '').toUpperCase(),
    recurring: interval === 'day' || interval === 'week' || interval === 'month' || interval === 'year'
      ? { interval, interval_count: int(row['recurring_interval_count']) ?? 1, usage_type: text(row['usage_type']) === 'metered' ? 'metered' : 'licensed' }
      : null,
    billing_scheme: text(row['billing_scheme']) === 'tiered' ? 'tiered' : 'per_unit',
    unit_amount: int(row['unit_amount']),
    unit_amount_decimal: row['unit_amount_decimal'] === null || row['unit_amount_decimal'] === undefined ? null : String(row['unit_amount_decimal']),
    metadata: stringRecord(p['metadata']),
  };
  const product = text(row['product_id']);
  if (product) price.product = product;
  const tiers = tiersOf(p['tiers']);
  if (tiers) price.tiers = tiers;
  const options = priceCurrencyOptions(p['currency_options']);
  if (options) price.currency_options = options;
  const mode = text(row['tiers_mode']);
  if (mode === 'graduated' || mode === 'volume') price.tiers_mode = mode;
  const tq = p['transform_quantity'] as Row | null | undefined;
  if (tq && typeof tq === 'object') price.transform_quantity = { divide_by: Number(tq['divide_by'] ?? 1), round: tq['round'] === 'down' ? 'down' : 'up' };
  return price;
}

/** A price object found inline (a subscription item's expanded price) when the price row is missing. */
export function priceFromObject(o: Row): PriceInput {
  const recurring = (o['recurring'] ?? null) as Row | null;
  return priceFromParts({
    id: o['id'], currency: o['currency'], recurring_interval: recurring?.['interval'], recurring_interval_count: recurring?.['interval_count'],
    usage_type: recurring?.['usage_type'], billing_scheme: o['billing_scheme'], unit_amount: o['unit_amount'], unit_amount_decimal: o['unit_amount_decimal'],
    tiers_mode: o['tiers_mode'], product: o['product'], product_id: typeof o['product'] === 'string' ? o['product'] : null,
  }, o);
}

async function loadPrices(ctx: Ctx, ids: string[] | null): Promise<{ prices: Map<string, Map<string, PriceInput>>; plans: Map<string, PlanInfo> }> {
  const prices = new Map<string, Map<string, PriceInput>>();
  const plans = new Map<string, PlanInfo>();
  const names = new Map<string, string | null>();
  const products = await sql<Row>`select connection_id, id, name from stripe_products`.execute(ctx.tx);
  for (const r of products.rows) names.set(`${String(r['connection_id'])}|${String(r['id'])}`, text(r['name']));
  const filter = ids ? sql`and id = any(${ids})` : sql``;
  for await (const rows of pages(ctx.tx, (after) => sql<Row>`select id, connection_id, product_id, currency, type, billing_scheme, tiers_mode,
      unit_amount, unit_amount_decimal::text as unit_amount_decimal, recurring_interval, recurring_interval_count, usage_type, payload_encrypted
      from stripe_prices where not deleted ${filter} ${cursor(after)} order by connection_id, id limit ${PAGE}`)) {
    for (const row of rows) {
      const p = await payload(ctx, 'stripe_prices', String(row['id']), row['payload_encrypted']);
      const c = String(row['connection_id']);
      let m = prices.get(c);
      if (!m) prices.set(c, (m = new Map()));
      const price = priceFromParts(row, p);
      m.set(price.id, price);
      plans.set(price.id, {
        priceId: price.id, productId: price.product ?? null, productName: names.get(`${c}|${price.product ?? ''}`) ?? null,
        nickname: text(p['nickname']), currency: price.currency, interval: price.recurring?.interval ?? null, intervalCount: price.recurring?.interval_count ?? null,
      });
    }
  }
  return { prices, plans };
}

async function loadCoupons(ctx: Ctx): Promise<Map<string, Map<string, CouponInput>>> {
  const out = new Map<string, Map<string, CouponInput>>();
  // The payload is read only for amount_off coupons: their currency_options are not in a column.
  const { rows } = await sql<Row>`select connection_id, id, percent_off::text as percent_off, amount_off, currency, duration, duration_in_months,
    case when amount_off is not null then payload_encrypted end as payload_encrypted
    from stripe_coupons where not deleted`.execute(ctx.tx);
  for (const r of rows) {
    const coupon = couponFromObject({ ...r, percent_off: r['percent_off'] === null ? null : Number(r['percent_off']), amount_off: int(r['amount_off']) });
    if (!coupon) continue;
    if (r['payload_encrypted']) {
      const options = couponCurrencyOptions((await payload(ctx, 'stripe_coupons', coupon.id, r['payload_encrypted']))['currency_options']);
      if (options) coupon.currency_options = options;
    }
    const c = String(r['connection_id']);
    let m = out.get(c);
    if (!m) out.set(c, (m = new Map()));
    m.set(coupon.id, coupon);
  }
  return out;
}

/**
 * A discount's coupon as synced (with its currency_options) rather than the copy embedded in the discount,
 * which Stripe sends without them.
 */
function withStoredCoupon(d: DiscountInput | null, coupons: ReadonlyMap<string, CouponInput> | undefined): DiscountInput | null {
  const stored = d ? coupons?.get(d.coupon.id) : undefined;
  return d && stored?.currency_options ? { ...d, coupon: { ...d.coupon, currency_options: stored.currency_options } } : d;
}

/** Loads everything the engine needs for the organisation, or for one customer when `scope` is given. */
export async function loadOrgData(tx: Tx, crypto: AnalyticsCrypto, orgId: string, connections: Map<string, Connection>, scope: LoadScope | null = null): Promise<OrgData> {
  const ctx: Ctx = { tx, crypto, orgId, connections, warnings: [] };
  const accountOf = (connectionId: unknown): string => connections.get(String(connectionId))?.accountId ?? String(connectionId);
  const coupons = await loadCoupons(ctx);

  // customers
  const customers: CustomerRecord[] = [];
  const customerDiscountIds = new Set<string>();
  const custFilter = scope ? sql`and connection_id = ${scope.connectionId} and id = ${scope.customerId}` : sql``;
  for await (const rows of pages(tx, (after) => sql<Row>`select id, connection_id, livemode, created, country, payload_encrypted
      from stripe_customers where not deleted ${custFilter} ${cursor(after)} order by connection_id, id limit ${PAGE}`)) {
    for (const row of rows) {
      const id = String(row['id']);
      const p = await payload(ctx, 'stripe_customers', id, row['payload_encrypted']);
      const accountId = accountOf(row['connection_id']);
      const c: CustomerRecord = { key: customerKey(accountId, id), id, connectionId: String(row['connection_id']), accountId, livemode: row['livemode'] === true, metadata: stringRecord(p['metadata']) };
      const country = text(row['country']);
      if (country) c.country = country;
      const created = secs(row['created']);
      if (created !== null) c.created = created;
      const d = withStoredCoupon(discountFromObject(p['discount'], coupons.get(c.connectionId) ?? new Map()), coupons.get(c.connectionId));
      if (d) {
        c.discounts = [d];
        if (d.id) customerDiscountIds.add(d.id);
      }
      customers.push(c);
    }
  }

  // subscriptions (+ items)
  const subRows: (SubscriptionRow & { connectionId: string; startForDiscount: number | null })[] = [];
  const subFilter = scope ? sql`and connection_id = ${scope.connectionId} and customer_id = ${scope.customerId}` : sql``;
  for await (const rows of pages(tx, (after) => sql<Row>`select id, connection_id, livemode, created, customer_id, status, currency, start_date,
      trial_start, trial_end, cancel_at_period_end, cancel_at, canceled_at, ended_at, pause_behavior, pause_resumes_at, event_created, payload_encrypted
      from stripe_subscriptions where not deleted and customer_id is not null ${subFilter} ${cursor(after)} order by connection_id, id limit ${PAGE}`)) {
    for (const row of rows) {
      const id = String(row['id']);
      const parts = subscriptionPayloadParts(await payload(ctx, 'stripe_subscriptions', id, row['payload_encrypted']));
      subRows.push({
        id, connectionId: String(row['connection_id']), customerId: String(row['customer_id']), accountId: accountOf(row['connection_id']),
        currency: String(row['currency'] ?? '').toUpperCase(), livemode: row['livemode'] === true, status: asStatus(row['status']),
        startDate: secs(row['start_date']), created: secs(row['created']), trialStart: secs(row['trial_start']), trialEnd: secs(row['trial_end']),
        cancelAtPeriodEnd: row['cancel_at_period_end'] === true, cancelAt: secs(row['cancel_at']), canceledAt: secs(row['canceled_at']),
        endedAt: secs(row['ended_at']), paused: row['pause_behavior'] !== null && row['pause_behavior'] !== undefined,
        pauseResumesAt: secs(row['pause_resumes_at']), eventCreated: int(row['event_created']), metadata: parts.metadata,
        items: [], discountIds: parts.discountIds.filter((d) => !customerDiscountIds.has(d)), startForDiscount: null,
        // item prices present inline serve when a price row is missing
        ...{ inlinePrices: parts.itemPrices },
      });
    }
  }
  const subIndex = new Map(subRows.map((s) => [`${s.connectionId}|${s.id}`, s]));
  const subIds = subRows.map((s) => s.id);
  if (subRows.length > 0) {
    const itemFilter = scope ? sql`where connection_id = ${scope.connectionId} and subscription_id = any(${subIds})` : sql``;
    const { rows } = await sql<Row>`select connection_id, subscription_id, id, price_id, quantity, current_period_end from stripe_subscription_items ${itemFilter}
      order by connection_id, subscription_id, created nulls first, id`.execute(tx);
    for (const r of rows) {
      const s = subIndex.get(`${String(r['connection_id'])}|${String(r['subscription_id'])}`);
      if (!s) continue;
      const priceId = text(r['price_id']);
      const inline = priceId ? ((s as unknown as { inlinePrices: Map<string, Row> }).inlinePrices.get(priceId) ?? null) : null;
      s.items.push({ priceId, quantity: int(r['quantity']), currentPeriodEnd: secs(r['current_period_end']), price: inline ? priceFromObject(inline) : null });
    }
  }

  // prices: all of them for a full load; the customer's for an incremental one (plus those on its invoices)
  const invoices: (InvoiceRecord & { connectionId: string; id: string; subscriptionId: string | null; subtotal: number; total: number; customerId: string })[] = [];
  const invFilter = scope ? sql`and connection_id = ${scope.connectionId} and customer_id = ${scope.customerId}` : sql``;
  for await (const rows of pages(tx, (after) => sql<Row>`select id, connection_id, livemode, customer_id, subscription_id, status, currency, amount_due,
      subtotal, total, attempt_count, created from stripe_invoices where not deleted and customer_id is not null ${invFilter} ${cursor(after)}
      order by connection_id, id limit ${PAGE}`)) {
    for (const r of rows) {
      const accountId = accountOf(r['connection_id']);
      const customerId = String(r['customer_id']);
      invoices.push({
        key: `${accountId}/${String(r['id'])}`, id: String(r['id']), connectionId: String(r['connection_id']), customerId,
        customerKey: customerKey(accountId, customerId), accountId, livemode: r['livemode'] === true, currency: String(r['currency'] ?? '').toUpperCase(),
        amountDue: int(r['amount_due']) ?? 0, status: text(r['status']), attemptCount: int(r['attempt_count']) ?? 0, created: secs(r['created']) ?? 0,
        recoveredAt: null, subscriptionId: text(r['subscription_id']), subtotal: int(r['subtotal']) ?? 0, total: int(r['total']) ?? 0,
      });
    }
  }
  const lines = new Map<string, SubscriptionInvoice['lines']>();
  if (invoices.length > 0) {
    const lineFilter = scope ? sql`where connection_id = ${scope.connectionId} and subscription_id = any(${subIds})` : sql``;
    for await (const rows of pages(tx, (after) => sql<Row>`select id, connection_id, invoice_id, subscription_id, price_id, quantity, proration,
        period_start, period_end from stripe_invoice_lines ${lineFilter} ${after ? (scope ? sql`and` : sql`where`) : sql``}
        ${after ? sql`(connection_id, id) > (${after.c}::uuid, ${after.id})` : sql``} order by connection_id, id limit ${PAGE}`)) {
      for (const r of rows) {
        const k = `${String(r['connection_id'])}|${String(r['invoice_id'])}`;
        let l = lines.get(k);
        if (!l) lines.set(k, (l = []));
        l.push({ priceId: text(r['price_id']), quantity: int(r['quantity']), proration: r['proration'] === true, periodStart: secs(r['period_start']), periodEnd: secs(r['period_end']) });
      }
    }
  }

  const priceIds = scope ? [...new Set([...subRows.flatMap((s) => s.items.map((i) => i.priceId)), ...[...lines.values()].flat().map((l) => l.priceId)].filter((x): x is string => x !== null))] : null;
  const { prices, plans } = await loadPrices(ctx, priceIds);

  // invoices whose payload must be read: those of subscriptions with discounts (to identify the coupon),
  // those that show a discount in clear (total below subtotal), and those paid after a failed attempt
  const withDiscounts = new Set(subRows.filter((s) => s.discountIds.length > 0).map((s) => `${s.connectionId}|${s.id}`));
  const observations = new Map<string, DiscountObservation[]>();
  const invoiceDiscountIds = new Map<string, Set<string>>();
  const wanted: typeof invoices = [];
  for (const inv of invoices) {
    const subKey = inv.subscriptionId ? `${inv.connectionId}|${inv.subscriptionId}` : null;
    const needsDiscount = inv.subtotal > 0 && ((subKey !== null && withDiscounts.has(subKey)) || inv.total < inv.subtotal);
    const recovered = inv.status === 'paid' && inv.attemptCount > 1;
    if (needsDiscount || recovered) wanted.push(inv);
  }
  for (let i = 0; i < wanted.length; i += 200) {
    const batch = wanted.slice(i, i + 200);
    const byConnection = new Map<string, string[]>();
    for (const inv of batch) byConnection.set(inv.connectionId, [...(byConnection.get(inv.connectionId) ?? []), inv.id]);
    const payloads = new Map<string, unknown>();
    for (const [conn, ids] of byConnection) {
      const { rows } = await sql<Row>`select id, payload_encrypted from stripe_invoices where connection_id = ${conn} and id = any(${ids})`.execute(tx);
      for (const r of rows) payloads.set(`${conn}|${String(r['id'])}`, r['payload_encrypted']);
    }
    for (const inv of batch) {
      const subKey = inv.subscriptionId ? `${inv.connectionId}|${inv.subscriptionId}` : null;
      const needsDiscount = inv.subtotal > 0 && ((subKey !== null && withDiscounts.has(subKey)) || inv.total < inv.subtotal);
      const recovered = inv.status === 'paid' && inv.attemptCount > 1;
      const p = await payload(ctx, 'stripe_invoices', inv.id, payloads.get(`${inv.connectionId}|${inv.id}`));
      if (recovered) inv.recoveredAt = int((p['status_transitions'] as Row | undefined)?.['paid_at']) ?? null;
      if (!needsDiscount || !subKey) continue;
      const invLines = lines.get(`${inv.connectionId}|${inv.id}`) ?? [];
      const ps = Math.min(...invLines.map((l) => l.periodStart ?? Infinity));
      const pe = Math.max(...invLines.map((l) => l.periodEnd ?? -Infinity));
      for (const d of invoiceDiscountAmounts(p)) {
        if (customerDiscountIds.has(d.discountId)) continue;
        let o = observations.get(subKey);
        if (!o) observations.set(subKey, (o = []));
        o.push({ discountId: d.discountId, amount: d.amount, subtotal: inv.subtotal, currency: inv.currency, periodStart: Number.isFinite(ps) ? ps : inv.created, periodEnd: Number.isFinite(pe) ? pe : inv.created });
        let ids = invoiceDiscountIds.get(subKey);
        if (!ids) invoiceDiscountIds.set(subKey, (ids = new Set()));
        ids.add(d.discountId);
      }
    }
  }

  // subscription events (snapshots of the object at the event's time)
  const events = new Map<string, SubscriptionEvent[]>();
  if (subRows.length > 0) {
    const evFilter = scope ? sql`and connection_id = ${scope.connectionId} and object_id = any(${subIds})` : sql``;
    for await (const rows of pages(tx, (after) => sql<Row>`select id, connection_id, created, type, object_id, payload_encrypted from stripe_events
        where type like ${`${SUBSCRIPTION_EVENT_PREFIX}%`} ${evFilter} ${cursor(after)} order by connection_id, id limit ${PAGE}`)) {
      for (const r of rows) {
        const k = `${String(r['connection_id'])}|${String(r['object_id'])}`;
        if (!subIndex.has(k)) continue;
        const p = await payload(ctx, 'stripe_events', String(r['id']), r['payload_encrypted']);
        const object = (p['data'] as Row | undefined)?.['object'] as Row | undefined;
        const created = secs(r['created']);
        if (!object || created === null) continue;
        let l = events.get(k);
        if (!l) events.set(k, (l = []));
        l.push({ created, type: String(r['type']), object });
      }
    }
  }

  // assemble subscriptions
  const invoicesBySub = new Map<string, SubscriptionInvoice[]>();
  for (const inv of invoices) {
    if (!inv.subscriptionId) continue;
    const k = `${inv.connectionId}|${inv.subscriptionId}`;
    let l = invoicesBySub.get(k);
    if (!l) invoicesBySub.set(k, (l = []));
    l.push({ id: inv.id, status: inv.status, subtotal: inv.subtotal, lines: lines.get(`${inv.connectionId}|${inv.id}`) ?? [] });
  }
  const subscriptions: SubscriptionInput[] = [];
  const current = new Map<string, { status: string; priceIds: string[]; endedAt: number | null }>();
  for (const s of subRows) {
    const k = `${s.connectionId}|${s.id}`;
    const subInvoices = invoicesBySub.get(k) ?? [];
    const firstPaid = subInvoices
      .filter((i) => i.subtotal > 0)
      .map((i) => Math.min(...i.lines.map((l) => l.periodStart ?? Infinity)))
      .filter(Number.isFinite)
      .sort((a, b) => a - b)[0] ?? null;
    const ids = [...new Set([...s.discountIds, ...(invoiceDiscountIds.get(k) ?? [])])];
    const discounts: DiscountInput[] = ids.length === 0 ? [] : inferSubscriptionDiscounts(ids, observations.get(k) ?? [], [...(coupons.get(s.connectionId)?.values() ?? [])], { startDate: s.startDate, firstPaidPeriodStart: firstPaid });
    const built = buildSubscription(s, subInvoices, events.get(k) ?? [], {
      prices: prices.get(s.connectionId) ?? new Map(),
      discounts,
      warn: (m) => ctx.warnings.push(m),
    });
    current.set(`${s.accountId}/${s.id}`, { status: s.status, priceIds: s.items.map((i) => i.priceId).filter((x): x is string => x !== null), endedAt: s.endedAt });
    if (built) subscriptions.push(built);
  }

  // cash (balance transactions of charges, refunds and disputes) and the conversions behind the FX table
  const cash: CashRecord[] = [];
  const conversions: ConversionRow[] = [];
  // charge/refund/dispute → (currency, customer) in memory, then balance transactions page by page (no join: a
  // keyset page over a three-way join would re-sort the join for every page)
  const sources = new Map<string, { currency: string | null; customerId: string | null }>();
  const chargeFilter = scope ? sql`and connection_id = ${scope.connectionId} and customer_id = ${scope.customerId}` : sql``;
  for await (const rows of pages(tx, (after) => sql<Row>`select id, connection_id, currency, customer_id from stripe_charges where true ${chargeFilter}
      ${cursor(after)} order by connection_id, id limit ${PAGE}`)) {
    for (const r of rows) sources.set(`${String(r['connection_id'])}|${String(r['id'])}`, { currency: text(r['currency']), customerId: text(r['customer_id']) });
  }
  const chargeIds = scope ? [...sources.keys()].map((k) => k.split('|')[1] as string) : [];
  // Refunds and disputes name their charge, whose customer they take.
  const byCharge = scope ? sql`and connection_id = ${scope.connectionId} and charge_id = any(${chargeIds})` : sql``;
  for (const table of ['stripe_refunds', 'stripe_disputes'] as const) {
    for await (const rows of pages(tx, (after) => sql<Row>`select id, connection_id, currency, charge_id from ${sql.table(table)} where true ${byCharge}
        ${cursor(after)} order by connection_id, id limit ${PAGE}`)) {
      for (const r of rows) {
        const charge = sources.get(`${String(r['connection_id'])}|${String(r['charge_id'])}`);
        sources.set(`${String(r['connection_id'])}|${String(r['id'])}`, { currency: text(r['currency']), customerId: charge?.customerId ?? null });
      }
    }
  }
  const sourceIds = scope ? [...sources.keys()].map((k) => k.split('|')[1] as string) : [];
  const btFilter = scope ? sql`and connection_id = ${scope.connectionId} and source_id = any(${sourceIds})` : sql``;
  for await (const rows of pages(tx, (after) => sql<Row>`select id, connection_id, livemode, type, reporting_category, currency, amount, fee,
      exchange_rate::text as exchange_rate, created, source_id from stripe_balance_transactions where not deleted ${btFilter} ${cursor(after)} order by connection_id, id limit ${PAGE}`)) {
    for (const r of rows) {
      const accountId = accountOf(r['connection_id']);
      const created = secs(r['created']) ?? 0;
      const id = String(r['id']);
      const source = sources.get(`${String(r['connection_id'])}|${String(r['source_id'])}`);
      if (!scope) conversions.push({ id, currency: String(r['currency'] ?? ''), sourceCurrency: source?.currency ?? null, exchangeRate: text(r['exchange_rate']), created });
      const kind = cashKind(String(r['type'] ?? ''), text(r['reporting_category']));
      if (!kind) continue;
      const customerId = source?.customerId ?? null;
      const amount = int(r['amount']) ?? 0;
      cash.push({
        key: `${accountId}/${id}`, customerKey: customerId ? customerKey(accountId, customerId) : null, accountId, livemode: r['livemode'] === true, type: kind,
        // A dispute's withdrawal is negative in Stripe and its reversal positive: kept as what it took away.
        currency: String(r['currency'] ?? '').toUpperCase(), amount: kind === 'dispute' ? -amount : Math.abs(amount), fee: int(r['fee']) ?? 0, created,
      });
    }
  }

  return {
    customers,
    subscriptions,
    current,
    invoices: invoices.map(({ key, customerKey: ck, accountId, livemode, currency, amountDue, status, attemptCount, created, recoveredAt }) => ({ key, customerKey: ck, accountId, livemode, currency, amountDue, status, attemptCount, created, recoveredAt })),
    cash,
    conversions,
    plans,
    warnings: ctx.warnings,
  };
}
