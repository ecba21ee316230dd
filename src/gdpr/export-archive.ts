// The GDPR export (right of access / portability): everything Mowt holds for one organisation as a zip of
// JSON and CSV, streamed — a table is read a page at a time (keyset on its primary key, inside the
// organisation's RLS scope) and written into the zip as it is read, so an organisation with a million Stripe
// invoices costs one page of memory, not the whole archive.
//
//   README.txt             what is in the archive and how values are represented
//   organisation.json      name, currency, timezone, data region, created
//   members.json / .csv    members with their names, decrypted addresses and roles
//   tables/<t>.json / .csv every table with org_id (src/gdpr/tenant-tables.ts) minus the excluded ones:
//                          encrypted columns decrypted (column name without "_encrypted"); credentials,
//                          blind indexes and Stripe-purpose values (tokens, keys) left out
import { Readable } from 'node:stream';
import { ZipArchive } from 'archiver';
import { sql, type Kysely } from 'kysely';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { withOrg, type Tx } from '../db/tenant.js';
import { EXPORT_EXCLUDED, isSecretColumn, listTenantTables, type TenantTable } from './tenant-tables.js';

export interface ExportDeps {
  db: Db;
  crypto: FieldCrypto;
  /** Members with decrypted addresses (teams' listMembers). */
  listMembers(orgId: string): Promise<{ userId: string; name: string; email: string; role: string; joinedAt: string }[]>;
  now(): Date;
}

export interface ExportSummary {
  tables: { table: string; rows: number; decryptedColumns: string[]; omittedColumns: string[] }[];
  members: number;
  files: number;
}

const PAGE_ROWS = 1000;

type Row = Record<string, unknown>;

interface DecryptedColumn {
  column: string;
  idColumn: string;
}

interface TablePlan {
  table: TenantTable;
  /** Columns written out, in order, with the name they get in the export. */
  out: { source: string; name: string; decrypt?: DecryptedColumn }[];
  omitted: string[];
}

/** Plain JSON values: dates as ISO text, bytes as base64, everything else as the driver gave it. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

/** A CSV cell; cells a spreadsheet would run as a formula get a leading apostrophe. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function planTables(k: Kysely<Database>): Promise<TablePlan[]> {
  const declared = await k.selectFrom('crypto_encrypted_columns').select(['table_name', 'column_name', 'id_column', 'org_column', 'purpose']).execute();
  const plans: TablePlan[] = [];
  for (const table of await listTenantTables(k)) {
    if (table.table in EXPORT_EXCLUDED) continue;
    const plan: TablePlan = { table, out: [], omitted: [] };
    for (const c of table.columns) {
      const enc = declared.find((d) => d.table_name === table.table && d.column_name === c.name);
      if (enc && (enc.purpose !== 'data' || enc.org_column !== 'org_id')) plan.omitted.push(c.name); // Stripe tokens and keys
      else if (enc) plan.out.push({ source: c.name, name: c.name.replace(/_encrypted$/, ''), decrypt: { column: c.name, idColumn: enc.id_column } });
      else if (isSecretColumn(c.name)) plan.omitted.push(c.name);
      else plan.out.push({ source: c.name, name: c.name });
    }
    plans.push(plan);
  }
  return plans;
}

/** One page of a table after `after` (its key values), decrypted, in the organisation's scope. */
async function readPage(deps: ExportDeps, orgId: string, plan: TablePlan, after: unknown[] | null): Promise<Row[]> {
  const { table } = plan;
  const key = table.key.length > 0 ? table.key.map((c) => sql.ref(c)) : [sql`ctid`];
  const keyNames = table.key.length > 0 ? table.key : ['ctid'];
  return withOrg(deps.db, orgId, async (tx: Tx) => {
    const cursor = after ? sql`and (${sql.join(key)}) > (${sql.join(after.map((v, i) => (keyNames[i] === 'ctid' ? sql`${v}::tid` : sql`${v}`)))})` : sql``;
    const { rows } = await sql<Row>`select *, ctid::text as "__ctid" from ${sql.table(table.table)}
       where org_id = ${orgId} ${cursor} order by ${sql.join(key)} limit ${PAGE_ROWS}`.execute(tx);
    const out: Row[] = [];
    for (const r of rows) {
      const o: Row = {};
      for (const c of plan.out) {
        const v = r[c.source];
        if (c.decrypt && typeof v === 'string') {
          o[c.name] = await deps.crypto.decryptField(orgId, { table: table.table, column: c.decrypt.column, rowId: String(r[c.decrypt.idColumn]) }, v, tx);
        } else o[c.name] = plain(v);
      }
      Object.defineProperty(o, '__key', { value: table.key.length > 0 ? table.key.map((k) => r[k]) : [r.__ctid], enumerable: false });
      out.push(o);
    }
    return out;
  });
}

