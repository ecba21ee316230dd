// Applies one Stripe event (from a webhook or the Events API), assuming nothing about order:
//   - an event already stored (by id) is a duplicate and changes nothing;
//   - an event older than what the row already reflects is stale: stored for history, not applied;
//   - when the row's age is unknown (it came from paging) or ties the event's second, the object is
//     re-fetched, so the row ends at Stripe's current state whatever order deliveries came in.
import { withOrg } from '../db/tenant.js';
import type { ListType, StripeObject, StripeReader } from './client.js';
import { KIND_BY_OBJECT_NAME, kindOf, type ObjectKind } from './object-kinds.js';
import { eventCreatedOf, upsertObjects } from './objects-repo.js';
import type { StripeDeps } from './stripe-deps.js';

export const APPLY_OUTCOMES = ['duplicate', 'applied', 'refetched', 'stale', 'stored'] as const;
export type ApplyOutcome = (typeof APPLY_OUTCOMES)[number];

const DELETED_SUFFIX = '.deleted';
// Objects whose `.deleted` event means the object itself is gone (a deleted subscription is just canceled).
const DELETABLE = new Set(['customer', 'product', 'price', 'plan', 'coupon', 'invoice']);
// An event's object lacks Stripe's includable fields (a price's tiers and currency_options, a plan's tiers,
// a coupon's currency_options), so storing it as is would wipe them: these are always re-fetched.
const WITHOUT_INCLUDABLE = new Set(['price', 'plan', 'coupon']);

async function refetch(reader: StripeReader, kind: ObjectKind, object: StripeObject): Promise<StripeObject | null> {
  // A plan is the legacy view of the price with the same id, so it is re-fetched as that price.
  if (kind.type === 'events') return null;
  try {
    return await reader.retrieve(kind.type as ListType, object.id);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw error;
  }
}

export async function applyEvent(
  deps: StripeDeps, orgId: string, connectionId: string, event: StripeObject, via: 'poll' | 'webhook', reader: StripeReader,
): Promise<ApplyOutcome> {
  const eventsKind = kindOf('events');
  const created = typeof event['created'] === 'number' ? event['created'] : 0;
  const type = String(event['type'] ?? '');
  const object = (event['data'] as { object?: StripeObject } | undefined)?.object;
  const objectName = typeof object?.['object'] === 'string' ? object['object'] : '';
  const kind = object ? KIND_BY_OBJECT_NAME.get(objectName) : undefined;

  const decision = await withOrg(deps.db, orgId, async (tx) => {
    if ((await eventCreatedOf(tx, eventsKind, connectionId, event.id)).exists) return 'duplicate' as const;
    if (!kind || !object) return 'store-only' as const;
    const row = await eventCreatedOf(tx, kind, connectionId, object.id);
    if (row.eventCreated !== null && row.eventCreated > created) return 'stale' as const;
    if (row.exists && (row.eventCreated === null || row.eventCreated === created)) return 'refetch' as const;
    return 'apply' as const;
  });
  if (decision === 'duplicate') return 'duplicate';

  let state: StripeObject | null = null;
  const deleted = type.endsWith(DELETED_SUFFIX) && DELETABLE.has(objectName);
  const mustRefetch = decision === 'refetch' || (decision === 'apply' && !deleted && WITHOUT_INCLUDABLE.has(objectName));
  if (kind && object && (decision === 'apply' || decision === 'refetch')) {
    state = mustRefetch ? await refetch(reader, kind, object) : null;
    if (!state) state = deleted ? { ...object, deleted: true } : object;
  }
  await withOrg(deps.db, orgId, async (tx) => {
    const ctx = { tx, crypto: deps.crypto, orgId, connectionId, now: deps.clock() };
    await upsertObjects(ctx, eventsKind, [event], { receivedVia: via });
    if (kind && state) await upsertObjects(ctx, kind, [state], { eventCreated: created });
  });
  if (state) deps.onChange?.({ kind: 'object', orgId, connectionId, objectName, object: state });
  if (decision === 'stale') return 'stale';
  if (decision === 'store-only') return 'stored';
  return mustRefetch ? 'refetched' : 'applied';
}
