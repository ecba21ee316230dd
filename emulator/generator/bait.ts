// PAN-like bait: Luhn-valid 16-digit strings planted where a careless sync might copy them verbatim.
// A test elsewhere scans Mowt's database for these exact values; none may ever be found there.
import { luhnCheckDigit } from './luhn.js';

function pan(first15: string): string {
  return first15 + String(luhnCheckDigit(first15));
}

/** Every bait value the generator plants (Visa, Mastercard and Amex-length-16-like test ranges). */
export const PAN_BAIT: readonly string[] = Object.freeze([
  pan('491761000000000'),
  pan('535310000000000'),
  pan('401288888888188'),
]);

/** Where the bait is planted, for documentation and targeted assertions. */
export const PAN_BAIT_LOCATIONS: readonly string[] = Object.freeze([
  'customer.metadata.support_note on every 25th customer (index % 25 === 3)',
  'customer.description on every 40th customer (index % 40 === 7)',
  'charge.description on the first successful charge of every 30th customer (index % 30 === 11)',
  'charge.metadata.customer_reference on the same charges',
]);

export function baitFor(customerIndex: number): string {
  const value = PAN_BAIT[customerIndex % PAN_BAIT.length];
  if (value === undefined) throw new Error('no bait');
  return value;
}
