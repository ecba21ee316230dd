// Rebuilds a subscription's history as engine versions from what the sync stored (docs/stripe-sync.md,
// "Feeding the metrics engine"): invoice lines for the past (price, quantity and service period of each
// invoice), `customer.subscription.*` events' objects where Stripe still had them, and the current row last.
// Pure: no I/O. Rules, in order (a later source wins at the same instant):
//   1. each subscription invoice with recurring, non-proration lines is a version at its service period start
//      (trialing when it is the zero trial invoice; paused until the period end when the invoice was voided);
//   2. each subscription event whose object is plausibly a snapshot at the event time (it must not report an
//      `ended_at`/`canceled_at` later than the event) is a version at the event's `created`;
//   3. the current row is a version at the latest of: the last applied event, the last invoice version, the
//      start; a cancellation is split into the request (`canceled_at`, still earning until the period end)
//      and the end (`ended_at`, status canceled).
import { forCurrency } from '../metrics/index.js';
import type { DiscountInput, PriceInput, SubscriptionInput, SubscriptionStatus, SubscriptionVersion } from '../metrics/index.js';

export interface SubscriptionRow {
  id: string;
  customerId: string;
  accountId: string;
  currency: string;
  livemode: boolean;
  status: SubscriptionStatus;
  startDate: number | null;
  created: number | null;
  trialStart: number | null;
  trialEnd: number | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: number | null;
  canceledAt: number | null;
  endedAt: number | null;
  pauseResumesAt: number | null;
  paused: boolean;
  /** `created` of the newest event applied to the row, or null (row from paging) */
  eventCreated: number | null;
  metadata: Record<string, string>;
  items: { priceId: string | null; quantity: number | null; currentPeriodEnd: number | null; price?: PriceInput | null }[];
  /** ids of the subscription's own discounts (Stripe `discounts`) */
  discountIds: string[];
}

export interface InvoiceLineRow {
  priceId: string | null;
  quantity: number | null;
  proration: boolean | null;
  periodStart: number | null;
  periodEnd: number | null;
}

export interface SubscriptionInvoice {
  id: string;
  status: string | null;
  subtotal: number;
  lines: InvoiceLineRow[];
}

