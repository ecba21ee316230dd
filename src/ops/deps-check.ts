// Dependency hygiene, pure parts: which advisories fail the check, and when a package counts as abandoned.
export type Severity = 'info' | 'low' | 'moderate' | 'high' | 'critical';
const FAILING: ReadonlySet<string> = new Set(['high', 'critical']);

export interface Advisory {
  name: string;
  severity: Severity;
  /** Advisory titles or the packages it comes through. */
  via: string[];
  fixAvailable: boolean;
}

/** High and critical findings of `npm audit --json` (npm 7+ report shape), sorted by severity then name. */
export function severeAdvisories(report: unknown): Advisory[] {
  const vulns = (report as { vulnerabilities?: Record<string, { severity?: string; via?: unknown[]; fixAvailable?: unknown }> }).vulnerabilities ?? {};
  const out: Advisory[] = [];
  for (const [name, v] of Object.entries(vulns)) {
    if (!v.severity || !FAILING.has(v.severity)) continue;
    const via = (v.via ?? []).map((x) => (typeof x === 'string' ? x : String((x as { title?: string; name?: string }).title ?? (x as { name?: string }).name ?? '')));
    out.push({ name, severity: v.severity as Severity, via: via.filter(Boolean), fixAvailable: Boolean(v.fixAvailable) });
  }
  return out.sort((a, b) => (a.severity === b.severity ? a.name.localeCompare(b.name) : a.severity === 'critical' ? -1 : 1));
}

/** Whether `npm audit --json` answered with an error instead of a report (e.g. the registry has no audit endpoint). */
export function auditError(report: unknown): string | null {
  const e = (report as { error?: { code?: string; summary?: string; detail?: string } }).error;
  if (!e) return (report as { vulnerabilities?: unknown }).vulnerabilities ? null : 'npm audit returned no report';
  return [e.code, e.summary ?? e.detail].filter(Boolean).join(': ') || 'npm audit failed';
}

/** The newest release date in `npm view <pkg> time --json` (keys other than created/modified are versions). */
export function latestRelease(time: Record<string, string>): Date | null {
  let latest: Date | null = null;
  for (const [key, value] of Object.entries(time)) {
    if (key === 'created' || key === 'modified' || /-(alpha|beta|rc|canary|next|dev)/i.test(key)) continue;
    const d = new Date(value);
    if (!Number.isNaN(d.getTime()) && (!latest || d > latest)) latest = d;
  }
  return latest;
}

export const STALE_AFTER_YEARS = 2;

/** No release for two years (calendar years: 2024-03-01 → stale from 2026-03-01). */
export function isStale(lastRelease: Date | null, now: Date, years = STALE_AFTER_YEARS): boolean {
  if (!lastRelease) return true;
  const limit = new Date(lastRelease);
  limit.setUTCFullYear(limit.getUTCFullYear() + years);
  return now.getTime() >= limit.getTime();
}
