// The connections of an organisation with their sync progress for the team: per-object counts, a progress
// estimate and ETA, last success and last error. Never a token: only its masked form.
import { withOrg } from '../db/tenant.js';
import { LIST_TYPES } from './client.js';
import { listConnections } from './connections.js';
import type { StripeDeps } from './stripe-deps.js';
import type { ConnectionView, ObjectProgress } from './stripe-schemas.js';
import { EVENT_POLL, listSyncState, parseSlice, sliceTypeOf, type SliceRow, type SyncStateRow } from './sync-state.js';

export type { ConnectionView, ObjectProgress };

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Lists come newest first, so how far the cursor has walked back towards the account's birth estimates progress. */
function typeProgress(row: SyncStateRow | undefined, accountCreated: number | null): number {
  if (!row) return 0;
  if (row.done) return 1;
  const first = n(row.first_created);
  const cursor = n(row.cursor_created);
  if (first === null || cursor === null || accountCreated === null || first <= accountCreated) return 0;
  return Math.min(0.99, Math.max(0, (first - cursor) / (first - accountCreated)));
}

/** A sliced type: each slice walks back from its upper bound; its share is its span of time. */
function slicedProgress(slices: SliceRow[], accountCreated: number | null): number {
  let total = 0;
  let covered = 0;
  for (const s of slices) {
    const bottom = Math.min(s.lt - 1, Math.max(s.gte, accountCreated ?? s.gte));
    const span = Math.max(1, s.lt - bottom);
    total += span;
    if (s.done) covered += span;
    else if (s.cursorCreated !== null) covered += Math.min(span, Math.max(0, s.lt - s.cursorCreated));
  }
  return total === 0 ? 0 : Math.min(0.99, covered / total);
}

export async function listConnectionViews(deps: StripeDeps, orgId: string): Promise<ConnectionView[]> {
  const now = deps.clock();
  return withOrg(deps.db, orgId, async (tx) => {
    const views: ConnectionView[] = [];
    for (const c of await listConnections(tx)) {
      const rows = await listSyncState(tx, c.id);
      const byType = new Map(rows.map((r) => [r.object_type, r]));
      const slices = new Map<string, SliceRow[]>();
      for (const r of rows) {
        const type = sliceTypeOf(r.object_type);
        const slice = parseSlice(r);
        if (type && slice) slices.set(type, [...(slices.get(type) ?? []), slice]);
      }
      const objects = LIST_TYPES.map((type): ObjectProgress => {
        const r = byType.get(type);
        const own = slices.get(type);
        const progress = r?.done ? 1 : own ? slicedProgress(own, n(c.account_created)) : typeProgress(r, n(c.account_created));
        return {
          type, count: Number(r?.objects_synced ?? 0), done: r?.done ?? false, progress,
          lastSuccessAt: iso(r?.last_success_at ?? null), lastError: r?.last_error ? { message: r.last_error, at: iso(r.last_error_at) } : null,
        };
      });
      const progress = objects.reduce((s, o) => s + o.progress, 0) / objects.length;
      const started = rows.map((r) => r.started_at?.getTime()).filter((t): t is number => t !== undefined);
      const elapsed = started.length ? (now.getTime() - Math.min(...started)) / 1000 : 0;
      const etaSeconds = progress > 0 && progress < 1 ? Math.round((elapsed * (1 - progress)) / progress) : progress >= 1 ? 0 : null;
      const all = [...rows];
      const successes = all.map((r) => r.last_success_at).filter((d): d is Date => d !== null);
      const errors = all.filter((r) => r.last_error).sort((a, b) => (b.last_error_at?.getTime() ?? 0) - (a.last_error_at?.getTime() ?? 0));
      const lastErrorRow = errors[0];
      const poll = byType.get(EVENT_POLL);
      views.push({
        id: c.id, kind: c.kind, label: c.label, isDemo: c.is_demo, stripeAccountId: c.stripe_account_id, livemode: c.livemode,
        tokenMasked: c.token_masked, status: c.status, webhookSecretSet: c.webhook_secret_encrypted !== null,
        webhookUrl: c.kind === 'restricted_key' ? `${deps.baseUrl()}/webhooks/stripe/${c.id}` : null, createdAt: c.created_at.toISOString(),
        sync: {
          phase: c.status === 'revoked' ? 'revoked' : c.status === 'error' || (lastErrorRow && progress < 1) ? 'error' : progress >= 1 ? 'live' : 'backfilling',
          progress: Math.round(progress * 1000) / 1000,
          etaSeconds,
          lastSuccessAt: successes.length ? new Date(Math.max(...successes.map((d) => d.getTime()))).toISOString() : iso(poll?.last_success_at ?? null),
          lastError: c.status !== 'active' && c.last_error ? { message: c.last_error, at: iso(c.updated_at) }
            : lastErrorRow?.last_error ? { message: lastErrorRow.last_error, at: iso(lastErrorRow.last_error_at) } : null,
          objects,
        },
      });
    }
    return views;
  });
}
