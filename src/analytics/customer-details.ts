// A synced customer's name, email and metadata, read from its encrypted payload: the one copy of them Mowt
// keeps (migration 0017). Readers decrypt only what they show: the customers the analytics cache holds for
// search and filters, the customers a digest names; likewise the invoice numbers and price nicknames shown.
import type { Tx } from '../db/tenant.js';
import type { AnalyticsCrypto } from './load.js';
import { stringRecord } from './versions.js';

export interface CustomerDetails {
  name: string | null;
  email: string | null;
  /** Stripe metadata is string → string; anything else is left out. */
  metadata: Record<string, string>;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A synced object's decrypted payload; null when there is none or it cannot be read (a shredded key, altered bytes). */
export async function readPayload(crypto: AnalyticsCrypto, orgId: string, table: string, id: string, ciphertext: unknown, tx?: Tx): Promise<Record<string, unknown> | null> {
  if (typeof ciphertext !== 'string') return null;
  try {
    return JSON.parse(await crypto.decryptField(orgId, { table, column: 'payload_encrypted', rowId: id }, ciphertext, tx)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** A customer's name, email and metadata from its stripe_customers payload; null when it cannot be read. */
export async function readCustomerDetails(crypto: AnalyticsCrypto, orgId: string, customerId: string, ciphertext: unknown, tx?: Tx): Promise<CustomerDetails | null> {
  const o = await readPayload(crypto, orgId, 'stripe_customers', customerId, ciphertext, tx);
  return o && { name: text(o['name']), email: text(o['email']), metadata: stringRecord(o['metadata']) };
}

/**
 * One text field of a synced object's encrypted payload, for the few shown that have no column of their own
 * (an invoice's number, a price's nickname); null when absent or unreadable.
 */
export async function readPayloadText(
  crypto: AnalyticsCrypto, orgId: string, table: 'stripe_invoices' | 'stripe_prices', id: string, ciphertext: unknown, field: string, tx?: Tx,
): Promise<string | null> {
  return text((await readPayload(crypto, orgId, table, id, ciphertext, tx))?.[field]);
}
