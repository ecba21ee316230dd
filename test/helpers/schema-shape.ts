// Checks an answer against the TypeBox schema that describes it, field by field: the schema is the contract,
// not a lower bound. Used by route tests (a response schema is also the allow-list of what a route may send).
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';

type SchemaNode = { properties?: Record<string, TSchema>; required?: string[]; items?: TSchema; anyOf?: TSchema[] };

/**
 * Walks an answer along its schema: every object must have exactly the keys the schema's object names (no
 * extra field the server added without the schema, none missing), down through arrays, nested objects and
 * nullable unions. `filled` collects the paths of arrays of objects that held at least one element.
 */
function keyMismatches(schema: TSchema, value: unknown, path: string, filled: Set<string>, out: string[]): void {
  const node = schema as SchemaNode;
  if (node.anyOf) {
    const variant = node.anyOf.find((v) => Value.Check(v, value));
    if (variant) keyMismatches(variant, value, path, filled, out);
  } else if (node.items && Array.isArray(value)) {
    if (value.length > 0) filled.add(path);
    for (const v of value) keyMismatches(node.items, v, `${path}[]`, filled, out);
  } else if (node.properties && value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    const named = Object.keys(node.properties);
    for (const k of keys) if (!named.includes(k)) out.push(`${path}.${k} is not in the schema`);
    for (const k of node.required ?? []) if (!keys.includes(k)) out.push(`${path}.${k} is missing`);
    for (const [k, sub] of Object.entries(node.properties)) if (k in value) keyMismatches(sub, (value as Record<string, unknown>)[k], `${path}.${k}`, filled, out);
  }
}

/** The paths of the schema's arrays whose items are objects (each must be seen non-empty for the key check to prove anything). */
function objectArrays(schema: TSchema, path: string, out: string[] = []): string[] {
  const node = schema as SchemaNode;
  for (const v of node.anyOf ?? []) objectArrays(v, path, out);
  if (node.items) {
    if ((node.items as SchemaNode).properties) out.push(path);
    objectArrays(node.items, `${path}[]`, out);
  }
  for (const [k, sub] of Object.entries(node.properties ?? {})) objectArrays(sub, `${path}.${k}`, out);
  return out;
}

export interface ShapeReport {
  /** what `Value.Errors` says (wrong types, missing required fields) */
  errors: string[];
  /** fields the answer has that the schema does not name, or names as required and the answer lacks, at any depth */
  keys: string[];
  /** arrays of objects in the schema that were empty in this answer: their elements were not checked */
  unchecked: string[];
}

/** How `value` differs from `schema`; all three lists empty when it matches exactly. */
export function shapeReport(schema: TSchema, value: unknown): ShapeReport {
  const filled = new Set<string>();
  const keys: string[] = [];
  keyMismatches(schema, value, '', filled, keys);
  return {
    errors: [...Value.Errors(schema, value)].map((e) => `${e.instancePath} ${e.message}`),
    keys: [...new Set(keys)],
    unchecked: objectArrays(schema, '').filter((p) => !filled.has(p)),
  };
}
