// The read-only v1 resources the emulator serves: path, object name and the list filters Stripe accepts.
import type { HistoryKind } from '../generator/business.js';
import type { StripeObject } from '../generator/types.js';
import { errors } from '../http/errors.js';
import { listParam, stringParam } from '../http/params.js';
import type { Params } from '../http/params.js';
import type { CatalogKind, CreatedRange, ListQuery } from '../store/account-store.js';

export interface ResourceDef {
  path: string;
  kind: HistoryKind | CatalogKind;
  objectName: string;
  /** Turns query parameters into store filters; throws ApiError on invalid ones. */
  filters: (params: Params) => Omit<ListQuery, 'limit' | 'startingAfter' | 'endingBefore'>;
}

const COMMON = new Set(['limit', 'starting_after', 'ending_before', 'expand', 'created']);

function onlyKnown(params: Params, allowed: readonly string[]): void {
  for (const name of Object.keys(params)) if (!COMMON.has(name) && !allowed.includes(name)) throw errors.unknownParam(name);
}

export function createdRange(params: Params, name = 'created'): CreatedRange | undefined {
  const raw = params[name];
  if (raw === undefined) return undefined;
  const toInt = (v: unknown, param: string): number => {
    if (typeof v !== 'string' || !/^\d+$/.test(v)) throw errors.invalidParam(param, `Invalid integer: ${String(v)}`);
    return Number(v);
  };
  if (typeof raw === 'string') {
    const at = toInt(raw, name);
    return { gte: at, lte: at };
  }
  if (Array.isArray(raw)) throw errors.badRequest(`Invalid ${name} parameter`, name);
  const out: CreatedRange = {};
  for (const [op, v] of Object.entries(raw)) {
    if (op !== 'gt' && op !== 'gte' && op !== 'lt' && op !== 'lte') throw errors.unknownParam(`${name}[${op}]`);
    out[op] = toInt(v, `${name}[${op}]`);
  }
  return out;
}

const field = (name: string, value: string | undefined) => (o: StripeObject): boolean => value === undefined || o[name] === value;
const all = (...tests: Array<(o: StripeObject) => boolean>) => (o: StripeObject): boolean => tests.every((t) => t(o));

function booleanParam(params: Params, name: string): boolean | undefined {
  const v = stringParam(params, name);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw errors.badRequest(`Invalid boolean: ${v}`, name);
  return v === 'true';
}

const SUB_STATUSES = ['active', 'all', 'canceled', 'ended', 'incomplete', 'incomplete_expired', 'past_due', 'paused', 'trialing', 'unpaid'];

export const RESOURCES: readonly ResourceDef[] = [
  {
    path: 'customers', kind: 'customer', objectName: 'customer',
    filters: (p) => { onlyKnown(p, ['email']); return { created: createdRange(p), match: field('email', stringParam(p, 'email')) }; },
  },
  {
    path: 'products', kind: 'product', objectName: 'product',
    filters: (p) => {
      onlyKnown(p, ['active', 'ids']);
      const active = booleanParam(p, 'active');
      const ids = listParam(p, 'ids');
      return { created: createdRange(p), match: (o) => (active === undefined || o['active'] === active) && (!ids || ids.includes(String(o['id']))) };
    },
  },
  {
    path: 'prices', kind: 'price', objectName: 'price',
    filters: (p) => {
      onlyKnown(p, ['active', 'currency', 'product', 'type', 'lookup_keys', 'recurring']);
      const active = booleanParam(p, 'active');
      const lookup = listParam(p, 'lookup_keys');
      return {
        created: createdRange(p),
        match: all(field('currency', stringParam(p, 'currency')), field('product', stringParam(p, 'product')), field('type', stringParam(p, 'type')),
          (o) => (active === undefined || o['active'] === active) && (!lookup || lookup.includes(String(o['lookup_key'])))),
      };
    },
  },
  { path: 'coupons', kind: 'coupon', objectName: 'coupon', filters: (p) => { onlyKnown(p, []); return { created: createdRange(p) }; } },
  {
    path: 'subscriptions', kind: 'subscription', objectName: 'subscription',
    filters: (p) => {
      onlyKnown(p, ['customer', 'price', 'status', 'collection_method', 'current_period_end', 'current_period_start', 'test_clock']);
      const status = stringParam(p, 'status');
      if (status !== undefined && !SUB_STATUSES.includes(status)) throw errors.badRequest(`Invalid status: must be one of ${SUB_STATUSES.join(', ')}`, 'status');
      const price = stringParam(p, 'price');
      const matchStatus = (o: StripeObject): boolean => {
        const s = String(o['status']);
        if (status === undefined) return s !== 'canceled' && s !== 'incomplete_expired'; // Stripe's default hides ended ones
        if (status === 'all') return true;
        if (status === 'ended') return s === 'canceled' || s === 'incomplete_expired';
        return s === status;
      };
      const matchPrice = (o: StripeObject): boolean => {
        if (price === undefined) return true;
        const items = (o['items'] as { data?: Array<{ price?: { id?: string } }> } | undefined)?.data ?? [];
        return items.some((i) => i.price?.id === price);
      };
      return { created: createdRange(p), customer: stringParam(p, 'customer'), match: all(matchStatus, matchPrice) };
    },
  },
  {
    path: 'invoices', kind: 'invoice', objectName: 'invoice',
    filters: (p) => {
      onlyKnown(p, ['customer', 'status', 'subscription', 'collection_method', 'due_date']);
      const subscription = stringParam(p, 'subscription');
      const matchSub = (o: StripeObject): boolean => subscription === undefined ||
        (o['parent'] as { subscription_details?: { subscription?: string } } | null)?.subscription_details?.subscription === subscription;
      return { created: createdRange(p), customer: stringParam(p, 'customer'), match: all(field('status', stringParam(p, 'status')), matchSub) };
    },
  },
  {
    path: 'charges', kind: 'charge', objectName: 'charge',
    filters: (p) => { onlyKnown(p, ['customer', 'payment_intent', 'transfer_group']); return { created: createdRange(p), customer: stringParam(p, 'customer') }; },
  },
  {
    path: 'refunds', kind: 'refund', objectName: 'refund',
    filters: (p) => { onlyKnown(p, ['charge', 'payment_intent']); return { created: createdRange(p), match: field('charge', stringParam(p, 'charge')) }; },
  },
  {
    path: 'disputes', kind: 'dispute', objectName: 'dispute',
    filters: (p) => { onlyKnown(p, ['charge', 'payment_intent']); return { created: createdRange(p), match: field('charge', stringParam(p, 'charge')) }; },
  },
  {
    path: 'balance_transactions', kind: 'balance_transaction', objectName: 'balance_transaction',
    filters: (p) => {
      onlyKnown(p, ['currency', 'payout', 'source', 'type']);
      return { created: createdRange(p), match: all(field('currency', stringParam(p, 'currency')), field('source', stringParam(p, 'source')), field('type', stringParam(p, 'type'))) };
    },
  },
  {
    path: 'events', kind: 'event', objectName: 'event',
    filters: (p) => {
      onlyKnown(p, ['type', 'types', 'delivery_success']);
      const type = stringParam(p, 'type');
      const types = listParam(p, 'types');
      if (type !== undefined && types !== undefined) throw errors.badRequest('You may only specify one of these parameters: type, types.', 'types');
      return { created: createdRange(p), eventTypes: types ?? (type === undefined ? undefined : [type]) };
    },
  },
];

export const RESOURCE_BY_PATH = new Map(RESOURCES.map((r) => [r.path, r]));
