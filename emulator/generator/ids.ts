// Stripe-shaped ids that encode where an object lives (customer index + sequence), so a `large`
// business can find any object from its id without holding an id → object map in memory.
import { hashSeed } from './rng.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_WIDTH = 7;
const SUFFIX_WIDTH = 7;

function toBase62(value: number, width: number): string {
  let out = '';
  let rest = Math.floor(value);
  for (let i = 0; i < width; i++) {
    out = ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

function fromBase62(text: string): number {
  let value = 0;
  for (const char of text) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) return Number.NaN;
    value = value * 62 + digit;
  }
  return value;
}

/** Objects per customer per kind; also the multiplier in `key = customerIndex * SLOTS + n`. */
export const SLOTS = 1024;

export function objectKey(customerIndex: number, n: number): number {
  return customerIndex * SLOTS + n;
}

export function customerIndexOfKey(key: number): number {
  return Math.floor(key / SLOTS);
}

/** e.g. makeId('cus', accountSalt, 42) → "cus_1000000gA8fK2Lq" (1 + 7 key chars + 7 salted chars). */
export function makeId(prefix: string, salt: number, key: number): string {
  return `${prefix}_1${toBase62(key, KEY_WIDTH)}${toBase62(hashSeed(salt, prefix, key), SUFFIX_WIDTH)}`;
}

/** The key inside an id made by makeId with this salt, or undefined if the id is not one of ours. */
export function parseId(id: string, prefix: string, salt: number): number | undefined {
  if (!id.startsWith(`${prefix}_1`)) return undefined;
  const key = fromBase62(id.slice(prefix.length + 2, prefix.length + 2 + KEY_WIDTH));
  if (!Number.isFinite(key)) return undefined;
  return makeId(prefix, salt, key) === id ? key : undefined;
}

export function prefixOf(id: string): string {
  const at = id.lastIndexOf('_');
  return at < 0 ? '' : id.slice(0, at);
}
