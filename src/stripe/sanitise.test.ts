import { describe, expect, it } from 'vitest';
import { PAN_BAIT } from '../../emulator/index.js';
import type { StripeObject } from './client.js';
import { kindOf } from './object-kinds.js';
import { luhnValid, redactColumns, redactPans, REDACTED_PAN, sanitiseObject, sanitiseToJson } from './sanitise.js';

const bait = PAN_BAIT[0] ?? '';
const spaced = bait.replace(/(\d{4})(?=\d)/g, '$1 ');

const customer = (extra: Record<string, unknown>): StripeObject => ({
  id: 'cus_1', object: 'customer', created: 1_700_000_000, email: 'a@example.com', metadata: { plan: 'pro' },
  default_source: { id: 'card_1', object: 'card', number: bait, brand: 'visa', country: 'GB', last4: '4242' }, ...extra,
});

describe('sanitiseToJson', () => {
  it('serialises once to exactly what redaction and JSON.stringify give, for clean and bait-carrying objects', () => {
    const cases: StripeObject[] = [
      customer({}),
      customer({ description: `card ${bait} on file` }),
      customer({ metadata: { note: `pan ${spaced}`, [bait]: 'as a key' } }),
      { id: 'ch_1', object: 'charge', amount: 1200, description: `ref ${bait}`, payment_method_details: { type: 'card', card: { number: bait, last4: '1111' } } },
      { id: 'evt_1', object: 'event', created: 1, data: { object: customer({ name: `x-${bait}` }) } },
      { id: 'txn_1', object: 'balance_transaction', amount: 10, exchange_rate: 1.092384728374952 },
      // Runs glued to other digits or separators: the candidate test starts only where a digit run starts.
      customer({ description: `ts 1764115200-${bait}`, metadata: { a: `7 ${spaced}`, b: `12${bait.slice(0, 11)}` } }),
    ];
    for (const object of cases) {
      const json = sanitiseToJson(object);
      expect(json).toBe(JSON.stringify(sanitiseObject(object)));
      expect(json).not.toContain(bait);
      expect(json).not.toContain(spaced);
    }
  });

  it('keeps of an invoice only the fields Mowt reads: not the customer details it repeats, its payment links, its lines or the rest', () => {
    const invoice: StripeObject = {
      id: 'in_1', object: 'invoice', customer: 'cus_1', customer_email: 'a@example.com', customer_name: 'Ada', customer_phone: '+44 20 7946 0958',
      customer_address: { line1: '12 St James Square' }, customer_shipping: null, customer_tax_ids: [], total: 1200, number: 'MOWT-0001',
      hosted_invoice_url: 'https://invoice.stripe.com/i/acct_1/secret', invoice_pdf: 'https://pay.stripe.com/invoice/acct_1/secret/pdf',
      lines: { object: 'list', data: [{ id: 'il_1', object: 'line_item', amount: 1200, description: '1 × Pro (at £12.00 / month)' }], has_more: false },
      status_transitions: { finalized_at: 1_700_000_000, paid_at: 1_700_086_400, marked_uncollectible_at: null, voided_at: null },
      discounts: ['di_1'], total_discount_amounts: [{ amount: 300, discount: 'di_1' }],
      payment_settings: { payment_method_types: ['card'] }, footer: 'Thank you, Ada', metadata: { crm: 'acme-42' },
    };
    const json = sanitiseToJson(invoice);
    expect(JSON.parse(json)).toEqual({
      id: 'in_1', object: 'invoice', number: 'MOWT-0001', discounts: ['di_1'], total_discount_amounts: [{ amount: 300, discount: 'di_1' }],
      status_transitions: { finalized_at: 1_700_000_000, paid_at: 1_700_086_400, marked_uncollectible_at: null, voided_at: null },
    });
    expect(json).not.toMatch(/example\.com|Ada|James|secret|il_1|Pro|acme|payment_method_types/);
    expect(invoice['hosted_invoice_url']).toBeDefined(); // the SDK's object is not changed
    expect(invoice['lines']).toBeDefined(); // and still gives the lines their rows
    // A card number in a kept field is redacted like anywhere else.
    expect(sanitiseToJson({ ...invoice, number: `INV-${bait}` })).toContain(`INV-${REDACTED_PAN}`);
  });

  it('redacts card-number-like runs in strings and keys, but leaves numbers and short digit runs alone', () => {
    const json = sanitiseToJson(customer({ description: `card ${bait}`, metadata: { [bait]: 'k', order: '1234567890' } }));
    const parsed = JSON.parse(json) as { description: string; metadata: Record<string, string>; default_source: Record<string, unknown> };
    expect(parsed.description).toBe(`card ${REDACTED_PAN}`);
    expect(parsed.metadata[REDACTED_PAN]).toBe('k');
    expect(parsed.metadata['order']).toBe('1234567890');
    expect(parsed.default_source).toEqual({ id: 'card_1', object: 'card', card: { brand: 'visa', country: 'GB', last4: '4242' } });
    const rate = sanitiseToJson({ id: 'txn_1', object: 'balance_transaction', exchange_rate: 1.092384728374952 });
    expect((JSON.parse(rate) as { exchange_rate: number }).exchange_rate).toBe(1.092384728374952);
  });

  it('keeps a Decimal-like value as its JSON string form in the text', () => {
    const decimal = { toJSON: () => '12.5' };
    const price: StripeObject = { id: 'price_1', object: 'price', unit_amount_decimal: decimal };
    expect(JSON.parse(sanitiseToJson(price))).toEqual({ id: 'price_1', object: 'price', unit_amount_decimal: '12.5' });
    // …and the price's clear column, read from the SDK's object, gets the same string.
    expect(kindOf('prices').columns(price)['unit_amount_decimal']).toBe('12.5');
  });
});

