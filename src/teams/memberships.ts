// Membership repository: plain functions over a transaction already scoped to the organisation.
import type { Tx } from '../db/tenant.js';
import type { Role } from './permissions.js';

export async function findMembership(tx: Tx, orgId: string, userId: string): Promise<{ role: Role } | null> {
  const row = await tx
    .selectFrom('memberships')
    .select('role')
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ?? null;
}

/** The organisation's Admins, row-locked: role changes and removals that could leave none serialise here. */
export async function lockAdmins(tx: Tx, orgId: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('memberships')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('role', '=', 'admin')
    .forUpdate()
    .execute();
  return rows.map((r) => r.user_id);
}

export async function insertMembership(tx: Tx, m: { orgId: string; userId: string; role: Role; at: Date }): Promise<void> {
  await tx.insertInto('memberships').values({ org_id: m.orgId, user_id: m.userId, role: m.role, created_at: m.at }).execute();
}

export interface MemberRow {
  userId: string;
  role: Role;
  joinedAt: Date;
  name: string;
  emailEncrypted: string;
}

export async function listMemberRows(tx: Tx, orgId: string): Promise<MemberRow[]> {
  const rows = await tx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'm.role', 'm.created_at', 'u.name', 'u.email_encrypted'])
    .where('m.org_id', '=', orgId)
    .orderBy('m.created_at')
    .orderBy('m.user_id')
    .execute();
  return rows.map((r) => ({ userId: r.user_id, role: r.role, joinedAt: r.created_at, name: r.name, emailEncrypted: r.email_encrypted }));
}