async function* tableRows(deps: ExportDeps, orgId: string, plan: TablePlan, counted?: (n: number) => void): AsyncGenerator<Row> {
  let after: unknown[] | null = null;
  for (;;) {
    const page = await readPage(deps, orgId, plan, after);
    counted?.(page.length);
    yield* page;
    if (page.length < PAGE_ROWS) return;
    after = (page.at(-1) as Row & { __key: unknown[] }).__key;
  }
}

async function* asJson(rows: AsyncIterable<Row>): AsyncGenerator<string> {
  let first = true;
  yield '[';
  for await (const r of rows) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(r)}`;
    first = false;
  }
  yield first ? ']\n' : '\n]\n';
}

async function* asCsv(header: string[], rows: AsyncIterable<Row>): AsyncGenerator<string> {
  yield `${header.map(csvCell).join(',')}\r\n`;
  for await (const r of rows) yield `${header.map((h) => csvCell(r[h])).join(',')}\r\n`;
}

async function* fromArray<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

/**
 * Starts the export of `orgId`: `stream` is the zip (pipe it to the response), `summary` resolves once the
 * archive is complete (and rejects if any part failed — the zip is then cut short and invalid, never
 * silently incomplete).
 */
export async function exportOrganisation(deps: ExportDeps, orgId: string): Promise<{ stream: Readable; summary: Promise<ExportSummary> }> {
  const plans = await planTables(deps.db.owner);
  const org = await withOrg(deps.db, orgId, (tx) => tx.selectFrom('organisations').selectAll().where('id', '=', orgId).executeTakeFirstOrThrow());
  const members = await deps.listMembers(orgId);
  const summary: ExportSummary = { tables: [], members: members.length, files: 0 };
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const add = (name: string, content: Readable | string) => {
    summary.files += 1;
    archive.append(content, { name, date: deps.now() });
  };

  add(
    'README.txt',
    [
      `Mowt data export of organisation ${org.id}, made ${deps.now().toISOString()}.`,
      '',
      'organisation.json   the organisation and its settings',
      'members.json/.csv   members: name, email address, role, joined',
      'tables/*.json/.csv  every table holding data of this organisation, one file per format',
      '',
      'Values stored encrypted are decrypted here (the column name loses its "_encrypted" suffix).',
      'Left out on purpose: Stripe access tokens and keys (only their masked form is included), hashes of',
      'credentials, keyed search indexes and Mowt\'s own key material. Times are UTC (ISO 8601); binary values',
      'are base64; CSV cells that a spreadsheet would run as a formula start with an apostrophe.',
      '',
    ].join('\n'),
  );
  add('organisation.json', `${JSON.stringify({ id: org.id, name: org.name, reportingCurrency: org.reporting_currency.trim(), timezone: org.timezone, dataRegion: org.data_region, createdAt: plain(org.created_at) }, null, 2)}\n`);
  add('members.json', Readable.from(asJson(fromArray(members as unknown as Row[]))));
  add('members.csv', Readable.from(asCsv(['userId', 'name', 'email', 'role', 'joinedAt'], fromArray(members as unknown as Row[]))));
  for (const plan of plans) {
    const entry = { table: plan.table.table, rows: 0, decryptedColumns: plan.out.filter((c) => c.decrypt).map((c) => c.name), omittedColumns: plan.omitted };
    summary.tables.push(entry);
    add(`tables/${plan.table.table}.json`, Readable.from(asJson(tableRows(deps, orgId, plan, (n) => (entry.rows += n)))));
    add(`tables/${plan.table.table}.csv`, Readable.from(asCsv(plan.out.map((c) => c.name), tableRows(deps, orgId, plan))));
  }
  const done = new Promise<ExportSummary>((resolve, reject) => {
    archive.on('error', reject);
    archive.on('warning', reject);
    archive.on('end', () => resolve(summary));
    archive.on('close', () => reject(new Error('the export was cut short (the download was interrupted)')));
  });
  // Nobody may be left waiting on an unhandled rejection when the caller only pipes the stream.
  done.catch(() => undefined);
  void archive.finalize().catch(() => undefined);
  return { stream: archive, summary: done };
}
