// Writes synced objects: idempotent upserts keyed by (connection_id, Stripe id), payload sanitised then
// encrypted, child rows (subscription items, invoice lines) replaced with their parent. Repositories take
// the open transaction; the caller scopes it to the organisation.
import { CompiledQuery, sql } from 'kysely';
import { executePrepared, prepared } from '../db/prepared-statements.js';
import type { Tx } from '../db/tenant.js';
import type { StripeObject } from './client.js';
import { invoiceSubscription, ref, ts, type ObjectKind } from './object-kinds.js';
import type { FieldSealer } from '../crypto/field-crypto.js';
import { redactColumns, sanitiseToJson } from './sanitise.js';
import type { StripeCrypto } from './stripe-deps.js';

export interface WriteContext {
  tx: Tx;
  crypto: StripeCrypto;
  orgId: string;
  connectionId: string;
  now: Date;
}

/** What preparing rows needs: no transaction (keys come from the crypto cache, or its own short lookup). */
export type PrepareContext = Omit<WriteContext, 'tx'> & { tx?: Tx };

export interface WriteOptions {
  /** `created` of the event whose data.object this is; only newer-or-equal states then replace a row. */
  eventCreated?: number;
  receivedVia?: 'backfill' | 'poll' | 'webhook';
}

type Row = Record<string, unknown>;

/** Stripe's largest page (`limit=100`), which every backfill page but a chain's last one is. */
const FULL_PAGE = 100;

function buildRow(ctx: PrepareContext, seal: FieldSealer, kind: ObjectKind, object: StripeObject, opts: WriteOptions, syncedAt: string): Row {
  const deleted = object['deleted'] === true;
  const row: Row = {
    org_id: ctx.orgId,
    connection_id: ctx.connectionId,
    id: object.id,
    livemode: object['livemode'] === true,
    created: ts(object['created']),
    deleted,
    event_created: opts.eventCreated ?? null,
    payload_encrypted: null,
    synced_at: syncedAt,
  };
  if (kind.keepsPayload(object)) {
    row['payload_encrypted'] = seal({ table: kind.table, column: 'payload_encrypted', rowId: object.id }, sanitiseToJson(object));
  }
  // The columns come from Stripe's object, not the payload's copy (an invoice's payload holds none of them):
  // ids, codes and amounts, scanned like any stored string.
  if (!deleted) Object.assign(row, redactColumns(kind.columns(object)));
  if (kind.type === 'events') row['received_via'] = opts.receivedVia ?? 'backfill';
  return row;
}

