// The addresses alerts and notices go to: an organisation's Admins, decrypted only to send.
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import { withOrg } from '../db/tenant.js';

export interface OrgAdmins {
  orgName: string;
  timezone: string;
  admins: { userId: string; email: string; name: string }[];
}

export async function orgAdmins(db: Db, crypto: FieldCrypto, orgId: string): Promise<OrgAdmins | null> {
  return withOrg(db, orgId, async (tx) => {
    const org = await tx.selectFrom('organisations').select(['name', 'timezone']).where('id', '=', orgId).executeTakeFirst();
    if (!org) return null;
    const rows = await tx
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.name', 'u.email_encrypted'])
      .where('m.org_id', '=', orgId)
      .where('m.role', '=', 'admin')
      .orderBy('u.id')
      .execute();
    const admins = [];
    for (const r of rows) {
      const email = await crypto.decryptSystemField({ table: 'users', column: 'email_encrypted', rowId: r.id }, r.email_encrypted, tx);
      admins.push({ userId: r.id, email, name: r.name });
    }
    return { orgName: org.name, timezone: org.timezone, admins };
  });
}
