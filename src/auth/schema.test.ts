import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { withoutOrg } from '../db/tenant.js';
import { createUser } from './create-user.js';
import { countingHasher, GOOD_PASSWORD, manualClock, testFieldCrypto, uniqueEmail } from './test-support.js';

describe.each(DB_KINDS)('auth tables on %s', (kind) => {
  let t: TestDatabase;
  const deps = () => ({ db: t.db, crypto: testFieldCrypto(), hasher: countingHasher(), clock: manualClock() });

  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('createUser stores the address encrypted with a blind index, and the hash in its own table', async () => {
    const d = deps();
    const email = uniqueEmail('Mixed.Case');
    const { id } = await createUser(d, { email: `  ${email.toUpperCase()} `, name: ' Ada ', password: GOOD_PASSWORD });
    const user = await t.db.owner.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(user.name).toBe('Ada');
    expect(JSON.stringify(user).toLowerCase()).not.toContain(email.toLowerCase());
    expect(user.email_index).toBe(await d.crypto.blindIndex(null, 'email', email.toLowerCase()));
    expect(await d.crypto.decryptSystemField({ table: 'users', column: 'email_encrypted', rowId: id }, user.email_encrypted)).toBe(email.toLowerCase());
    expect(Object.keys(user)).not.toContain('hash');
    const pw = await t.db.owner.selectFrom('user_passwords').select('hash').where('user_id', '=', id).executeTakeFirstOrThrow();
    expect(pw.hash).toMatch(/^\$2b\$04\$/);
  });

  it('refuses a second account for the same address (any case) and a weak password', async () => {
    const d = deps();
    const email = uniqueEmail();
    await createUser(d, { email, name: 'First', password: GOOD_PASSWORD });
    await expect(createUser(d, { email: email.toUpperCase(), name: 'Second', password: GOOD_PASSWORD })).rejects.toMatchObject({ status: 409 });
    await expect(createUser(d, { email: uniqueEmail(), name: 'Weak', password: 'password1234' })).rejects.toMatchObject({ status: 422 });
  });

  it('only accepts bcrypt $2b$ hashes', async () => {
    const d = deps();
    const { id } = await createUser(d, { email: uniqueEmail(), name: 'Check', password: GOOD_PASSWORD });
    await expect(withoutOrg(t.db, (tx) => tx.updateTable('user_passwords').set({ hash: 'plaintext' }).where('user_id', '=', id).execute())).rejects.toThrow();
  });

  it('declares the encrypted columns so key rotation re-encrypts them', async () => {
    const rows = await t.db.owner.selectFrom('crypto_encrypted_columns').select(['table_name', 'column_name', 'org_column']).where('table_name', 'in', ['users', 'user_totp']).execute();
    expect(rows.map((r) => `${r.table_name}.${r.column_name}:${r.org_column}`).sort()).toEqual(['user_totp.secret_encrypted:null', 'users.email_encrypted:null']);
  });

  it('lets the app role use the auth tables', async () => {
    const res = await withoutOrg(t.db, (tx) => sql<{ n: number }>`select count(*)::int as n from sessions`.execute(tx));
    expect(res.rows[0]!.n).toBeGreaterThanOrEqual(0);
  });
});
