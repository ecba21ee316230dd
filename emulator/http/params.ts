// Stripe-style request parameters: `expand[]=a`, `expand[0]=a`, `created[gt]=1`, `types[]=x`, nested.

export type ParamValue = string | ParamValue[] | { [key: string]: ParamValue };
export type Params = Record<string, ParamValue>;

/** Parses a query string or x-www-form-urlencoded body into nested objects/arrays. */
export function parseParams(search: URLSearchParams): Params {
  const root: Params = {};
  for (const [rawKey, value] of search) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (!match) {
      root[rawKey] = value;
      continue;
    }
    const head = match[1] ?? rawKey;
    const path = [...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '');
    if (path.length === 0) {
      root[head] = value;
      continue;
    }
    let container: Params | ParamValue[] = root;
    let key: string = head;
    for (const segment of path) {
      const current: ParamValue | undefined = Array.isArray(container) ? container[Number(key)] : container[key];
      const wantsArray = segment === '' || /^\d+$/.test(segment);
      let next: Params | ParamValue[];
      if (current !== undefined && typeof current !== 'string') next = current as Params | ParamValue[];
      else next = wantsArray ? [] : {};
      if (Array.isArray(container)) container[Number(key)] = next;
      else container[key] = next;
      container = next;
      key = segment === '' && Array.isArray(next) ? String(next.length) : segment;
    }
    if (Array.isArray(container)) container[Number(key)] = value;
    else container[key] = value;
  }
  return root;
}

export function stringParam(params: Params, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

export function listParam(params: Params, name: string): string[] | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return [value];
  const items = Array.isArray(value) ? value : Object.values(value);
  return items.filter((v): v is string => typeof v === 'string');
}
