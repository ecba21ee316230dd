// Stripe's "includable" fields: left out of an object unless the request names them in `expand[]`
// (`tiers` and `currency_options` of a price, `tiers` of a plan, `currency_options` of a coupon). The
// catalogue holds the full objects; every response, embedded copy and event payload leaves them out.
import type { StripeObject } from './types.js';

export const INCLUDABLE: Readonly<Record<string, readonly string[]>> = {
  price: ['tiers', 'currency_options'],
  plan: ['tiers'],
  coupon: ['currency_options'],
};

/** The includable fields a top-level object of this kind may be asked for. */
export function includableFields(object: StripeObject): readonly string[] {
  return INCLUDABLE[String(object['object'])] ?? [];
}

/** A copy without the includable fields, except those in `keep`. */
export function withoutIncludable(object: StripeObject, keep: ReadonlySet<string> = new Set()): StripeObject {
  const fields = includableFields(object).filter((f) => !keep.has(f) && f in object);
  if (fields.length === 0) return object;
  const out = { ...object };
  for (const f of fields) delete out[f];
  return out;
}
