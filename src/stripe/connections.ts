// Repository of stripe_connections and the system directory beside it.
import type { Db } from '../db/database.js';
import { withoutOrg, type Tx } from '../db/tenant.js';
import type { Selectable } from 'kysely';
import type { ConnectionKind, StripeConnectionDirectoryTable, StripeConnectionRow } from './connections.table.js';

export async function findConnection(tx: Tx, connectionId: string): Promise<StripeConnectionRow | undefined> {
  return tx.selectFrom('stripe_connections').selectAll().where('id', '=', connectionId).executeTakeFirst();
}

export async function listConnections(tx: Tx): Promise<StripeConnectionRow[]> {
  return tx.selectFrom('stripe_connections').selectAll().orderBy('created_at').execute();
}

export interface NewConnection {
  orgId: string;
  kind: ConnectionKind;
  stripeAccountId: string;
  livemode: boolean;
  accountCreated: number | null;
  label: string;
  isDemo?: boolean;
  tokenMasked: string;
  createdBy: string | null;
  now: Date;
}

/** Inserts the row without secrets (they are encrypted against its id next) and its directory entry. */
export async function insertConnection(tx: Tx, c: NewConnection): Promise<string> {
  const row = await tx.insertInto('stripe_connections').values({
    org_id: c.orgId, kind: c.kind, stripe_account_id: c.stripeAccountId, livemode: c.livemode, account_created: c.accountCreated, label: c.label, is_demo: c.isDemo ?? false,
    token_encrypted: null, refresh_token_encrypted: null, token_expires_at: null, token_masked: c.tokenMasked,
    webhook_secret_encrypted: null, status: 'active', last_error: null, created_by: c.createdBy, created_at: c.now, updated_at: c.now,
  }).returning('id').executeTakeFirstOrThrow();
  await insertEntry(tx, { connectionId: row.id, orgId: c.orgId, stripeAccountId: c.stripeAccountId, kind: c.kind, livemode: c.livemode });
  return row.id;
}

export async function connectionExistsFor(tx: Tx, stripeAccountId: string, livemode: boolean): Promise<boolean> {
  const row = await tx.selectFrom('stripe_connections').select('id').where('stripe_account_id', '=', stripeAccountId).where('livemode', '=', livemode).executeTakeFirst();
  return row !== undefined;
}

export interface DirectoryEntry {
  connectionId: string;
  orgId: string;
  stripeAccountId: string;
  kind: ConnectionKind;
  livemode: boolean;
}

const toEntry = (r: Selectable<StripeConnectionDirectoryTable>): DirectoryEntry =>
  ({ connectionId: r.connection_id, orgId: r.org_id, stripeAccountId: r.stripe_account_id, kind: r.kind, livemode: r.livemode });

async function insertEntry(tx: Tx, e: DirectoryEntry): Promise<void> {
  await tx.insertInto('stripe_connection_directory')
    .values({ connection_id: e.connectionId, org_id: e.orgId, stripe_account_id: e.stripeAccountId, kind: e.kind, livemode: e.livemode }).execute();
}

/** A connection that changes kind (a restricted key replaced by the Stripe App) is routed by its new kind. */
export async function setDirectoryKind(tx: Tx, e: DirectoryEntry): Promise<void> {
  // The app role may insert and delete directory rows, never rewrite them.
  await tx.deleteFrom('stripe_connection_directory').where('connection_id', '=', e.connectionId).execute();
  await insertEntry(tx, e);
}

/** Every connection of every organisation (the poll scheduler's list). */
export async function allConnections(db: Db): Promise<DirectoryEntry[]> {
  return withoutOrg(db, async (tx) => (await tx.selectFrom('stripe_connection_directory').selectAll().execute()).map(toEntry));
}

export async function directoryByConnection(db: Db, connectionId: string): Promise<DirectoryEntry | undefined> {
  return withoutOrg(db, async (tx) => {
    const r = await tx.selectFrom('stripe_connection_directory').selectAll().where('connection_id', '=', connectionId).executeTakeFirst();
    return r ? toEntry(r) : undefined;
  });
}

/** The connections of a Stripe account with this kind and mode (test-mode data never enters a live connection). */
export async function directoryByAccount(db: Db, stripeAccountId: string, kind: ConnectionKind, livemode: boolean): Promise<DirectoryEntry[]> {
  return withoutOrg(db, async (tx) =>
    (await tx.selectFrom('stripe_connection_directory').selectAll()
      .where('stripe_account_id', '=', stripeAccountId).where('kind', '=', kind).where('livemode', '=', livemode).execute()).map(toEntry));
}
