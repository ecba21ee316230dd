// Child rows (subscription items, invoice lines) follow the parent state that was stored: a re-written
// parent's children are replaced, a page written twice leaves one set, and a stale event that the guard keeps
// from replacing its parent leaves the parent's children alone too. What is kept of an object: the encrypted
// payload only where Mowt reads one, the typed columns always, card-number-like strings in neither.
import { sql } from 'kysely';
import { PAN_BAIT } from '../../emulator/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_KINDS } from '../../test/helpers/databases.js';
import { withOrg } from '../db/tenant.js';
import type { StripeObject } from './client.js';
import { insertConnection } from './connections.js';
import { kindOf, OBJECT_KINDS } from './object-kinds.js';
import { CHILD_COLUMNS, upsertObjects, type WriteOptions } from './objects-repo.js';
import { REDACTED_PAN } from './sanitise.js';
import { stripeTestEnv, type StripeTestEnv } from './test-support.js';

const item = (id: string, quantity: number): Record<string, unknown> => ({
  id, object: 'subscription_item', created: 1_700_000_000, quantity, price: { id: 'price_basic', object: 'price' },
  current_period_start: 1_700_000_000, current_period_end: 1_702_592_000,
});
const subscription = (id: string, items: Record<string, unknown>[]): StripeObject => ({
  id, object: 'subscription', livemode: false, created: 1_700_000_000, status: 'active', customer: 'cus_1', currency: 'gbp',
  items: { object: 'list', data: items, has_more: false },
});

