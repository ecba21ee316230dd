/**
 * Calendar days in the organisation's IANA timezone, computed with Intl (no tz database of our own).
 * Dates are 'YYYY-MM-DD' strings; instants are Unix seconds.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(tz, f);
  }
  return f;
}

/** The calendar day (in `tz`) that contains the instant `t`. */
export function dayOf(t: number, tz: string): string {
  const parts = formatter(tz).formatToParts(new Date(t * 1000));
  let y = '';
  let m = '';
  let d = '';
  for (const p of parts) {
    if (p.type === 'year') y = p.value;
    else if (p.type === 'month') m = p.value;
    else if (p.type === 'day') d = p.value;
  }
  return `${y.padStart(4, '0')}-${m}-${d}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseDate(date: string): { y: number; m: number; d: number } {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
}

function fmt(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Pure calendar arithmetic on dates (no timezone involved). */
export function addDays(date: string, n: number): string {
  const { y, m, d } = parseDate(date);
  return fmt(Date.UTC(y, m - 1, d + n));
}

export function daysBetween(a: string, b: string): number {
  const pa = parseDate(a);
  const pb = parseDate(b);
  return Math.round((Date.UTC(pb.y, pb.m - 1, pb.d) - Date.UTC(pa.y, pa.m - 1, pa.d)) / 86_400_000);
}

/** Every date from `from` to `to` inclusive. */
export function dateRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

const startCache = new Map<string, number>();

/**
 * First instant (Unix seconds) of `date` in `tz`. Found by bisection on "which day is this instant in", so DST
 * changes at midnight (where 00:00 does not exist) still give the day's true first second.
 */
export function dayStart(date: string, tz: string): number {
  const key = `${tz}|${date}`;
  const hit = startCache.get(key);
  if (hit !== undefined) return hit;
  const { y, m, d } = parseDate(date);
  const utcMidnight = Date.UTC(y, m - 1, d) / 1000;
  // UTC offsets lie within ±14h, so the local midnight is inside this window
  let lo = utcMidnight - 15 * 3600;
  let hi = utcMidnight + 15 * 3600;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (dayOf(mid, tz) >= date) hi = mid;
    else lo = mid + 1;
  }
  startCache.set(key, lo);
  return lo;
}

/** Last second of `date` in `tz`: the instant at which a day's MRR is read. */
export function dayEnd(date: string, tz: string): number {
  return dayStart(addDays(date, 1), tz) - 1;
}

/** Monday of the ISO week containing `date`. */
export function weekStart(date: string): string {
  const { y, m, d } = parseDate(date);
  const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay(); // 0 = Sunday
  return addDays(date, -((dow + 6) % 7));
}

export function monthStart(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

export function addMonthsToDate(date: string, n: number): string {
  const { y, m } = parseDate(date);
  return fmt(Date.UTC(y, m - 1 + n, 1));
}

/** Last day of the month containing `date`. */
export function monthEnd(date: string): string {
  return addDays(addMonthsToDate(date, 1), -1);
}

/**
 * Add calendar months to an instant in UTC, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb),
 * which is how Stripe advances monthly billing anchors.
 */
export function addMonthsUtc(t: number, n: number): number {
  const dt = new Date(t * 1000);
  const y = dt.getUTCFullYear();
  const mo = dt.getUTCMonth() + n;
  const lastDay = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  const day = Math.min(dt.getUTCDate(), lastDay);
  return (
    Date.UTC(y, mo, day, dt.getUTCHours(), dt.getUTCMinutes(), dt.getUTCSeconds()) / 1000
  );
}