describe('redactPans', () => {
  it('replaces Luhn-valid 13–19-digit stretches of digit groups, also glued to other digits by a separator', () => {
    expect(luhnValid(bait)).toBe(true);
    expect(redactPans(bait)).toBe(REDACTED_PAN);
    expect(redactPans(`card ${spaced}.`)).toBe(`card ${REDACTED_PAN}.`);
    expect(redactPans(`${bait.slice(0, 4)}-${bait.slice(4, 8)}-${bait.slice(8, 12)}-${bait.slice(12)}`)).toBe(REDACTED_PAN);
    // A timestamp, or a short number, before the card number: only the card number goes.
    expect(redactPans(`order 1764115200-${bait}`)).toBe(`order 1764115200-${REDACTED_PAN}`);
    expect(redactPans(`ref 12 ${spaced} ok`)).toBe(`ref 12 ${REDACTED_PAN} ok`);
    expect(redactPans(`${bait} ${bait}`)).toBe(`${REDACTED_PAN} ${REDACTED_PAN}`);
  });

  it('leaves numbers that are not card numbers as they are', () => {
    const notLuhn = `${bait.slice(0, -1)}${(Number(bait.at(-1)) + 1) % 10}`;
    expect(redactPans(notLuhn)).toBe(notLuhn);
    expect(redactPans('+44 20 7946 0958')).toBe('+44 20 7946 0958');
    // A long reference written without separators is one group: it is not cut at a digit window that
    // happens to pass Luhn (one in ten does).
    const reference = '123456789012345678901234';
    expect(redactPans(reference)).toBe(reference);
    expect(redactPans('invoice 2026-11-26, 1200 GBP')).toBe('invoice 2026-11-26, 1200 GBP');
  });

  it('scans typed column values too: card numbers whole or in groups go, ids and amounts stay', () => {
    const columns = { id: 'ch_3Nq8x2L4Z0k1234567', name: `Gold ${spaced}`, note: `x-${bait}`, amount: 1200, active: true, country: null };
    expect(redactColumns(columns)).toEqual({
      id: 'ch_3Nq8x2L4Z0k1234567', name: `Gold ${REDACTED_PAN}`, note: `x-${REDACTED_PAN}`, amount: 1200, active: true, country: null,
    });
  });
});
