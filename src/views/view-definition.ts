// What a saved view holds and what an annotation says, as TypeBox schemas (request validation) plus the
// normalisation applied before storing: trimmed, de-duplicated, sorted, so two views with the same filters
// compare equal and the dashboard can recognise "this is the view you have open".
import { Type, type Static } from 'typebox';

export const MAX_VIEWS_PER_ORG = 200;
export const MAX_ANNOTATIONS_PER_ORG = 2000;

const Id = Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9_\\-.:]+$' });
const Currency = Type.String({ pattern: '^[A-Za-z]{3}$' });
const Country = Type.String({ pattern: '^[A-Za-z]{2}$' });
const BillingInterval = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('year')]);
// Stripe metadata: keys up to 40 characters, values up to 500 (Stripe's own limits).
const MetadataPair = Type.Object(
  { key: Type.String({ minLength: 1, maxLength: 40 }), value: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);

export const ViewFiltersSchema = Type.Object(
  {
    plans: Type.Optional(Type.Array(Id, { maxItems: 50 })),
    currencies: Type.Optional(Type.Array(Currency, { maxItems: 50 })),
    countries: Type.Optional(Type.Array(Country, { maxItems: 250 })),
    billingIntervals: Type.Optional(Type.Array(BillingInterval, { maxItems: 4 })),
    metadata: Type.Optional(Type.Array(MetadataPair, { maxItems: 10 })),
  },
  { additionalProperties: false },
);
export type ViewFilters = Static<typeof ViewFiltersSchema>;

export const ViewName = Type.String({ minLength: 1, maxLength: 100 });
export const AnnotationLabel = Type.String({ minLength: 1, maxLength: 80 });
export const AnnotationNote = Type.String({ maxLength: 1000 });
export const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

/** A printable single line: control characters would hide text in tables and CSV. */
export function cleanLine(value: string): string | null {
  const trimmed = value.trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (trimmed === '' || /[\u0000-\u001f\u007f]/.test(trimmed)) return null;
  return trimmed;
}

/** Free text keeps its line breaks but nothing else invisible. */
export function cleanNote(value: string): string | null {
  const trimmed = value.replace(/\r\n?/g, '\n').trim();
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(trimmed)) return null;
  return trimmed;
}

/** A real calendar day (2026-02-30 is refused), between 2000 and 2100. */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 2000 && y <= 2100 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const uniqueSorted = <T extends string>(values: T[]): T[] => [...new Set(values)].sort();

/**
 * The stored form of filters: codes upper-cased (currencies, countries), lists de-duplicated and sorted,
 * metadata pairs trimmed and de-duplicated, empty lists dropped. Returns null with a reason when a value
 * is unusable after trimming.
 */
export function normaliseFilters(filters: ViewFilters): { filters: ViewFilters } | { error: string } {
  const out: ViewFilters = {};
  if (filters.plans?.length) out.plans = uniqueSorted(filters.plans);
  if (filters.currencies?.length) out.currencies = uniqueSorted(filters.currencies.map((c) => c.toUpperCase()));
  if (filters.countries?.length) out.countries = uniqueSorted(filters.countries.map((c) => c.toUpperCase()));
  if (filters.billingIntervals?.length) out.billingIntervals = uniqueSorted(filters.billingIntervals);
  if (filters.metadata?.length) {
    const seen = new Map<string, { key: string; value: string }>();
    for (const pair of filters.metadata) {
      const key = cleanLine(pair.key);
      const value = cleanLine(pair.value);
      if (key === null || value === null) return { error: 'metadata keys and values must be printable text' };
      seen.set(`${key}\u0000${value}`, { key, value });
    }
    out.metadata = [...seen.values()].sort((a, b) => (a.key === b.key ? a.value.localeCompare(b.value) : a.key.localeCompare(b.key)));
  }
  return { filters: out };
}
