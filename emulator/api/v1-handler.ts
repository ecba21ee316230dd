// GET handlers for /v1: account, lists with Stripe's cursor pagination, and retrieve; expand on both.
import type { StripeObject } from '../generator/types.js';
import { errors } from '../http/errors.js';
import { listParam, stringParam } from '../http/params.js';
import type { Params } from '../http/params.js';
import type { AccountStore } from '../store/account-store.js';
import type { Accounts } from '../store/accounts.js';
import { INCLUDABLE, includableFields, withoutIncludable } from '../generator/includable.js';
import { applyExpand } from './expand.js';
import { RESOURCE_BY_PATH } from './resources.js';
import type { ResourceDef } from './resources.js';

export function parseLimit(params: Params): number {
  const raw = params['limit'];
  if (raw === undefined) return 10;
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw)) throw errors.invalidParam('limit', `Invalid integer: ${String(raw)}`);
  const limit = Number(raw);
  if (limit < 1 || limit > 100) throw errors.invalidParam('limit', 'This value must be greater than or equal to 1 and less than or equal to 100.');
  return limit;
}

function paginateArray(objects: StripeObject[], def: ResourceDef, params: Params, limit: number): { data: StripeObject[]; hasMore: boolean } {
  const filters = def.filters(params);
  const sorted = objects
    .filter((o) => !filters.match || filters.match(o))
    .filter((o) => {
      const c = Number(o['created']);
      const r = filters.created;
      return !r || ((r.gt === undefined || c > r.gt) && (r.gte === undefined || c >= r.gte) && (r.lt === undefined || c < r.lt) && (r.lte === undefined || c <= r.lte));
    })
    .sort((a, b) => Number(b['created']) - Number(a['created']) || String(b['id']).localeCompare(String(a['id'])));
  const after = stringParam(params, 'starting_after');
  const before = stringParam(params, 'ending_before');
  if (after !== undefined) {
    const at = sorted.findIndex((o) => o['id'] === after);
    if (at < 0) throw errors.missingCursor(def.objectName, after, 'starting_after');
    const rest = sorted.slice(at + 1);
    return { data: rest.slice(0, limit), hasMore: rest.length > limit };
  }
  if (before !== undefined) {
    const at = sorted.findIndex((o) => o['id'] === before);
    if (at < 0) throw errors.missingCursor(def.objectName, before, 'ending_before');
    const head = sorted.slice(0, at);
    return { data: head.slice(Math.max(0, head.length - limit)), hasMore: head.length > limit };
  }
  return { data: sorted.slice(0, limit), hasMore: sorted.length > limit };
}

export function handleV1Get(segments: readonly string[], params: Params, store: AccountStore, accounts: Accounts): StripeObject {
  const expand = listParam(params, 'expand') ?? [];
  // An expanded reference is an embedded copy: no includable fields, as in Stripe.
  const resolve = (id: string): StripeObject | undefined => {
    const o = store.resolve(id);
    return o && withoutIncludable(o);
  };
  const [resource, id, extra] = segments;
  if (resource === 'account' && id === undefined) return applyExpand(accounts.account(store.accountId), expand, resolve);
  if (resource === 'accounts' && id !== undefined && extra === undefined) {
    if (id !== store.accountId && !(store.accountId === accounts.mainId && accounts.exists(id))) throw errors.missing('account', id);
    return applyExpand(accounts.account(id), expand, resolve);
  }
  const def = resource === undefined ? undefined : RESOURCE_BY_PATH.get(resource);
  if (!def || extra !== undefined) throw errors.unknownRoute('GET', `/v1/${segments.join('/')}`);
  if (id !== undefined) {
    const object = store.retrieve(def.kind, id);
    if (!object) throw errors.missing(def.objectName, id);
    const { include, rest } = splitIncludes(expand, includableFields(object), '');
    return applyExpand(withoutIncludable(object, include), rest, resolve);
  }
  const limit = parseLimit(params);
  let page: { data: StripeObject[]; hasMore: boolean };
  let rest = expand;
  if (def.kind === 'product' || def.kind === 'price' || def.kind === 'coupon') {
    page = paginateArray(store.catalog(def.kind), def, params, limit);
    const split = splitIncludes(expand, INCLUDABLE[def.objectName] ?? [], 'data.');
    rest = split.rest;
    page = { ...page, data: page.data.map((o) => withoutIncludable(o, split.include)) };
  } else {
    const outcome = store.list(def.kind, {
      ...def.filters(params), limit, startingAfter: stringParam(params, 'starting_after'), endingBefore: stringParam(params, 'ending_before'),
    });
    if (!outcome.ok) throw errors.missingCursor(def.objectName, outcome.id, outcome.param);
    page = outcome;
  }
  const list: StripeObject = { object: 'list', data: page.data, has_more: page.hasMore, url: `/v1/${def.path}` };
  return applyExpand(list, rest, resolve);
}

/**
 * Separates the includable fields asked for (`tiers` on a retrieve, `data.tiers` on a list) from the
 * expansions of references; anything else naming an includable field is left to applyExpand to reject.
 */
function splitIncludes(expand: readonly string[], fields: readonly string[], prefix: string): { include: Set<string>; rest: string[] } {
  const include = new Set<string>();
  const rest: string[] = [];
  for (const path of expand) {
    const field = path.startsWith(prefix) ? path.slice(prefix.length) : null;
    if (field !== null && fields.includes(field)) include.add(field);
    else rest.push(path);
  }
  return { include, rest };
}
