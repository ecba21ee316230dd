// `expand[]`: replaces id strings by the objects they name, following dotted paths such as
// `data.items.data.price`, `customer` or `latest_invoice.customer` (Stripe allows four levels).
import type { StripeObject } from '../generator/types.js';
import { errors } from '../http/errors.js';

export type Resolver = (id: string) => StripeObject | undefined;

const MAX_DEPTH = 4;

function expandAt(value: unknown, parts: readonly string[], resolve: Resolver, path: string): unknown {
  if (parts.length === 0) {
    if (typeof value === 'string') return resolve(value) ?? value;
    return value;
  }
  if (typeof value === 'string') value = resolve(value) ?? value;
  if (Array.isArray(value)) return value.map((item) => expandAt(item, parts, resolve, path));
  if (!value || typeof value !== 'object') return value;
  const [head, ...rest] = parts;
  if (head === undefined) return value;
  const object = value as StripeObject;
  if (!(head in object)) throw errors.badRequest(`This property cannot be expanded (${path}).`, 'expand');
  const expanded = expandAt(object[head], rest, resolve, path);
  return { ...object, [head]: expanded };
}

export function applyExpand(object: StripeObject, paths: readonly string[], resolve: Resolver): StripeObject {
  let out = object;
  for (const path of paths) {
    const parts = path.split('.');
    const depth = parts.filter((p) => p !== 'data').length;
    if (depth > MAX_DEPTH) throw errors.badRequest(`You cannot expand more than ${MAX_DEPTH} levels of a property (${path}).`, 'expand');
    out = expandAt(out, parts, resolve, path) as StripeObject;
  }
  return out;
}
