import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { withOrg } from '../db/tenant.js';
import { createFieldCrypto, type FieldCrypto } from './field-crypto.js';
import { DecryptionError, KeyDestroyedError, MalformedCiphertextError } from './errors.js';
import { createKeyring } from './keyring.js';
import { auditKeyEvents } from './audit-key-events.js';
import { parseCiphertext, formatCiphertext } from './ciphertext-format.js';

const orgA = crypto.randomUUID();
const orgB = crypto.randomUUID();
const where = { table: 'customers', column: 'email', rowId: 'cus_1' };

describe.each(DB_KINDS)('field encryption on %s', (kind) => {
  let t: TestDatabase;
  let keyDir: string;
  let fc: FieldCrypto;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-keys-'));
    fc = await createFieldCrypto({ db: t.db, kms: createKeyring({ dir: keyDir }) });
    await fc.createOrgKey(orgA);
    await fc.createOrgKey(orgB);
  });
  afterAll(async () => {
    await t?.dispose();
    fs.rmSync(keyDir, { recursive: true, force: true });
  });

  it('round-trips text, including empty and non-ASCII values, with a fresh nonce each time', async () => {
    for (const value of ['ada@example.com', '', 'Zoë Ñandú 🎉', 'x'.repeat(10_000)]) {
      const c1 = await fc.encryptField(orgA, where, value);
      const c2 = await fc.encryptField(orgA, where, value);
      expect(c1).not.toBe(c2);
      expect(c1).toMatch(/^mw1:d:1:[A-Za-z0-9_-]+$/);
      if (value) expect(c1).not.toContain(value);
      expect(await fc.decryptField(orgA, where, c1)).toBe(value);
    }
  });

  it('fails when the ciphertext is tampered with, anywhere', async () => {
    const c = await fc.encryptField(orgA, where, 'secret@example.com');
    const parsed = parseCiphertext(c);
    for (let i = 0; i < parsed.sealed.length; i += 7) {
      const sealed = Buffer.from(parsed.sealed);
      sealed[i] = sealed[i]! ^ 0x01;
      await expect(fc.decryptField(orgA, where, formatCiphertext({ ...parsed, sealed }))).rejects.toBeInstanceOf(DecryptionError);
    }
    await expect(fc.decryptField(orgA, where, c.slice(0, -4))).rejects.toBeInstanceOf(DecryptionError);
    await expect(fc.decryptField(orgA, where, 'plain text')).rejects.toBeInstanceOf(MalformedCiphertextError);
    await expect(fc.decryptField(orgA, where, c.replace('mw1:d:1:', 'mw1:s:1:'))).rejects.toBeInstanceOf(DecryptionError);
  });

  it('fails when the ciphertext is copied to another organisation, table, column or row', async () => {
    const c = await fc.encryptField(orgA, where, 'copied@example.com');
    await expect(fc.decryptField(orgB, where, c)).rejects.toBeInstanceOf(DecryptionError);
    await expect(fc.decryptField(orgA, { ...where, rowId: 'cus_2' }, c)).rejects.toBeInstanceOf(DecryptionError);
    await expect(fc.decryptField(orgA, { ...where, column: 'name' }, c)).rejects.toBeInstanceOf(DecryptionError);
    await expect(fc.decryptField(orgA, { ...where, table: 'users' }, c)).rejects.toBeInstanceOf(DecryptionError);
    await expect(fc.decryptField(null, where, c)).rejects.toBeInstanceOf(DecryptionError);
    await expect(fc.decryptField(orgA, { ...where, purpose: 'stripe' }, c)).rejects.toBeInstanceOf(DecryptionError);
  });

  it('keeps Stripe secrets under their own key and system values under the system key', async () => {
    const token = await fc.encryptField(orgA, { table: 'stripe_connections', column: 'access_token', rowId: '1', purpose: 'stripe' }, 'sk_live_x');
    expect(token).toMatch(/^mw1:s:1:/);
    expect(await fc.decryptField(orgA, { table: 'stripe_connections', column: 'access_token', rowId: '1' }, token)).toBe('sk_live_x');
    const email = await fc.encryptSystemField({ table: 'users', column: 'email', rowId: 'u1' }, 'ada@example.com');
    expect(await fc.decryptSystemField({ table: 'users', column: 'email', rowId: 'u1' }, email)).toBe('ada@example.com');
    expect(await fc.decryptField(null, { table: 'users', column: 'email', rowId: 'u1' }, email)).toBe('ada@example.com');
    // Different KEK files per purpose and organisation.
    const files = fs.readdirSync(keyDir).sort();
    expect(files).toContain(`${orgA}.stripe.v1.key`);
    expect(files).toContain(`${orgA}.data.v1.key`);
    expect(files).toContain('system.data.v1.key');
  });

  it('works inside a caller transaction scoped to the organisation', async () => {
    const out = await withOrg(t.db, orgA, async (tx) => {
      const c = await fc.encryptField(orgA, where, 'in-tx', tx);
      fc.keys.forget();
      return fc.decryptField(orgA, where, c, tx);
    });
    expect(out).toBe('in-tx');
  });

  it('names the mistake when a transaction of another organisation is passed', async () => {
    const org = crypto.randomUUID();
    await expect(withOrg(t.db, orgA, (tx) => fc.encryptField(org, where, 'x', tx))).rejects.toThrow(
      /transaction scoped to .* pass a transaction from withOrg/,
    );
  });

  it('hands key events to the listener inside the caller transaction (no second transaction, no deadlock)', async () => {
    const seen: { type: string; inTx: boolean }[] = [];
    const audited = await createFieldCrypto({
      db: t.db,
      kms: createKeyring({ dir: keyDir }),
      onEvent: async (e, tx) => {
        seen.push({ type: e.type, inTx: tx !== undefined });
        await auditKeyEvents(t.db)(e, tx);
      },
    });
    const org = crypto.randomUUID();
    await withOrg(t.db, org, (tx) => audited.createOrgKey(org, tx));
    expect(seen.filter((e) => e.type === 'key.created')).toHaveLength(6);
    expect(seen.every((e) => e.inTx)).toBe(true);
    const entries = await withOrg(t.db, org, (tx) => tx.selectFrom('audit_log').select(['action', 'actor_type']).execute());
    expect(entries.filter((e) => e.action === 'crypto.key.created')).toHaveLength(6);
    await audited.destroyOrgKey(org);
    const after = await withOrg(t.db, org, (tx) => tx.selectFrom('audit_log').select('action').execute());
    expect(after.map((e) => e.action)).toContain('crypto.org_keys.destroyed');
  });

  it('blind indexes normalise emails, differ per organisation and per kind', async () => {
    const a = await fc.blindIndex(orgA, 'email', '  Ada@Example.COM ');
    expect(a).toBe(await fc.blindIndex(orgA, 'email', 'ada@example.com'));
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(await fc.blindIndex(orgB, 'email', 'ada@example.com'));
    expect(a).not.toBe(await fc.blindIndex(null, 'email', 'ada@example.com'));
    expect(a).not.toBe(await fc.blindIndex(orgA, 'exact', 'ada@example.com'));
  });

  it('a destroyed organisation key fails at once with KeyDestroyedError, even when cached', async () => {
    const org = crypto.randomUUID();
    await fc.createOrgKey(org);
    const c = await fc.encryptField(org, where, 'shred me');
    expect(await fc.decryptField(org, where, c)).toBe('shred me');
    await fc.destroyOrgKey(org);
    await expect(fc.decryptField(org, where, c)).rejects.toBeInstanceOf(KeyDestroyedError);
    await expect(fc.encryptField(org, where, 'new')).rejects.toBeInstanceOf(KeyDestroyedError);
    expect(fs.readdirSync(keyDir).filter((f) => f.startsWith(org))).toEqual([]);
    // A second process (fresh cache) gets the same clear error, never garbage.
    const other = await createFieldCrypto({ db: t.db, kms: createKeyring({ dir: keyDir }) });
    await expect(other.decryptField(org, where, c)).rejects.toThrow(/has been destroyed/);
    // Other organisations are untouched.
    const ok = await fc.encryptField(orgA, where, 'still fine');
    expect(await other.decryptField(orgA, where, ok)).toBe('still fine');
  });

  it('a database backup of a shredded organisation cannot be decrypted', async () => {
    const org = crypto.randomUUID();
    const c = await fc.encryptField(org, where, 'backed up');
    // The "backup": the organisation's wrapped key rows as they were before erasure.
    const backup = await withOrg(t.db, org, (tx) => tx.selectFrom('crypto_data_keys').selectAll().where('org_id', '=', org).execute());
    await fc.destroyOrgKey(org);
    // Restore the rows (as the owner would from a dump) and try again in a fresh process.
    for (const row of backup) {
      await t.db.owner
        .updateTable('crypto_data_keys')
        .set({ wrapped_key: row.wrapped_key, status: row.status, destroyed_at: null })
        .where('id', '=', row.id)
        .execute();
    }
    await t.db.owner.updateTable('crypto_keks').set({ status: 'active', destroyed_at: null }).where('org_id', '=', org).execute();
    const restored = await createFieldCrypto({ db: t.db, kms: createKeyring({ dir: keyDir }) });
    await expect(restored.decryptField(org, where, c)).rejects.toBeInstanceOf(KeyDestroyedError);
  });

  it('creates a key lazily for an organisation that never called createOrgKey, once under concurrency', async () => {
    const org = crypto.randomUUID();
    const values = await Promise.all(Array.from({ length: 20 }, (_, i) => fc.encryptField(org, { ...where, rowId: String(i) }, `v${i}`)));
    for (const [i, c] of values.entries()) expect(await fc.decryptField(org, { ...where, rowId: String(i) }, c)).toBe(`v${i}`);
    const rows = await withOrg(t.db, org, (tx) => tx.selectFrom('crypto_data_keys').select('version').where('org_id', '=', org).execute());
    expect(rows).toHaveLength(1);
  });

  it('row-level security hides other organisations\u2019 wrapped keys', async () => {
    const visible = await withOrg(t.db, orgA, (tx) => tx.selectFrom('crypto_data_keys').select('org_id').execute());
    expect(new Set(visible.map((r) => r.org_id))).toEqual(new Set([orgA, null]));
  });
});
