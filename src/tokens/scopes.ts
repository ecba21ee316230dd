// Read-only scopes an API token can hold. There is no write scope: the public API only reads.
export const API_SCOPES = {
  'metrics:read': 'Read metrics: MRR, ARR, movements, churn and the other dashboard figures',
  'org:read': 'Read the organisation’s name, reporting currency and timezone',
} as const;
export type ApiScope = keyof typeof API_SCOPES;
export const ALL_SCOPES = Object.keys(API_SCOPES) as ApiScope[];

export function isApiScope(v: unknown): v is ApiScope {
  return typeof v === 'string' && Object.hasOwn(API_SCOPES, v);
}

/** Stored as a space-separated string (the OAuth scope shape), sorted and without duplicates. */
export function formatScopes(scopes: readonly ApiScope[]): string {
  return [...new Set(scopes)].sort().join(' ');
}

export function parseScopes(stored: string): ApiScope[] {
  return stored.split(' ').filter(isApiScope);
}

/** Lifetimes an Admin can choose; no token lives longer than a year. */
export const EXPIRY_DAYS = [7, 30, 90, 180, 365] as const;
export const MAX_ACTIVE_TOKENS = 50;