/** A column or table name from this module's own code, double-quoted (never a value: values are parameters). */
function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected SQL identifier ${name}`);
  return `"${name}"`;
}

/** Columns every row of one write holds the same value in: sent once per statement, not once per row. */
const SHARED_COLUMNS = new Set(['org_id', 'connection_id', 'synced_at']);

/**
 * A multi-row upsert as one parameterised statement. Timestamp columns are sent as unix seconds and turned
 * into timestamps by `to_timestamp`. Written as text plus a parameter array rather than
 * Kysely's `sql` fragments: a page is ~2,000 values, and building and compiling a node per value cost more
 * CPU than the statement itself. The shared columns are one parameter each, repeated in every tuple, so
 * PostgreSQL parses each of those values once per page instead of per row.
 */
function upsertStatement(
  table: string, rows: Row[], columns: readonly string[], timestamps: ReadonlySet<string>, updatable: readonly string[], guard: string, returning = '',
): CompiledQuery {
  const first = rows[0] ?? {};
  const params: unknown[] = [];
  for (const c of columns) {
    if (!SHARED_COLUMNS.has(c)) continue;
    const value = first[c];
    if (rows.some((r) => r[c] !== value)) throw new Error(`rows of one write differ in ${c}`);
    params.push(value ?? null);
  }
  const perRow = columns.filter((c) => !SHARED_COLUMNS.has(c));
  for (const r of rows) for (const c of perRow) params.push(r[c] ?? null);
  // A full page has one text per table and column set: planned once per connection instead of every page,
  // and built once per process (the same string each time, so the named-statement lookup hashes it once).
  if (rows.length !== FULL_PAGE) return CompiledQuery.raw(upsertText(table, rows.length, columns, timestamps, updatable, guard, returning), params);
  // The table fixes the kind and so its timestamp columns: they need no place in the key.
  const key = [table, columns.join(','), updatable.join(','), guard, returning].join('|');
  let text = fullPageTexts.get(key);
  if (text === undefined) fullPageTexts.set(key, (text = prepared(upsertText(table, FULL_PAGE, columns, timestamps, updatable, guard, returning))));
  return CompiledQuery.raw(text, params);
}

/** Full-page upsert texts by table, columns and clauses: a fixed, small set (as the named statements are). */
const fullPageTexts = new Map<string, string>();

/** The upsert's text for `count` rows, its parameters numbered as upsertStatement pushes them. */
function upsertText(
  table: string, count: number, columns: readonly string[], timestamps: ReadonlySet<string>, updatable: readonly string[], guard: string, returning: string,
): string {
  const shared = new Map<string, string>();
  let n = 0;
  for (const c of columns) if (SHARED_COLUMNS.has(c)) shared.set(c, `$${++n}`);
  const tuples: string[] = [];
  for (let i = 0; i < count; i++) {
    const slots = columns.map((c) => shared.get(c) ?? (timestamps.has(c) ? `to_timestamp($${++n}::float8)` : `$${++n}`));
    tuples.push(`(${slots.join(',')})`);
  }
  const set = updatable.map((c) => `${ident(c)} = excluded.${ident(c)}`).join(', ');
  return `insert into ${ident(table)} (${columns.map(ident).join(', ')}) values ${tuples.join(',')}
    on conflict (connection_id, id) do update set ${set}${guard}${returning}`;
}

/** A parent row an upsert wrote: `inserted` when it is new, false when it replaced a stored row. */
interface Written { id: string; inserted: boolean }

/**
 * Upserts rows; with `reportWritten`, returns which rows were written and whether each was new. A row the
 * event guard kept (its stored state is newer) is not among them. `xmax = 0` holds exactly for a tuple this
 * statement inserted: the conflict path writes a new version of an existing row, whose xmax is set.
 */
async function upsertRows(tx: Tx, kind: ObjectKind, rows: Row[], opts: WriteOptions, keepOnConflict: readonly string[], reportWritten = false): Promise<Written[]> {
  const { table } = kind;
  const first = rows[0];
  if (!first) return [];
  const columns = Object.keys(first);
  // Every row of a batch has the same columns except deleted objects, which carry none of the typed ones.
  for (const r of rows) for (const c of Object.keys(r)) if (!columns.includes(c)) columns.push(c);
  const updatable = columns.filter((c) => !['org_id', 'connection_id', 'id', ...keepOnConflict].includes(c));
  // An event only replaces what an older (or no) event wrote: webhooks and polls arrive in any order.
  const guard = opts.eventCreated !== undefined
    ? ` where ${ident(table)}.event_created is null or ${ident(table)}.event_created <= excluded.event_created`
    : '';
  const returning = reportWritten ? ' returning id, xmax = 0 as inserted' : '';
  // Without RETURNING the statement answers no rows.
  const timestamps = new Set(['created', ...kind.timestampColumns]);
  return (await tx.executeQuery<Written>(upsertStatement(table, rows, columns, timestamps, updatable, guard, returning))).rows;
}

/**
 * Replaces the child rows of the parents this write stored. Children are written only with their parent
 * and deleted only with their connection, so a parent that was just inserted has none to delete: a fresh
 * backfill deletes nothing. A parent the event guard kept (a newer state is stored) keeps its children too.
 */
async function replaceChildren(ctx: WriteContext, children: Children, written: readonly Written[]): Promise<void> {
  const { table, parentColumn } = children;
  const live = new Set(children.parentIds);
  const stored = new Set(written.filter((w) => live.has(w.id)).map((w) => w.id));
  if (stored.size === 0) return;
  const replaced = written.filter((w) => !w.inserted && live.has(w.id)).map((w) => w.id);
  if (replaced.length > 0) {
    await executePrepared(ctx.tx, `delete from ${ident(table)} where connection_id = $1 and ${ident(parentColumn)} = any($2)`, [ctx.connectionId, replaced]);
  }
  const rows = children.rows.filter((r) => stored.has(r[parentColumn] as string));
  // A line id can appear on two invoices' pages only through corrupt data; last one wins rather than failing.
  const unique = [...new Map(rows.map((r) => [r['id'] as string, r])).values()];
  if (unique.length > 0) await ctx.tx.executeQuery(childUpsert(table, ctx, unique));
}

type ChildTable = Children['table'];

/** The child tables' own columns and their SQL types (migration 0005), in the order they are sent. */
export const CHILD_COLUMNS: Record<ChildTable, ReadonlyArray<readonly [column: string, type: string]>> = {
  stripe_subscription_items: [
    ['id', 'text'], ['subscription_id', 'text'], ['price_id', 'text'], ['quantity', 'integer'], ['created', 'timestamptz'],
    ['current_period_start', 'timestamptz'], ['current_period_end', 'timestamptz'],
  ],
  stripe_invoice_lines: [
    ['id', 'text'], ['invoice_id', 'text'], ['subscription_id', 'text'], ['subscription_item_id', 'text'], ['price_id', 'text'],
    ['quantity', 'integer'], ['amount', 'bigint'], ['currency', 'text'], ['proration', 'boolean'], ['period_start', 'timestamptz'],
    ['period_end', 'timestamptz'],
  ],
};

/**
 * Child rows as one statement whatever their number: one array parameter per column, unnested. Its text is
 * fixed per table, so it runs as a named prepared statement; a page's items and lines vary in number, and a
 * VALUES list of each length was parsed and planned afresh.
 */
function childUpsert(table: ChildTable, ctx: WriteContext, rows: Row[]): CompiledQuery {
  const columns = CHILD_COLUMNS[table];
  const sent = new Set(columns.map(([c]) => c));
  const unsent = Object.keys(rows[0] ?? {}).find((c) => !sent.has(c));
  if (unsent !== undefined) throw new Error(`${table}: column ${unsent} has no declared type`);
  // Timestamps travel as unix seconds (float8) and become timestamps in the select list.
  const selected = columns.map(([c, type]) => (type === 'timestamptz' ? `to_timestamp(${ident(c)})` : ident(c)));
  const sentAs = (type: string): string => (type === 'timestamptz' ? 'float8' : type);
  const text = `insert into ${ident(table)} (org_id, connection_id, ${columns.map(([c]) => ident(c)).join(', ')})
    select $1::uuid, $2::uuid, ${selected.join(', ')}
    from unnest(${columns.map(([, type], i) => `$${i + 3}::${sentAs(type)}[]`).join(', ')}) as sent(${columns.map(([c]) => ident(c)).join(', ')})
    on conflict (connection_id, id) do update set ${columns.filter(([c]) => c !== 'id').map(([c]) => `${ident(c)} = excluded.${ident(c)}`).join(', ')}`;
  return CompiledQuery.raw(prepared(text), [ctx.orgId, ctx.connectionId, ...columns.map(([c]) => rows.map((r) => r[c] ?? null))]);
}

type Listish = { data?: unknown[] } | null | undefined;
const listData = (v: unknown): Record<string, unknown>[] => ((v as Listish)?.data ?? []) as Record<string, unknown>[];
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function itemRows(sub: StripeObject): Row[] {
  return listData(sub['items']).map((item) => ({
    id: String(item['id']), subscription_id: sub.id,
    price_id: ref(item['price']) ?? ref(item['plan']), quantity: num(item['quantity']), created: ts(item['created']),
    current_period_start: ts(item['current_period_start']), current_period_end: ts(item['current_period_end']),
  }));
}

function lineRows(invoice: StripeObject): Row[] {
  return listData(invoice['lines']).map((line) => {
    const parent = (line['parent'] ?? null) as Record<string, Record<string, unknown> | null> | null;
    const itemDetails = parent?.['subscription_item_details'] ?? null;
    const pricing = (line['pricing'] ?? null) as { price_details?: { price?: unknown } } | null;
    const period = (line['period'] ?? null) as { start?: unknown; end?: unknown } | null;
    return {
      id: String(line['id']), invoice_id: invoice.id,
      subscription_id: ref(itemDetails?.['subscription']) ?? ref(line['subscription']) ?? invoiceSubscription(invoice),
      subscription_item_id: ref(itemDetails?.['subscription_item']) ?? ref(line['subscription_item']),
      price_id: ref(pricing?.price_details?.price) ?? ref(line['price']), quantity: num(line['quantity']), amount: num(line['amount']),
      currency: typeof line['currency'] === 'string' ? line['currency'] : null,
      proration: typeof itemDetails?.['proration'] === 'boolean' ? itemDetails['proration'] : (typeof line['proration'] === 'boolean' ? line['proration'] : null),
      period_start: ts(period?.start), period_end: ts(period?.end),
    };
  });
}

/** Child rows of a page's live parents (subscription items, invoice lines), each naming its parent; org and connection come with the write. */
interface Children { table: 'stripe_subscription_items' | 'stripe_invoice_lines'; parentColumn: string; parentIds: string[]; rows: Row[] }

/** A page's rows, sanitised and encrypted, ready to write: built outside the transaction that writes them. */
export interface PreparedObjects {
  kind: ObjectKind;
  rows: Row[];
  opts: WriteOptions;
  children: Children | null;
}

/** Sanitises and encrypts a page: CPU work kept out of the write transaction, so it holds a connection briefly. */
export async function prepareObjects(ctx: PrepareContext, kind: ObjectKind, objects: StripeObject[], opts: WriteOptions = {}): Promise<PreparedObjects> {
  // One key lookup for the page, not one per field.
  const seal = await ctx.crypto.fieldSealer(ctx.orgId, 'data', ctx.tx);
  const syncedAt = ctx.now.toISOString();
  const rows = objects.map((o) => buildRow(ctx, seal, kind, o, opts, syncedAt));
  const live = objects.filter((o) => o['deleted'] !== true);
  const children = kind.type === 'subscriptions'
    ? { table: 'stripe_subscription_items' as const, parentColumn: 'subscription_id', parentIds: live.map((o) => o.id), rows: live.flatMap((o) => itemRows(o)) }
    : kind.type === 'invoices'
      ? { table: 'stripe_invoice_lines' as const, parentColumn: 'invoice_id', parentIds: live.map((o) => o.id), rows: live.flatMap((o) => lineRows(o)) }
      : null;
  return { kind, rows, opts, children };
}

/** Thrown when synced rows are written for a connection that has been deleted (disconnected meanwhile). */
export class ConnectionGoneError extends Error {
  constructor(connectionId: string) {
    super(`Stripe connection ${connectionId} no longer exists (disconnected); nothing was written`);
    this.name = 'ConnectionGoneError';
  }
}

/**
 * Holds the connection's row against deletion until the caller's transaction ends, once per write rather
 * than a foreign-key check per row (migration 0016): a disconnect waits for writes in flight and then
 * deletes what they wrote; a write that starts after a disconnect finds no row and writes nothing.
 * Row-level security makes another organisation's connection count as gone too.
 */
async function lockConnection(tx: Tx, connectionId: string): Promise<void> {
  const { rows } = await executePrepared(tx, 'select id from stripe_connections where id = $1 for key share', [connectionId]);
  if (rows.length === 0) throw new ConnectionGoneError(connectionId);
}

/** Writes prepared rows and replaces their child rows, in the caller's transaction. */
export async function writePrepared(ctx: WriteContext, prepared: PreparedObjects): Promise<void> {
  if (prepared.rows.length === 0) return;
  const { kind, rows, opts, children } = prepared;
  await lockConnection(ctx.tx, ctx.connectionId);
  const written = await upsertRows(ctx.tx, kind, rows, opts, opts.eventCreated === undefined ? ['event_created'] : [], children !== null);
  if (children) await replaceChildren(ctx, children, written);
}

/** Upserts one page (or one event's object) of a kind, with its child rows. */
export async function upsertObjects(ctx: WriteContext, kind: ObjectKind, objects: StripeObject[], opts: WriteOptions = {}): Promise<void> {
  if (objects.length === 0) return;
  await writePrepared(ctx, await prepareObjects(ctx, kind, objects, opts));
}

/** The newest event `created` applied to a row, or null (row from paging, or no row). */
export async function eventCreatedOf(tx: Tx, kind: ObjectKind, connectionId: string, id: string): Promise<{ exists: boolean; eventCreated: number | null }> {
  const { rows } = await sql<{ event_created: string | number | null }>`select event_created from ${sql.table(kind.table)}
    where connection_id = ${connectionId} and id = ${id}`.execute(tx);
  const row = rows[0];
  return row ? { exists: true, eventCreated: row.event_created === null ? null : Number(row.event_created) } : { exists: false, eventCreated: null };
}