export interface SubscriptionEvent {
  created: number;
  type: string;
  object: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

const STATUSES = new Set<SubscriptionStatus>(['incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'unpaid', 'canceled', 'paused']);
export function asStatus(v: unknown): SubscriptionStatus {
  return typeof v === 'string' && STATUSES.has(v as SubscriptionStatus) ? (v as SubscriptionStatus) : 'incomplete';
}

/** Price id of an item/line (`price` id or expanded object, or the legacy `plan`). */
const refId = (v: unknown): string | null => str(v) ?? str(obj(v)?.['id']);

export interface BuildContext {
  prices: ReadonlyMap<string, PriceInput>;
  /** the subscription's own discounts (already resolved to coupons) */
  discounts: DiscountInput[];
  warn(message: string): void;
}

function itemsFrom(
  entries: { priceId: string | null; quantity: number | null; price?: PriceInput | null }[],
  currency: string,
  ctx: BuildContext,
  subId: string,
): SubscriptionVersion['items'] {
  const out: SubscriptionVersion['items'] = [];
  for (const e of entries) {
    const price = (e.priceId ? ctx.prices.get(e.priceId) : undefined) ?? e.price ?? undefined;
    if (!price) {
      if (e.priceId) ctx.warn(`subscription ${subId}: price ${e.priceId} was not synced; its item is left out`);
      continue;
    }
    // A price in another currency is billed from its currency_options entry for the subscription's currency.
    if (price.currency.toUpperCase() !== currency.toUpperCase() && !forCurrency(price.currency_options, currency)) {
      ctx.warn(`subscription ${subId}: price ${price.id} is in ${price.currency}, the subscription in ${currency}; item left out`);
      continue;
    }
    out.push({ price, quantity: e.quantity ?? 1 });
  }
  return out;
}

/** A version from a Stripe subscription object (an event's data.object). */
function versionFromObject(o: Obj, validFrom: number, currency: string, ctx: BuildContext, subId: string): SubscriptionVersion {
  const items = ((obj(o['items'])?.['data'] ?? []) as Obj[]).map((it) => ({
    priceId: refId(it['price']) ?? refId(it['plan']),
    quantity: num(it['quantity']),
    price: null,
  }));
  const firstItem = ((obj(o['items'])?.['data'] ?? []) as Obj[])[0];
  const pause = obj(o['pause_collection']);
  const v: SubscriptionVersion = {
    validFrom,
    status: asStatus(o['status']),
    items: itemsFrom(items, currency, ctx, subId),
    discounts: ctx.discounts,
    trial_start: num(o['trial_start']),
    trial_end: num(o['trial_end']),
    cancel_at_period_end: o['cancel_at_period_end'] === true,
    cancel_at: num(o['cancel_at']),
    canceled_at: num(o['canceled_at']),
    ended_at: num(o['ended_at']),
    current_period_end: num(firstItem?.['current_period_end']) ?? num(o['current_period_end']),
    pause_collection: pause ? { behavior: str(pause['behavior']) ?? 'void', resumes_at: num(pause['resumes_at']) } : null,
  };
  return v;
}

export function buildSubscription(
  sub: SubscriptionRow,
  invoices: readonly SubscriptionInvoice[],
  events: readonly SubscriptionEvent[],
  ctx: BuildContext,
): SubscriptionInput | null {
  const versions = new Map<number, SubscriptionVersion>();
  const put = (v: SubscriptionVersion): void => void versions.set(v.validFrom, v);
  const start = sub.startDate ?? sub.created ?? null;

  // 1. invoices
  let lastInvoiceFrom: number | null = null;
  const invoiceVersions: SubscriptionVersion[] = [];
  for (const inv of invoices) {
    const lines = inv.lines.filter((l) => l.proration !== true && l.priceId && l.periodStart !== null && ctx.prices.get(l.priceId)?.recurring);
    if (lines.length === 0) continue;
    const ps = Math.min(...lines.map((l) => l.periodStart as number));
    const pe = Math.max(...lines.map((l) => l.periodEnd ?? ps));
    const trialInvoice = sub.trialEnd !== null && ps < sub.trialEnd && inv.subtotal === 0;
    const v: SubscriptionVersion = {
      validFrom: ps,
      status: trialInvoice ? 'trialing' : 'active',
      items: itemsFrom(lines.map((l) => ({ priceId: l.priceId, quantity: l.quantity })), sub.currency, ctx, sub.id),
      discounts: ctx.discounts,
      current_period_end: pe,
    };
    if (trialInvoice) {
      v.trial_start = sub.trialStart;
      v.trial_end = sub.trialEnd;
    }
    if (inv.status === 'void') v.pause_collection = { behavior: 'void', resumes_at: pe };
    invoiceVersions.push(v);
  }
  invoiceVersions.sort((a, b) => a.validFrom - b.validFrom);
  for (const v of invoiceVersions) {
    put(v);
    lastInvoiceFrom = v.validFrom;
  }

  // 2. events (snapshots at their time)
  for (const e of [...events].sort((a, b) => a.created - b.created)) {
    const o = e.object;
    const ended = num(o['ended_at']);
    const canceled = num(o['canceled_at']);
    if ((ended !== null && ended > e.created) || (canceled !== null && canceled > e.created)) continue;
    put(versionFromObject(o, e.created, sub.currency, ctx, sub.id));
  }

  // 3. the current row
  const current: Omit<SubscriptionVersion, 'validFrom'> = {
    status: sub.status,
    items: itemsFrom(sub.items, sub.currency, ctx, sub.id),
    discounts: ctx.discounts,
    trial_start: sub.trialStart,
    trial_end: sub.trialEnd,
    cancel_at_period_end: sub.cancelAtPeriodEnd,
    cancel_at: sub.cancelAt,
    canceled_at: sub.canceledAt,
    ended_at: sub.endedAt,
    current_period_end: sub.items[0]?.currentPeriodEnd ?? null,
    pause_collection: sub.paused ? { behavior: 'void', resumes_at: sub.pauseResumesAt } : null,
  };
  const latestKnown = Math.max(sub.eventCreated ?? -Infinity, lastInvoiceFrom ?? -Infinity, start ?? -Infinity);
  const scheduled = sub.cancelAtPeriodEnd || sub.cancelAt !== null;
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
    const end = sub.endedAt ?? sub.canceledAt ?? (Number.isFinite(latestKnown) ? latestKnown : null);
    if (end === null) return null;
    if (scheduled && sub.canceledAt !== null && sub.canceledAt < end) {
      // the cancellation request: still earning (Mowt default) until the period it paid for ends
      const before = [...versions.values()].filter((v) => v.validFrom <= sub.canceledAt!).sort((a, b) => b.validFrom - a.validFrom)[0];
      const base = before ?? { ...current, validFrom: sub.canceledAt, status: 'active' as const };
      put({
        ...base,
        validFrom: sub.canceledAt,
        status: base.status === 'canceled' ? 'active' : base.status,
        cancel_at_period_end: sub.cancelAtPeriodEnd,
        cancel_at: sub.cancelAt ?? end,
        canceled_at: sub.canceledAt,
        current_period_end: end,
      });
    }
    // nothing after the end is known to differ: drop later versions (a snapshot would not say otherwise)
    for (const t of [...versions.keys()]) if (t > end) versions.delete(t);
    put({ ...current, validFrom: end, status: sub.status });
  } else {
    let from = Number.isFinite(latestKnown) ? latestKnown : null;
    if (from === null) return null;
    if (scheduled && sub.canceledAt !== null && sub.canceledAt > from) from = sub.canceledAt;
    put({ ...current, validFrom: from });
  }
  const out = [...versions.values()].sort((a, b) => a.validFrom - b.validFrom);
  if (out.length === 0) return null;
  return { id: sub.id, customerId: sub.customerId, accountId: sub.accountId, currency: sub.currency.toUpperCase(), livemode: sub.livemode, metadata: sub.metadata, versions: out };
}

/** Subscription discount ids and item prices from a decrypted subscription payload. */
export function subscriptionPayloadParts(payload: Obj): { discountIds: string[]; metadata: Record<string, string>; itemPrices: Map<string, Obj> } {
  const discountIds = (Array.isArray(payload['discounts']) ? payload['discounts'] : []).map((d) => refId(d)).filter((d): d is string => d !== null);
  const single = refId(payload['discount']);
  if (single && !discountIds.includes(single)) discountIds.push(single);
  const itemPrices = new Map<string, Obj>();
  for (const it of (obj(payload['items'])?.['data'] ?? []) as Obj[]) {
    const price = obj(it['price']);
    if (price && typeof price['id'] === 'string') itemPrices.set(price['id'], price);
  }
  return { discountIds, metadata: stringRecord(payload['metadata']), itemPrices };
}

export function stringRecord(v: unknown): Record<string, string> {
  const o = obj(v);
  if (!o) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) if (typeof val === 'string') out[k] = val;
  return out;
}
