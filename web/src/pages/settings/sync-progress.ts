// How a Stripe sync's progress reads, the same on the Stripe settings card and on an empty dashboard.

/** Whole percent done. A sync still running never reads 100% (0.996 would round up next to "time left"). */
export function syncPercent(progress: number): number {
  const percent = Math.round(progress * 100);
  return progress < 1 ? Math.min(percent, 99) : 100;
}

export function formatEta(seconds: number | null): string {
  if (seconds === null) return 'estimating…';
  if (seconds < 60) return 'less than a minute';
  if (seconds < 3600) return `about ${Math.round(seconds / 60)} min`;
  return `about ${(seconds / 3600).toFixed(1)} h`;
}
