// The anomaly rules as pure functions: no clock, no database, no HTTP. Each takes what was counted (by the
// window store or the token-usage table) and answers whether it is an anomaly. Thresholds are chosen so a
// realistic working day (typos, shared office addresses, steady API use) raises nothing; the test suite
// replays such a day. See docs/security-operations.md for the reasoning behind each number.

export interface WindowRule {
  /** Occurrences (or distinct members) within the window that make it an anomaly. */
  threshold: number;
  windowMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const RULES = {
  /** Wrong passwords for ONE account from any address: credential stuffing spread over many IPs. */
  failedLoginsPerAccount: { threshold: 10, windowMs: 15 * MINUTE },
  /** Wrong passwords from ONE address across accounts: password spraying. */
  failedLoginsPerIp: { threshold: 30, windowMs: 15 * MINUTE },
  /** Wrong passwords for members of ONE organisation, all addresses together: a targeted attack. */
  failedLoginsPerOrg: { threshold: 25, windowMs: 15 * MINUTE },
  /** One address answered "not found" by this many DIFFERENT organisations: probing for tenants. */
  probingOrgsPerIp: { threshold: 5, windowMs: 10 * MINUTE },
  /** Server errors across the whole service. */
  serverErrors: { threshold: 20, windowMs: 5 * MINUTE },
  /** Cross-tenant requests refused by the permission hook (404 to non-members), all callers together. */
  deniedCrossTenant: { threshold: 50, windowMs: 10 * MINUTE },
  /** Exports by one person (or token) in an hour: someone copying the organisation out. */
  exportsPerActor: { threshold: 10, windowMs: HOUR },
} as const satisfies Record<string, WindowRule>;

/** A single export this large (rows) is a bulk export on its own. */
export const BULK_EXPORT_ROWS = 10_000;

/** Whether a window count has reached its rule's threshold. */
export function windowExceeded(count: number, rule: WindowRule): boolean {
  return count >= rule.threshold;
}

/** The bucket a window event is deduplicated in: one event per rule, subject and window length. */
export function windowBucket(at: Date, rule: WindowRule): number {
  return Math.floor(at.getTime() / rule.windowMs);
}

// ── API tokens ─────────────────────────────────────────────────────────────────────────────────────────

export const TOKEN_RULES = {
  /** Hours of history that make the baseline (7 days). */
  baselineHours: 7 * 24,
  /** Below this many uses in an hour nothing is ever a spike (a script run by hand is not an incident). */
  spikeMinUses: 200,
  /** An hour this many times the 7-day hourly average is a spike. */
  spikeFactor: 10,
  /** Uses over the 7 days before the baseline can judge hours of the day (a new token is learning). */
  unusualHourMinHistory: 50,
  /** The token must have been in use for this long before "unusual hours" means anything. */
  unusualHourMinAgeHours: 72,
} as const;

export interface TokenHistory {
  /** Uses in each of the hours before the current one, newest last (at most baselineHours, zero-filled). */
  hourly: number[];
  /** Uses per hour of the day (0–23 in the organisation's time zone) over the same 7 days. */
  byHourOfDay: number[];
  /** Hours since the token's first recorded use. */
  ageHours: number;
}

export interface TokenVerdict {
  spike: boolean;
  unusualHour: boolean;
  baselinePerHour: number;
}

/**
 * Judges the current hour of a token: a spike when it exceeds both the floor and spikeFactor × its 7-day
 * hourly average; an unusual hour when the token has a settled history and never ran at this hour of day.
 */
export function judgeTokenUse(currentHourUses: number, hourOfDay: number, history: TokenHistory): TokenVerdict {
  const window = history.hourly.slice(-TOKEN_RULES.baselineHours);
  const total = window.reduce((a, b) => a + b, 0);
  const baselinePerHour = total / TOKEN_RULES.baselineHours;
  const spike = currentHourUses >= TOKEN_RULES.spikeMinUses && currentHourUses > TOKEN_RULES.spikeFactor * baselinePerHour;
  const settled = total >= TOKEN_RULES.unusualHourMinHistory && history.ageHours >= TOKEN_RULES.unusualHourMinAgeHours;
  // Neighbouring hours count as usual too: a job that runs at 08:55 one day and 09:05 the next is normal.
  const around = [hourOfDay - 1, hourOfDay, hourOfDay + 1].map((h) => history.byHourOfDay[(h + 24) % 24] ?? 0);
  const unusualHour = settled && currentHourUses >= 1 && around.every((n) => n === 0);
  return { spike, unusualHour, baselinePerHour };
}

/** The start of the hour a moment falls in (UTC hour buckets). */
export function hourStart(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR) * HOUR);
}

/** The hour of day (0–23) of a moment in an IANA time zone; UTC when the zone is unknown. */
export function hourOfDayIn(at: Date, timeZone: string): number {
  try {
    const h = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(at);
    return Number(h) % 24;
  } catch {
    return at.getUTCHours();
  }
}

// ── Devices and countries ──────────────────────────────────────────────────────────────────────────────

/**
 * The device family of a user agent: browser and operating system, never the version (an upgrade is not a
 * new device). Unrecognised agents fall back to "Other".
 */
export function deviceFamily(userAgent: string | null | undefined): string {
  const ua = userAgent ?? '';
  const browser = /Edg(e|A|iOS)?\//.test(ua)
    ? 'Edge'
    : /OPR\/|Opera/.test(ua)
      ? 'Opera'
      : /Firefox\/|FxiOS\//.test(ua)
        ? 'Firefox'
        : /Chrome\/|CriOS\/|Chromium\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua) && /Version\//.test(ua)
            ? 'Safari'
            : /curl\//i.test(ua)
              ? 'curl'
              : 'Other';
  const os = /Windows NT/.test(ua)
    ? 'Windows'
    : /iPhone|iPad|iPod/.test(ua)
      ? 'iOS'
      : /Mac OS X|Macintosh/.test(ua)
        ? 'macOS'
        : /Android/.test(ua)
          ? 'Android'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : 'Other';
  return `${browser} on ${os}`;
}

/** An ISO 3166-1 alpha-2 country code as CDNs send it, or null (unknown, "XX", anonymous proxies "A1"). */
export function countryCode(value: string | null | undefined): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(v) || v === 'XX' || v === 'ZZ' || v === 'A1' || v === 'A2' || v === 'O1') return null;
  return v;
}

/**
 * Whether a sign-in value (device family or country) is new for the user: only when the user HAS a history
 * (the first sign-in teaches, it does not alarm) and this value is not in it.
 */
export function isNewForUser(seenBefore: boolean, historySize: number): boolean {
  return historySize > 0 && !seenBefore;
}
