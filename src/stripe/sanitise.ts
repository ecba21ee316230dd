// What of a Stripe object may be stored at all. Card numbers never: payment-method and card details are cut
// to brand/country/last4, dispute evidence (free text and files) is dropped, an invoice keeps only the few
// fields Mowt reads (not the customer's details it repeats, nor its payment links, nor its lines, which are
// rows of their own), and every remaining string is scanned for card-number-like digit runs (13–19 digits
// passing the Luhn check), which are replaced — a customer's note or a charge description is free text and
// can hold anything.
import type { StripeObject } from './client.js';

/** Digits, single spaces or dashes between them: a run that may hold a card number, whole or in groups. */
const DIGIT_RUN = /\d(?:[ -]?\d)*/g;
export const REDACTED_PAN = '[redacted card number]';

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Replaces every card-number-like stretch of a run: consecutive digit groups (as written between spaces or
 * dashes) holding 13–19 digits that pass the Luhn check. Groups, not every digit window: a card number
 * glued to other digits by a separator ("order 1764115200-4917…") is found, while a long reference number
 * written without separators is not cut at an arbitrary place (one digit window in ten passes Luhn).
 */
export function redactPans(text: string): string {
  if (!/\d{4}/.test(text)) return text;
  return text.replace(DIGIT_RUN, (run) => {
    const groups = run.split(/[ -]/);
    if (groups.reduce((n, g) => n + g.length, 0) < 13) return run;
    const seps = run.match(/[ -]/g) ?? [];
    const out: string[] = [];
    let i = 0;
    while (i < groups.length) {
      let end = -1;
      let digits = '';
      for (let j = i; j < groups.length && digits.length + (groups[j]?.length ?? 0) <= 19; j++) {
        digits += groups[j];
        if (digits.length >= 13 && luhnValid(digits)) end = j;
      }
      if (end >= 0) {
        out.push(REDACTED_PAN);
        i = end + 1;
      } else {
        out.push(groups[i] ?? '');
        i += 1;
      }
      if (i < groups.length) out.push(seps[i - 1] ?? ' ');
    }
    return out.join('');
  });
}

function deepRedact(value: unknown): unknown {
  if (typeof value === 'string') return redactPans(value);
  if (Array.isArray(value)) return value.map(deepRedact);
  if (value && typeof value === 'object') {
    // The SDK turns decimal strings into Decimal objects; store Stripe's wire form (their toJSON).
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return deepRedact(toJSON.call(value));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactPans(k)] = deepRedact(v);
    return out;
  }
  return value;
}

type Card = { brand?: unknown; country?: unknown; last4?: unknown };

/** Brand, country and last four digits: the most of a card Mowt ever keeps. */
export function cardSummary(card: Card | null | undefined): { brand: string | null; country: string | null; last4: string | null } | null {
  if (!card || typeof card !== 'object') return null;
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const last4 = str(card.last4);
  return { brand: str(card.brand), country: str(card.country), last4: last4 && /^\d{4}$/.test(last4) ? last4 : null };
}

function summarisePaymentMethodDetails(details: unknown): unknown {
  if (!details || typeof details !== 'object') return null;
  const d = details as { type?: unknown; card?: Card; card_present?: Card };
  return { type: typeof d.type === 'string' ? d.type : null, card: cardSummary(d.card ?? d.card_present) };
}

/** An expanded payment method / source / card object becomes its summary; an id string stays. */
function summariseInstrument(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  const v = value as { id?: unknown; object?: unknown; card?: Card } & Card;
  return { id: v.id ?? null, object: v.object ?? null, card: cardSummary(v.card ?? v) };
}

/**
 * The whole of an invoice's payload: what Mowt reads of it beyond its columns (the number shown on a
 * customer's page, when a failed invoice was finally paid, which discounts took how much off). Everything
 * else is left at Stripe: the customer's personal details it repeats, its hosted-page and PDF links (which
 * let anyone holding them see and pay it), its lines (stored as stripe_invoice_lines rows) and some seventy
 * settings and references no metric uses. Amounts, status, dates and parents are columns.
 */
export const INVOICE_PAYLOAD_FIELDS = ['id', 'object', 'number', 'status_transitions', 'discounts', 'total_discount_amounts'] as const;

/**
 * The structural cuts (cards, evidence, sources), recursing into an event's object; strings not yet scanned.
 * Objects of kinds with nothing to cut (most of a backfill: subscriptions, prices…) are returned as they are.
 */
function cutInstruments(object: StripeObject): StripeObject {
  switch (object['object']) {
    case 'charge':
      return {
        ...object,
        payment_method_details: summarisePaymentMethodDetails(object['payment_method_details']),
        source: summariseInstrument(object['source']),
        payment_method: summariseInstrument(object['payment_method']),
      };
    case 'dispute':
      return { ...object, evidence: null, payment_method_details: summarisePaymentMethodDetails(object['payment_method_details']) };
    case 'customer': {
      const o: Record<string, unknown> = { ...object, default_source: summariseInstrument(object['default_source']) };
      if (o['sources'] && typeof o['sources'] === 'object') o['sources'] = null;
      return o as StripeObject;
    }
    case 'invoice': {
      // A projection, not a list of cuts: a field Stripe adds later is not kept until a feature needs it.
      const o: Record<string, unknown> = {};
      for (const field of INVOICE_PAYLOAD_FIELDS) if (field in object) o[field] = object[field];
      return o as StripeObject;
    }
    case 'event': {
      const data = object['data'] as { object?: StripeObject; previous_attributes?: unknown } | undefined;
      return data?.object ? { ...object, data: { ...data, object: cutInstruments(data.object) } } : object;
    }
    default:
      return object;
  }
}

/** A copy of `object` that is safe to store (still to be encrypted). */
export function sanitiseObject(object: StripeObject): StripeObject {
  return deepRedact(cutInstruments(object)) as StripeObject;
}

/**
 * Thirteen digits, optionally separated by single spaces or dashes: the shortest run DIGIT_RUN can redact.
 * JSON escapes neither digits nor those separators, so a JSON text without this run holds no string (or
 * key) that redaction would change. Tried only where a digit run starts (not after a digit): a run found
 * from inside another is also found from that run's first digit, and Stripe JSON is full of 10-digit
 * timestamps, from each of whose digits the unanchored pattern started again (2–3× the time).
 */
const PAN_CANDIDATE = /(?<!\d)\d(?:[ -]?\d){12}/;

/**
 * Typed column values with every string scanned like the payload's (the rest are numbers, booleans, nulls).
 * Most are Stripe ids with a few digits: only a string with a 13-digit candidate run is redacted.
 */
export function redactColumns(columns: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(columns)) if (typeof v === 'string' && PAN_CANDIDATE.test(v)) columns[k] = redactPans(v);
  return columns;
}

/**
 * The JSON text of the safe object, serialised once. Almost no object holds a card-number-like run, so the
 * JSON of the cut object is scanned as text and the copy-every-string redaction runs only when the text has
 * a candidate.
 */
export function sanitiseToJson(object: StripeObject): string {
  const cut = cutInstruments(object);
  const json = JSON.stringify(cut);
  return PAN_CANDIDATE.test(json) ? JSON.stringify(deepRedact(cut)) : json;
}
