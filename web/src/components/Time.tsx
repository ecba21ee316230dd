// Dates in the reader's locale and time zone, with the exact instant kept in the datetime attribute.
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function formatDateTime(iso: string | undefined, withTime = true): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (withTime ? DATE_TIME : DATE).format(d);
}

export function Time({ iso, withTime = true }: { iso: string | undefined; withTime?: boolean }) {
  if (!iso) return <span aria-label="unknown">—</span>;
  return <time dateTime={iso}>{formatDateTime(iso, withTime)}</time>;
}
