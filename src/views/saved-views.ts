// Saved views: list, create, rename/refilter, delete. Each write and its audit entry share one transaction,
// so no change is ever unrecorded. Content is decrypted only for the organisation that owns it (RLS and the
// ciphertext's binding to organisation + table + column + row both say so).
import crypto from 'node:crypto';
import { withOrg, type Tx } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { assertRoom, auditWrite, deleteAudited, openContent, sealContent } from './team-records.js';
import { cleanLine, MAX_VIEWS_PER_ORG, normaliseFilters, type ViewFilters } from './view-definition.js';
import type { Actor, ViewsDeps } from './views-deps.js';
import type { SavedViewRow } from './views.table.js';
import type { SavedView } from './views-schemas.js';

export type { SavedView };

async function toView(deps: ViewsDeps, orgId: string, row: SavedViewRow, tx: Tx): Promise<SavedView> {
  const content = await openContent<{ name: string; filters: ViewFilters }>(deps, orgId, 'saved_views', row.id, row.content_encrypted, tx);
  return {
    id: row.id,
    name: content.name,
    filters: content.filters,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function cleanInput(input: { name?: string; filters?: ViewFilters }): { name?: string; filters?: ViewFilters } {
  const out: { name?: string; filters?: ViewFilters } = {};
  if (input.name !== undefined) {
    const name = cleanLine(input.name);
    if (name === null) throw new HttpProblem(422, 'a view needs a name of printable characters', { errors: [{ field: 'name', message: 'must be printable text' }] });
    out.name = name;
  }
  if (input.filters !== undefined) {
    const result = normaliseFilters(input.filters);
    if ('error' in result) throw new HttpProblem(422, result.error, { errors: [{ field: 'filters.metadata', message: result.error }] });
    out.filters = result.filters;
  }
  return out;
}

/** Every view of the organisation, by name (names are encrypted, so sorted here rather than in SQL). */
export async function listViews(deps: ViewsDeps, orgId: string): Promise<SavedView[]> {
  return withOrg(deps.db, orgId, async (tx) => {
    const rows = await tx.selectFrom('saved_views').selectAll().where('org_id', '=', orgId).execute();
    const views = await Promise.all(rows.map((r) => toView(deps, orgId, r, tx)));
    return views.sort((a, b) => a.name.localeCompare(b.name, 'en-GB', { sensitivity: 'base' }) || a.createdAt.localeCompare(b.createdAt));
  });
}

export async function createView(deps: ViewsDeps, orgId: string, actor: Actor, input: { name: string; filters: ViewFilters }): Promise<SavedView> {
  const clean = cleanInput(input) as { name: string; filters: ViewFilters };
  const now = deps.clock();
  return withOrg(deps.db, orgId, async (tx) => {
    await assertRoom(tx, 'saved_views', orgId, MAX_VIEWS_PER_ORG, 'saved views');
    const id = crypto.randomUUID();
    const contentEncrypted = await sealContent(deps, orgId, 'saved_views', id, { name: clean.name, filters: clean.filters }, tx);
    const row = await tx
      .insertInto('saved_views')
      .values({ id, org_id: orgId, content_encrypted: contentEncrypted, created_by: actor.userId, updated_by: actor.userId, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = await toView(deps, orgId, row, tx);
    await auditWrite(tx, orgId, actor, {
      action: 'view.created',
      target: { type: 'saved_view', id },
      // Which kinds of filter, never their values (metadata values can name a customer).
      metadata: { filters: Object.keys(clean.filters).sort() },
      at: now,
    });
    return view;
  });
}

export async function updateView(
  deps: ViewsDeps,
  orgId: string,
  actor: Actor,
  viewId: string,
  patch: { name?: string; filters?: ViewFilters },
): Promise<SavedView> {
  const clean = cleanInput(patch);
  const now = deps.clock();
  return withOrg(deps.db, orgId, async (tx) => {
    const row = await tx.selectFrom('saved_views').selectAll().where('id', '=', viewId).forUpdate().executeTakeFirst();
    if (!row) throw new HttpProblem(404, 'no such saved view');
    const before = await toView(deps, orgId, row, tx);
    const content = { name: clean.name ?? before.name, filters: clean.filters ?? before.filters };
    const contentEncrypted = await sealContent(deps, orgId, 'saved_views', viewId, content, tx);
    const updated = await tx
      .updateTable('saved_views')
      .set({ content_encrypted: contentEncrypted, updated_by: actor.userId, updated_at: now })
      .where('id', '=', viewId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = await toView(deps, orgId, updated, tx);
    await auditWrite(tx, orgId, actor, { action: 'view.updated', target: { type: 'saved_view', id: viewId }, metadata: { fields: Object.keys(clean) }, at: now });
    return view;
  });
}

export async function deleteView(deps: ViewsDeps, orgId: string, actor: Actor, viewId: string): Promise<void> {
  const at = deps.clock();
  await withOrg(deps.db, orgId, (tx) =>
    deleteAudited(tx, orgId, actor, { table: 'saved_views', id: viewId, targetType: 'saved_view', action: 'view.deleted', missing: 'no such saved view', at }),
  );
}
