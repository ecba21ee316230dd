// A plain pg_dump of a database holding encrypted values contains none of them in clear, and no key
// material either: data keys are stored wrapped, key-encryption keys live outside the database.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { enableTenantRls, grantToApp } from '../db/rls.js';
import { withOrg, withoutOrg } from '../db/tenant.js';
import { createFieldCrypto, type FieldCrypto } from './field-crypto.js';
import { createKeyring } from './keyring.js';

const run = promisify(execFile);
const PG_DUMP = '/usr/bin/pg_dump';

describe('pg_dump of the PostgreSQL database', () => {
  let t: TestDatabase;
  let keyDir: string;
  let fc: FieldCrypto;
  const org = crypto.randomUUID();
  const secrets: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-dump-'));
    fc = await createFieldCrypto({ db: t.db, kms: createKeyring({ dir: keyDir }) });
    await sql`create table crypto_dump_customers (id uuid primary key, org_id uuid not null, email text, email_bidx text,
      name text, phone text, address text, metadata text, amount integer)`.execute(t.db.owner);
    await enableTenantRls(t.db.owner, 'crypto_dump_customers');
    await sql`create table crypto_dump_users (id uuid primary key, email text, email_bidx text, totp_secret text)`.execute(t.db.owner);
    await grantToApp(t.db.owner, 'crypto_dump_users', ['select', 'insert']);
    await sql`create table crypto_dump_stripe (id uuid primary key, org_id uuid not null, access_token text, raw_payload text)`.execute(t.db.owner);
    await enableTenantRls(t.db.owner, 'crypto_dump_stripe');

    await fc.createOrgKey(org);
    await withOrg(t.db, org, async (tx) => {
      for (let i = 0; i < 20; i += 1) {
        const id = crypto.randomUUID();
        const v = {
          email: `dump-victim-${i}@plaintext-leak.example`,
          name: `Leaky McPlaintext ${i}`,
          phone: `+44 20 7946 ${String(1000 + i)}`,
          address: `${i} Confidential Lane, London`,
          metadata: JSON.stringify({ internal_note: `vip-customer-${i}` }),
        };
        secrets.push(...Object.values(v), `vip-customer-${i}`);
        const enc = async (column: string, value: string) => fc.encryptField(org, { table: 'crypto_dump_customers', column, rowId: id }, value, tx);
        await sql`insert into crypto_dump_customers values (${id}, ${org}, ${await enc('email', v.email)},
          ${await fc.blindIndex(org, 'email', v.email, tx)}, ${await enc('name', v.name)}, ${await enc('phone', v.phone)},
          ${await enc('address', v.address)}, ${await enc('metadata', v.metadata)}, ${1000 + i})`.execute(tx);
      }
      const sid = crypto.randomUUID();
      const token = `sk_live_${crypto.randomBytes(12).toString('hex')}`;
      const payload = JSON.stringify({ object: 'customer', email: 'payload-person@plaintext-leak.example' });
      secrets.push(token, 'payload-person@plaintext-leak.example');
      await sql`insert into crypto_dump_stripe values (${sid}, ${org},
        ${await fc.encryptField(org, { table: 'crypto_dump_stripe', column: 'access_token', rowId: sid, purpose: 'stripe' }, token, tx)},
        ${await fc.encryptField(org, { table: 'crypto_dump_stripe', column: 'raw_payload', rowId: sid }, payload, tx)})`.execute(tx);
    });
    await withoutOrg(t.db, async (tx) => {
      const uid = crypto.randomUUID();
      const email = 'Staff.Member@plaintext-leak.example';
      const totp = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
      secrets.push(email, email.toLowerCase(), totp);
      await sql`insert into crypto_dump_users values (${uid},
        ${await fc.encryptSystemField({ table: 'crypto_dump_users', column: 'email', rowId: uid }, email, tx)},
        ${await fc.blindIndex(null, 'email', email, tx)},
        ${await fc.encryptSystemField({ table: 'crypto_dump_users', column: 'totp_secret', rowId: uid }, totp, tx)})`.execute(tx);
    });
  });

  afterAll(async () => {
    await t?.dispose();
    if (keyDir) fs.rmSync(keyDir, { recursive: true, force: true });
  });

  it('contains no plaintext value and no key material', async () => {
    const { stdout: dump } = await run(PG_DUMP, ['--no-owner', t.url!], { maxBuffer: 64 * 1024 * 1024 });
    expect(dump).toContain('COPY public.crypto_dump_customers');
    expect(dump).toMatch(/mw1:d:1:/);
    expect(dump).toMatch(/mw1:s:1:/);
    const lower = dump.toLowerCase();
    for (const s of secrets) expect(lower, s).not.toContain(s.toLowerCase());
    // Nor in base64 (a lazy "encryption" would leave it there).
    for (const s of secrets) expect(dump).not.toContain(Buffer.from(s).toString('base64').slice(0, 16));

    // The unwrapped data keys appear nowhere (bytea is dumped as hex, so check hex and base64).
    const kms = createKeyring({ dir: keyDir });
    const rows = await t.db.owner
      .selectFrom('crypto_data_keys')
      .innerJoin('crypto_keks', 'crypto_keks.id', 'crypto_data_keys.kek_id')
      .select(['crypto_data_keys.org_id', 'crypto_data_keys.purpose', 'crypto_data_keys.wrapped_key', 'crypto_keks.kms_ref'])
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const r of rows) {
      const raw = await kms.unwrapKey(r.kms_ref, Buffer.from(r.wrapped_key!), { scope: r.org_id ?? 'system', purpose: r.purpose });
      expect(lower).not.toContain(raw.toString('hex'));
      expect(dump).not.toContain(raw.toString('base64'));
    }
    // Key-encryption keys are files outside the database; the dump names them, never holds them.
    for (const file of fs.readdirSync(keyDir)) {
      const { key } = JSON.parse(fs.readFileSync(path.join(keyDir, file), 'utf8')) as { key: string };
      expect(dump).not.toContain(key);
      expect(lower).not.toContain(Buffer.from(key, 'base64').toString('hex'));
    }
  });
});
