// The dashboard's state lives in the URL (date range, interval, filters, the open saved view), so a page can
// be bookmarked, shared with a colleague and reloaded. This module turns search params into that state and
// back, and into the query string of the metrics API (docs/metrics-api.md: `plan`, `currency`, `country`,
// `billingInterval` comma-separated; `meta=key:value` repeated).

export type Interval = 'day' | 'week' | 'month';
export const INTERVALS: Interval[] = ['day', 'week', 'month'];
export type BillingInterval = 'day' | 'week' | 'month' | 'year';
export const BILLING_INTERVALS: BillingInterval[] = ['day', 'week', 'month', 'year'];

export interface MetadataPair {
  key: string;
  value: string;
}

export interface Filters {
  plans: string[];
  currencies: string[];
  countries: string[];
  billingIntervals: BillingInterval[];
  metadata: MetadataPair[];
}

export interface DashboardState {
  from: string;
  to: string;
  interval: Interval;
  filters: Filters;
  /** The saved view the filters came from, if any. */
  viewId: string | null;
}

export const EMPTY_FILTERS: Filters = { plans: [], currencies: [], countries: [], billingIntervals: [], metadata: [] };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDay(s: string): boolean {
  if (!DATE.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The day `n` calendar days after `iso` (negative for before). */
export function addDays(iso: string, n: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return isoDay(new Date(Date.UTC(y, m - 1, d + n)));
}

/** The API's default range: 12 months up to `today` (2026-11-15 → from 2025-11-16). */
export function defaultRange(today: string): { from: string; to: string } {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const from = isoDay(new Date(Date.UTC(y - 1, m - 1, d + 1)));
  return { from, to: today };
}

export const RANGE_PRESETS = [
  { id: '30d', label: 'Last 30 days', days: 30, interval: 'day' as Interval },
  { id: '90d', label: 'Last 90 days', days: 90, interval: 'week' as Interval },
  { id: '12m', label: 'Last 12 months', days: 0, interval: 'month' as Interval },
] as const;

export function presetRange(id: string, today: string): { from: string; to: string; interval: Interval } | null {
  const p = RANGE_PRESETS.find((x) => x.id === id);
  if (!p) return null;
  if (p.days === 0) return { ...defaultRange(today), interval: p.interval };
  return { from: addDays(today, -(p.days - 1)), to: today, interval: p.interval };
}

const list = (v: string | null): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];

/** "tier:gold" → { key: 'tier', value: 'gold' }; the first colon splits (values may contain colons). */
export function parseMetadataPair(s: string): MetadataPair | null {
  const i = s.indexOf(':');
  if (i <= 0 || i === s.length - 1) return null;
  const key = s.slice(0, i).trim();
  const value = s.slice(i + 1).trim();
  return key && value ? { key, value } : null;
}

/** Reads the state from the page's search params; anything malformed falls back to the default. */
export function readState(params: URLSearchParams, today: string): DashboardState {
  const range = defaultRange(today);
  let from = params.get('from') ?? '';
  let to = params.get('to') ?? '';
  if (!isIsoDay(to) || to > today) to = range.to;
  if (!isIsoDay(from) || from > to) from = to === range.to ? range.from : defaultRange(to).from;
  const intervalParam = params.get('interval');
  const interval = (INTERVALS as string[]).includes(intervalParam ?? '') ? (intervalParam as Interval) : 'month';
  const filters: Filters = {
    plans: uniq(list(params.get('plan'))),
    currencies: uniq(list(params.get('currency')).map((c) => c.toUpperCase()).filter((c) => /^[A-Z]{3}$/.test(c))),
    countries: uniq(list(params.get('country')).map((c) => c.toUpperCase()).filter((c) => /^[A-Z]{2}$/.test(c))),
    billingIntervals: uniq(list(params.get('billingInterval')).filter((b): b is BillingInterval => (BILLING_INTERVALS as string[]).includes(b))),
    metadata: params.getAll('meta').flatMap((m) => {
      const p = parseMetadataPair(m);
      return p ? [p] : [];
    }),
  };
  const viewId = params.get('view');
  return { from, to, interval, filters, viewId: viewId && /^[0-9a-f-]{36}$/i.test(viewId) ? viewId : null };
}

/** The filter part of a query (shared by the page URL and the API). */
function appendFilters(q: URLSearchParams, f: Filters): void {
  if (f.plans.length) q.set('plan', f.plans.join(','));
  if (f.currencies.length) q.set('currency', f.currencies.join(','));
  if (f.countries.length) q.set('country', f.countries.join(','));
  if (f.billingIntervals.length) q.set('billingInterval', f.billingIntervals.join(','));
  for (const m of f.metadata) q.append('meta', `${m.key}:${m.value}`);
}

/** The page's search params for a state; defaults are left out so URLs stay short. */
export function writeState(state: DashboardState, today: string): URLSearchParams {
  const q = new URLSearchParams();
  const range = defaultRange(today);
  if (state.from !== range.from || state.to !== range.to) {
    q.set('from', state.from);
    q.set('to', state.to);
  }
  if (state.interval !== 'month') q.set('interval', state.interval);
  appendFilters(q, state.filters);
  if (state.viewId) q.set('view', state.viewId);
  return q;
}

/** The metrics API query string for a state: range, interval, filters, plus any extra parameters. */
export function apiQuery(state: Pick<DashboardState, 'from' | 'to' | 'interval' | 'filters'>, extra: Record<string, string | number | undefined> = {}, opts: { range?: boolean; interval?: boolean } = {}): string {
  const q = new URLSearchParams();
  if (opts.range ?? true) {
    q.set('from', state.from);
    q.set('to', state.to);
  }
  if (opts.interval ?? true) q.set('interval', state.interval);
  appendFilters(q, state.filters);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function filterCount(f: Filters): number {
  return f.plans.length + f.currencies.length + f.countries.length + f.billingIntervals.length + f.metadata.length;
}

/** Whether two filter sets select the same customers (order does not matter). */
export function sameFilters(a: Filters, b: Filters): boolean {
  const norm = (f: Filters) =>
    JSON.stringify([
      [...f.plans].sort(),
      [...f.currencies].sort(),
      [...f.countries].sort(),
      [...f.billingIntervals].sort(),
      f.metadata.map((m) => `${m.key}\u0000${m.value}`).sort(),
    ]);
  return norm(a) === norm(b);
}

/** Filters as the saved-views API stores them (empty lists left out). */
export function toViewFilters(f: Filters): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (f.plans.length) out.plans = f.plans;
  if (f.currencies.length) out.currencies = f.currencies;
  if (f.countries.length) out.countries = f.countries;
  if (f.billingIntervals.length) out.billingIntervals = f.billingIntervals;
  if (f.metadata.length) out.metadata = f.metadata;
  return out;
}

export function fromViewFilters(v: Partial<Filters> | undefined): Filters {
  return {
    plans: v?.plans ?? [],
    currencies: v?.currencies ?? [],
    countries: v?.countries ?? [],
    billingIntervals: v?.billingIntervals ?? [],
    metadata: v?.metadata ?? [],
  };
}

/** "Today" in the organisation's time zone (the API's calendar), as YYYY-MM-DD. */
export function todayIn(timeZone: string | undefined, now = new Date()): string {
  try {
    // en-CA formats dates as YYYY-MM-DD.
    return new Intl.DateTimeFormat('en-CA', { timeZone: timeZone || 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch {
    return isoDay(now);
  }
}
