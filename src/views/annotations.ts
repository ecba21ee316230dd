// Chart annotations: a dated note ("price change") the whole team sees on the MRR chart. List by date
// range, create, edit, delete; each write audited in its own transaction.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { withOrg, type Tx } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { assertRoom, auditWrite, deleteAudited, openContent, sealContent } from './team-records.js';
import { cleanLine, cleanNote, isCalendarDate, MAX_ANNOTATIONS_PER_ORG } from './view-definition.js';
import type { Actor, ViewsDeps } from './views-deps.js';
import type { Annotation } from './views-schemas.js';

export type { Annotation };

interface Row {
  id: string;
  date: string;
  content_encrypted: string;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

function selectRows(tx: Tx) {
  return tx
    .selectFrom('chart_annotations')
    // As text: a `date` parsed into a JavaScript Date would move a day in zones west of UTC.
    .select(['id', sql<string>`to_char(on_date, 'YYYY-MM-DD')`.as('date'), 'content_encrypted', 'created_by', 'created_at', 'updated_at']);
}

async function toAnnotation(deps: ViewsDeps, orgId: string, row: Row, tx: Tx): Promise<Annotation> {
  const content = await openContent<{ label: string; note: string }>(deps, orgId, 'chart_annotations', row.id, row.content_encrypted, tx);
  return {
    id: row.id,
    date: row.date,
    label: content.label,
    note: content.note,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function cleanInput(input: { date?: string; label?: string; note?: string }): { date?: string; label?: string; note?: string } {
  const out: { date?: string; label?: string; note?: string } = {};
  if (input.date !== undefined) {
    if (!isCalendarDate(input.date)) throw new HttpProblem(422, 'date must be a real calendar day (YYYY-MM-DD)', { errors: [{ field: 'date', message: 'must be a real calendar day' }] });
    out.date = input.date;
  }
  if (input.label !== undefined) {
    const label = cleanLine(input.label);
    if (label === null) throw new HttpProblem(422, 'an annotation needs a label of printable characters', { errors: [{ field: 'label', message: 'must be printable text' }] });
    out.label = label;
  }
  if (input.note !== undefined) {
    const note = cleanNote(input.note);
    if (note === null) throw new HttpProblem(422, 'the note contains invisible control characters', { errors: [{ field: 'note', message: 'must be printable text' }] });
    out.note = note;
  }
  return out;
}

/** Annotations between two days inclusive (either end optional), oldest first. */
export async function listAnnotations(deps: ViewsDeps, orgId: string, range: { from?: string; to?: string } = {}): Promise<Annotation[]> {
  for (const d of [range.from, range.to]) if (d !== undefined && !isCalendarDate(d)) throw new HttpProblem(400, 'from and to must be calendar days (YYYY-MM-DD)');
  if (range.from && range.to && range.from > range.to) throw new HttpProblem(400, 'from must not be after to');
  return withOrg(deps.db, orgId, async (tx) => {
    let q = selectRows(tx).where('org_id', '=', orgId);
    if (range.from) q = q.where('on_date', '>=', range.from);
    if (range.to) q = q.where('on_date', '<=', range.to);
    const rows = (await q.orderBy('on_date').orderBy('created_at').execute()) as Row[];
    return Promise.all(rows.map((r) => toAnnotation(deps, orgId, r, tx)));
  });
}

export async function createAnnotation(deps: ViewsDeps, orgId: string, actor: Actor, input: { date: string; label: string; note?: string }): Promise<Annotation> {
  const clean = cleanInput({ note: '', ...input }) as { date: string; label: string; note: string };
  const now = deps.clock();
  return withOrg(deps.db, orgId, async (tx) => {
    await assertRoom(tx, 'chart_annotations', orgId, MAX_ANNOTATIONS_PER_ORG, 'annotations');
    const id = crypto.randomUUID();
    const contentEncrypted = await sealContent(deps, orgId, 'chart_annotations', id, { label: clean.label, note: clean.note }, tx);
    await tx
      .insertInto('chart_annotations')
      .values({ id, org_id: orgId, on_date: clean.date, content_encrypted: contentEncrypted, created_by: actor.userId, updated_by: actor.userId, created_at: now, updated_at: now })
      .execute();
    const row = (await selectRows(tx).where('id', '=', id).executeTakeFirstOrThrow()) as Row;
    const annotation = await toAnnotation(deps, orgId, row, tx);
    await auditWrite(tx, orgId, actor, { action: 'annotation.created', target: { type: 'chart_annotation', id }, metadata: { date: clean.date }, at: now });
    return annotation;
  });
}

export async function updateAnnotation(
  deps: ViewsDeps,
  orgId: string,
  actor: Actor,
  annotationId: string,
  patch: { date?: string; label?: string; note?: string },
): Promise<Annotation> {
  const clean = cleanInput(patch);
  const now = deps.clock();
  return withOrg(deps.db, orgId, async (tx) => {
    const row = (await selectRows(tx).where('id', '=', annotationId).forUpdate().executeTakeFirst()) as Row | undefined;
    if (!row) throw new HttpProblem(404, 'no such annotation');
    const before = await toAnnotation(deps, orgId, row, tx);
    const content = { label: clean.label ?? before.label, note: clean.note ?? before.note };
    const contentEncrypted = await sealContent(deps, orgId, 'chart_annotations', annotationId, content, tx);
    await tx
      .updateTable('chart_annotations')
      .set({ content_encrypted: contentEncrypted, on_date: clean.date ?? before.date, updated_by: actor.userId, updated_at: now })
      .where('id', '=', annotationId)
      .execute();
    const after = await toAnnotation(deps, orgId, (await selectRows(tx).where('id', '=', annotationId).executeTakeFirstOrThrow()) as Row, tx);
    await auditWrite(tx, orgId, actor, {
      action: 'annotation.updated',
      target: { type: 'chart_annotation', id: annotationId },
      metadata: { fields: Object.keys(clean), ...(clean.date && clean.date !== before.date ? { date: { from: before.date, to: clean.date } } : {}) },
      at: now,
    });
    return after;
  });
}

export async function deleteAnnotation(deps: ViewsDeps, orgId: string, actor: Actor, annotationId: string): Promise<void> {
  const at = deps.clock();
  await withOrg(deps.db, orgId, (tx) =>
    deleteAudited(tx, orgId, actor, { table: 'chart_annotations', id: annotationId, targetType: 'chart_annotation', action: 'annotation.deleted', missing: 'no such annotation', at }),
  );
}