describe.each(DB_KINDS)('synced objects on %s', (kind) => {
  let env: StripeTestEnv;
  let connectionId: string;
  beforeEach(async () => {
    env = await stripeTestEnv(kind);
    connectionId = await withOrg(env.t.db, env.orgId, (tx) => insertConnection(tx, {
      orgId: env.orgId, kind: 'restricted_key', stripeAccountId: 'acct_childRows0001', livemode: false, accountCreated: null, label: 'children',
      tokenMasked: 'rk_test_…0000', createdBy: null, now: new Date(),
    }));
  });
  afterEach(async () => {
    await env.dispose();
  });

  const write = (objects: StripeObject[], opts: WriteOptions = {}) => withOrg(env.t.db, env.orgId, (tx) =>
    upsertObjects({ tx, crypto: env.deps.crypto, orgId: env.orgId, connectionId, now: new Date() }, kindOf('subscriptions'), objects, opts));
  const items = () => withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('stripe_subscription_items').select(['subscription_id', 'id', 'quantity'])
    .where('connection_id', '=', connectionId).orderBy('id').execute());

  it('replaces the items of a re-written subscription and keeps one set when a page is written twice', async () => {
    await write([subscription('sub_a', [item('si_a1', 1), item('si_a2', 2)]), subscription('sub_b', [item('si_b1', 1)])]);
    // The same page again (a resumed backfill re-reads its last page): nothing doubles.
    await write([subscription('sub_a', [item('si_a1', 1), item('si_a2', 2)]), subscription('sub_b', [item('si_b1', 1)])]);
    expect(await items()).toEqual([
      { subscription_id: 'sub_a', id: 'si_a1', quantity: 1 }, { subscription_id: 'sub_a', id: 'si_a2', quantity: 2 },
      { subscription_id: 'sub_b', id: 'si_b1', quantity: 1 },
    ]);
    const [first] = await withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('stripe_subscription_items').select(['created', 'current_period_end'])
      .where('id', '=', 'si_a1').execute());
    expect([first?.created?.getTime(), first?.current_period_end?.getTime()]).toEqual([1_700_000_000_000, 1_702_592_000_000]);
    // sub_a loses an item and changes the other; a new sub_c arrives in the same write; sub_b is untouched.
    await write([subscription('sub_a', [item('si_a1', 5)]), subscription('sub_c', [item('si_c1', 3)])]);
    expect(await items()).toEqual([
      { subscription_id: 'sub_a', id: 'si_a1', quantity: 5 }, { subscription_id: 'sub_b', id: 'si_b1', quantity: 1 },
      { subscription_id: 'sub_c', id: 'si_c1', quantity: 3 },
    ]);
  });

  it('sends child rows with the column types the tables have', async () => {
    const names: Record<string, string> = { 'timestamp with time zone': 'timestamptz' };
    for (const [table, columns] of Object.entries(CHILD_COLUMNS)) {
      const { rows } = await sql<{ column_name: string; data_type: string }>`select column_name, data_type from information_schema.columns
        where table_name = ${table} and column_name not in ('org_id', 'connection_id') order by ordinal_position`.execute(env.t.db.owner);
      expect(rows.map((r) => [r.column_name, names[r.data_type] ?? r.data_type]), table).toEqual(columns);
    }
  });

  it('declares as timestamps (sent as unix seconds) exactly the timestamp columns each table has', async () => {
    for (const k of OBJECT_KINDS) {
      const { rows } = await sql<{ column_name: string }>`select column_name from information_schema.columns
        where table_name = ${k.table} and data_type = 'timestamp with time zone' and column_name not in ('created', 'synced_at') order by column_name`.execute(env.t.db.owner);
      expect(rows.map((r) => r.column_name), k.table).toEqual([...k.timestampColumns].sort());
    }
  });

  it('leaves the items of a newer stored state when an older event arrives late', async () => {
    await write([subscription('sub_a', [item('si_new', 4)])], { eventCreated: 200, receivedVia: 'webhook' });
    await write([subscription('sub_a', [item('si_old', 1)])], { eventCreated: 100, receivedVia: 'webhook' });
    expect(await items()).toEqual([{ subscription_id: 'sub_a', id: 'si_new', quantity: 4 }]);
    // A newer event replaces them.
    await write([subscription('sub_a', [item('si_newer', 6)])], { eventCreated: 300, receivedVia: 'webhook' });
    expect(await items()).toEqual([{ subscription_id: 'sub_a', id: 'si_newer', quantity: 6 }]);
  });

  const writeKind = (type: Parameters<typeof kindOf>[0], objects: StripeObject[]) => withOrg(env.t.db, env.orgId, (tx) =>
    upsertObjects({ tx, crypto: env.deps.crypto, orgId: env.orgId, connectionId, now: new Date() }, kindOf(type), objects));
  const stored = async (table: 'stripe_charges' | 'stripe_products' | 'stripe_events' | 'stripe_customers' | 'stripe_invoices' | 'stripe_invoice_lines') =>
    withOrg(env.t.db, env.orgId, async (tx) => (await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by id`.execute(tx)).rows);
  const bait = PAN_BAIT[0] ?? '';

  it('keeps only the columns of a charge: no billing details, receipt email or card beyond brand, country and last4', async () => {
    await writeKind('charges', [{
      id: 'ch_1', object: 'charge', livemode: false, created: 1_700_000_000, amount: 1200, currency: 'gbp', status: 'failed', paid: false,
      customer: 'cus_1', failure_code: 'card_declined', receipt_email: 'ada@example.com',
      billing_details: { name: 'Ada Lovelace', email: 'ada@example.com', address: { line1: '12 St James Square' } },
      payment_method_details: { type: 'card', card: { brand: 'visa', country: 'GB', last4: '4242', number: bait } },
    }]);
    const [charge] = await stored('stripe_charges');
    expect(Number(charge?.['amount'])).toBe(1200);
    // Timestamps are sent as unix seconds and stored as the same instant.
    expect(new Date(charge?.['created'] as Date).getTime()).toBe(1_700_000_000_000);
    expect(charge).toMatchObject({ id: 'ch_1', payload_encrypted: null, currency: 'gbp', status: 'failed', customer_id: 'cus_1',
      failure_code: 'card_declined', card_brand: 'visa', card_country: 'GB', card_last4: '4242' });
    expect(JSON.stringify(charge)).not.toMatch(/Ada|example\.com|James/);
  });

  it('scans the columns it keeps without a payload for card numbers too', async () => {
    await writeKind('products', [{ id: 'prod_1', object: 'product', livemode: false, created: 1_700_000_000, active: true, name: `Gold ${bait}`,
      metadata: { owner: 'ada@example.com' } }]);
    const [product] = await stored('stripe_products');
    expect(product).toMatchObject({ id: 'prod_1', payload_encrypted: null, name: `Gold ${REDACTED_PAN}`, active: true });
  });

  it('keeps the payload of subscription events, which the metrics engine replays, and of customers, but not of other events', async () => {
    const event = (id: string, type: string, object: Record<string, unknown>): StripeObject =>
      ({ id, object: 'event', livemode: false, created: 1_700_000_000, type, data: { object } });
    await writeKind('events', [
      event('evt_1', 'customer.subscription.updated', subscription('sub_a', [item('si_a1', 2)])),
      event('evt_2', 'customer.updated', { id: 'cus_1', object: 'customer', email: 'ada@example.com', name: 'Ada Lovelace' }),
      event('evt_3', 'charge.failed', { id: 'ch_1', object: 'charge', billing_details: { name: 'Ada Lovelace' } }),
    ]);
    await writeKind('customers', [{ id: 'cus_1', object: 'customer', livemode: false, created: 1_700_000_000, email: 'ada@example.com', name: 'Ada Lovelace' }]);
    const events = await stored('stripe_events');
    expect(events.map((e) => [e['id'], e['type'], e['object_id'], e['payload_encrypted'] === null])).toEqual([
      ['evt_1', 'customer.subscription.updated', 'sub_a', false], ['evt_2', 'customer.updated', 'cus_1', true], ['evt_3', 'charge.failed', 'ch_1', true],
    ]);
    const open = (table: string, id: string, v: unknown) => withOrg(env.t.db, env.orgId, async (tx) =>
      JSON.parse(await env.deps.crypto.decryptField(env.orgId, { table, column: 'payload_encrypted', rowId: id }, String(v), tx)) as Record<string, unknown>);
    expect(((await open('stripe_events', 'evt_1', events[0]?.['payload_encrypted']))['data'] as { object: { id: string } }).object.id).toBe('sub_a');
    const [customer] = await stored('stripe_customers');
    expect(await open('stripe_customers', 'cus_1', customer?.['payload_encrypted'])).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' });
  });

  it('keeps an invoice’s lines once, as their rows, and of its payload only what Mowt reads', async () => {
    const line = { id: 'il_1', object: 'line_item', amount: 1200, currency: 'gbp', quantity: 1, description: '1 × Pro (at £12.00 / month)',
      period: { start: 1_700_000_000, end: 1_702_592_000 }, pricing: { price_details: { price: 'price_pro' } },
      parent: { subscription_item_details: { subscription: 'sub_a', subscription_item: 'si_a1', proration: false } } };
    await writeKind('invoices', [{ id: 'in_1', object: 'invoice', livemode: false, created: 1_700_000_000, customer: 'cus_1', status: 'paid',
      currency: 'gbp', subtotal: 1200, total: 1200, number: 'MOWT-0001', lines: { object: 'list', data: [line], has_more: false } }]);
    const lines = await stored('stripe_invoice_lines');
    expect(lines).toMatchObject([{ id: 'il_1', invoice_id: 'in_1', subscription_id: 'sub_a', subscription_item_id: 'si_a1', price_id: 'price_pro', proration: false }]);
    expect(Number(lines[0]?.['amount'])).toBe(1200);
    const [invoice] = await stored('stripe_invoices');
    const payload = await withOrg(env.t.db, env.orgId, async (tx) => JSON.parse(await env.deps.crypto.decryptField(env.orgId,
      { table: 'stripe_invoices', column: 'payload_encrypted', rowId: 'in_1' }, String(invoice?.['payload_encrypted']), tx)) as Record<string, unknown>);
    // The payload holds only what Mowt reads of it; amounts and references are the row's columns.
    expect(payload).toEqual({ id: 'in_1', object: 'invoice', number: 'MOWT-0001' });
    expect(invoice).toMatchObject({ customer_id: 'cus_1', status: 'paid', currency: 'gbp' });
    expect(Number(invoice?.['total'])).toBe(1200);
  });
});
