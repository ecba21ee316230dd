// Fidelity: every kind of emulator response must validate against JSON Schemas generated from the
// installed Stripe SDK's own TypeScript types (additional properties forbidden).
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStripeSchemas } from './fidelity/generate-schemas.js';
import type { SchemaType } from './fidelity/generate-schemas.js';
import { startEmulator } from './index.js';
import type { RunningEmulator } from './index.js';

let emulator: RunningEmulator;
let stripe: Stripe;
const validators = new Map<SchemaType, ValidateFunction>();
const eventValidators = new Map<string, ValidateFunction>();
let eventSchema: Record<string, unknown>;
let ajv: Ajv;

/** `charge.dispute.created` → the SDK's `ChargeDisputeCreatedEvent`, so errors name the right variant. */
function eventValidator(type: string): ValidateFunction {
  let validate = eventValidators.get(type);
  if (!validate) {
    const name = type.split(/[._]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') + 'Event';
    const definitions = eventSchema['definitions'] as Record<string, unknown>;
    if (!definitions[name]) throw new Error(`the SDK has no event type ${name}`);
    validate = ajv.compile({ definitions, $ref: `#/definitions/${name}` });
    eventValidators.set(type, validate);
  }
  return validate;
}

beforeAll(async () => {
  const schemas = generateStripeSchemas();
  ajv = new Ajv({ strict: false, allErrors: false });
  for (const [name, schema] of Object.entries(schemas)) validators.set(name as SchemaType, ajv.compile(schema));
  eventSchema = schemas.EmEvent;
  emulator = await startEmulator({ business: 'small', seed: 11, rateLimitPerSecond: null, now: () => new Date('2026-06-01T12:00:00Z') });
  stripe = new Stripe('sk_test_fidelity00000000', { host: '127.0.0.1', port: emulator.port, protocol: 'http', maxNetworkRetries: 0 });
}, 120_000);

afterAll(async () => {
  await emulator.close();
});

function expectValid(type: SchemaType, objects: readonly unknown[]): void {
  expect(objects.length).toBeGreaterThan(0);
  for (const object of objects) {
    // Compare what went over the wire (the SDK adds non-enumerable helpers to objects).
    const wire: unknown = JSON.parse(JSON.stringify(object));
    const validate = type === 'EmEvent' ? eventValidator(String((wire as { type: string }).type)) : validators.get(type);
    if (!validate) throw new Error(`no schema ${type}`);
    const ok = validate(wire);
    if (!ok) throw new Error(`${type} ${(wire as { id?: string }).id ?? ''} invalid: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  }
}

async function all<T>(list: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of list) out.push(item);
  return out;
}

describe('emulator responses match the Stripe SDK types', () => {
  it('account', async () => {
    expectValid('EmAccount', [await stripe.accounts.retrieveCurrent()]);
  });

  it('catalogue: products, prices, coupons', async () => {
    expectValid('EmProduct', await all(stripe.products.list({ limit: 100 })));
    expectValid('EmPrice', await all(stripe.prices.list({ limit: 100 })));
    expectValid('EmPrice', await all(stripe.prices.list({ limit: 100, expand: ['data.tiers', 'data.currency_options'] })));
    expectValid('EmCoupon', await all(stripe.coupons.list({ limit: 100 })));
    expectValid('EmCoupon', await all(stripe.coupons.list({ limit: 100, expand: ['data.currency_options'] })));
  });

  it('customers, subscriptions (every status), invoices', async () => {
    expectValid('EmCustomer', await all(stripe.customers.list({ limit: 100 })));
    const subs = await all(stripe.subscriptions.list({ status: 'all', limit: 100 }));
    expect(new Set(subs.map((s) => s.status))).toEqual(expect.objectContaining({ size: expect.any(Number) }));
    expectValid('EmSubscription', subs);
    expectValid('EmInvoice', await all(stripe.invoices.list({ limit: 100 })));
  });

  it('charges, refunds, disputes, balance transactions', async () => {
    expectValid('EmCharge', await all(stripe.charges.list({ limit: 100 })));
    const refunds = await all(stripe.refunds.list({ limit: 100 }));
    const disputes = await all(stripe.disputes.list({ limit: 100 }));
    // A small business may have none of these; the demo business is checked for them below.
    if (refunds.length > 0) expectValid('EmRefund', refunds);
    if (disputes.length > 0) expectValid('EmDispute', disputes);
    expectValid('EmBalanceTransaction', await all(stripe.balanceTransactions.list({ limit: 100 })));
  });

  it('events, and list envelopes', async () => {
    expectValid('EmEvent', await all(stripe.events.list({ limit: 100 })));
    const raw = await fetch(`${emulator.url}/v1/customers?limit=2`, { headers: { authorization: 'Bearer sk_test_fidelity00000000' } });
    const envelope = (await raw.json()) as Record<string, unknown>;
    expectValid('EmList', [{ ...envelope, data: [] }]);
  });

  it('expanded objects are still valid', async () => {
    const subs = await stripe.subscriptions.list({ limit: 5, status: 'all', expand: ['data.customer', 'data.latest_invoice'] });
    expectValid('EmSubscription', subs.data);
    expect(typeof subs.data[0]?.customer).toBe('object');
  });

  it('refunds and disputes of the demo business', async () => {
    const demo = await startEmulator({ business: 'demo', seed: 3, rateLimitPerSecond: null, now: () => new Date('2026-06-01T12:00:00Z') });
    try {
      const client = new Stripe('sk_test_fidelity00000000', { host: '127.0.0.1', port: demo.port, protocol: 'http', maxNetworkRetries: 0 });
      expectValid('EmRefund', (await client.refunds.list({ limit: 100 })).data);
      expectValid('EmDispute', (await client.disputes.list({ limit: 100 })).data);
    } finally {
      await demo.close();
    }
  });
});
