import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { withOrg, withoutOrg } from '../db/tenant.js';
import { enableTenantRls, grantToApp } from '../db/rls.js';
import { declareEncryptedColumns, EncryptedColumnRegistry } from './column-registry.js';
import { RotationBusyError } from './errors.js';
import { createFieldCrypto, type FieldCrypto } from './field-crypto.js';
import type { KeyEvent } from './key-events.js';
import { createKeyring } from './keyring.js';
import { rotateKeys, runRotationIfDue, type RotationOptions } from './rotation.js';

const DAY = 86_400_000;
const T0 = new Date('2026-01-01T00:00:00Z');

// A tenant table and a system table standing in for the slices' encrypted columns.
async function createTestTables(t: TestDatabase): Promise<void> {
  await sql`create table crypto_test_customers (
    id bigint generated always as identity primary key, org_id uuid not null, email text, name text)`.execute(t.db.owner);
  await enableTenantRls(t.db.owner, 'crypto_test_customers');
  await sql`create table crypto_test_users (id uuid primary key, email text not null)`.execute(t.db.owner);
  await grantToApp(t.db.owner, 'crypto_test_users', ['select', 'insert', 'update']);
  await sql`create table crypto_test_notes (id uuid primary key, body_encrypted text)`.execute(t.db.owner);
  await grantToApp(t.db.owner, 'crypto_test_notes', ['select']);
  // Declared the way a slice's migration does it (the customers table is declared in code below).
  await declareEncryptedColumns(t.db.owner, [{ table: 'crypto_test_users', column: 'email', idColumn: 'id', orgColumn: null }]);
}

function testRegistry(): EncryptedColumnRegistry {
  const r = new EncryptedColumnRegistry();
  r.declare({ table: 'crypto_test_customers', column: 'email', idColumn: 'id', orgColumn: 'org_id' });
  r.declare({ table: 'crypto_test_customers', column: 'name', idColumn: 'id', orgColumn: 'org_id' });
  return r;
}

interface Fixture {
  t: TestDatabase;
  keyDir: string;
  clock: { now: Date; fn: () => Date };
  fc: FieldCrypto;
  events: KeyEvent[];
  registry: EncryptedColumnRegistry;
  opts(extra?: Partial<RotationOptions>): RotationOptions;
  newCrypto(cacheTtlMs?: number): Promise<FieldCrypto>;
  dispose(): Promise<void>;
}

async function fixture(kind: (typeof DB_KINDS)[number]): Promise<Fixture> {
  const t = await createTestDatabase(kind);
  await createTestTables(t);
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-rot-'));
  const clock = { now: T0, fn: () => clock.now };
  const events: KeyEvent[] = [];
  const kms = createKeyring({ dir: keyDir });
  const fc = await createFieldCrypto({ db: t.db, kms, clock: clock.fn, onEvent: (e) => void events.push(e) });
  const registry = testRegistry();
  return {
    t,
    keyDir,
    clock,
    fc,
    events,
    registry,
    opts: (extra = {}) => ({ crypto: fc, registry, clock: clock.fn, graceMs: 0, batchSize: 10, ...extra }),
    newCrypto: (ttl) => createFieldCrypto({ db: t.db, kms: createKeyring({ dir: keyDir }), clock: clock.fn, cache: { ttlMs: ttl } }),
    dispose: async () => {
      await t.dispose();
      fs.rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

async function insertCustomers(f: Fixture, orgId: string, n: number): Promise<Map<string, { email: string; name: string }>> {
  const plain = new Map<string, { email: string; name: string }>();
  await withOrg(f.t.db, orgId, async (tx) => {
    for (let i = 0; i < n; i += 1) {
      const { id } = await tx.insertInto('crypto_test_customers' as never).values({ org_id: orgId } as never).returning('id' as never).executeTakeFirstOrThrow() as { id: string | number };
      const rowId = String(id);
      const email = `customer-${i}-${orgId.slice(0, 8)}@example.com`;
      const name = `Customer ${i} Ñame`;
      const encEmail = await f.fc.encryptField(orgId, { table: 'crypto_test_customers', column: 'email', rowId }, email, tx);
      const encName = await f.fc.encryptField(orgId, { table: 'crypto_test_customers', column: 'name', rowId }, name, tx);
      await sql`update crypto_test_customers set email = ${encEmail}, name = ${encName} where id = ${rowId}`.execute(tx);
      plain.set(rowId, { email, name });
    }
  });
  return plain;
}

async function readCustomers(fc: FieldCrypto, f: Fixture, orgId: string) {
  return withOrg(f.t.db, orgId, async (tx) => {
    const { rows } = await sql<{ id: string; email: string; name: string }>`select id::text as id, email, name from crypto_test_customers order by id`.execute(tx);
    const out = new Map<string, { email: string; name: string; raw: { email: string; name: string } }>();
    for (const r of rows) {
      out.set(r.id, {
        email: await fc.decryptField(orgId, { table: 'crypto_test_customers', column: 'email', rowId: r.id }, r.email, tx),
        name: await fc.decryptField(orgId, { table: 'crypto_test_customers', column: 'name', rowId: r.id }, r.name, tx),
        raw: { email: r.email, name: r.name },
      });
    }
    return out;
  });
}

describe.each(DB_KINDS)('key rotation on %s', (kind) => {
  let f: Fixture;
  const orgA = crypto.randomUUID();
  const orgB = crypto.randomUUID();
  let plainA: Map<string, { email: string; name: string }>;
  let plainB: Map<string, { email: string; name: string }>;
  const userId = crypto.randomUUID();

  beforeAll(async () => {
    f = await fixture(kind);
    await f.fc.createOrgKey(orgA);
    await f.fc.createOrgKey(orgB);
    plainA = await insertCustomers(f, orgA, 45);
    plainB = await insertCustomers(f, orgB, 5);
    const email = await f.fc.encryptSystemField({ table: 'crypto_test_users', column: 'email', rowId: userId }, 'admin@mowt.test');
    await withoutOrg(f.t.db, (tx) => sql`insert into crypto_test_users (id, email) values (${userId}, ${email})`.execute(tx));
    // A value in a column nobody declared: rotation cannot re-encrypt it, and must then never destroy its key.
    const note = await f.fc.encryptSystemField({ table: 'crypto_test_notes', column: 'body_encrypted', rowId: userId }, 'forgotten');
    await f.t.db.owner.insertInto('crypto_test_notes' as never).values({ id: userId, body_encrypted: note } as never).execute();
  });
  afterAll(async () => f?.dispose());

  it('does not rotate at day 89, rotates at day 90', async () => {
    f.clock.now = new Date(T0.getTime() + 89 * DAY);
    const early = await runRotationIfDue(f.opts());
    expect(early.started).toEqual([]);
    expect(early.reencryptedValues).toBe(0);

    f.clock.now = new Date(T0.getTime() + 90 * DAY);
    const report = await runRotationIfDue(f.opts());
    const started = report.started.map((s) => `${s.orgId ?? 'system'}/${s.purpose}:${s.kekFrom}->${s.kekTo}`).sort();
    expect(started).toEqual(
      [`${orgA}/data:1->2`, `${orgA}/index:1->2`, `${orgA}/stripe:1->2`, `${orgB}/data:1->2`, `${orgB}/index:1->2`, `${orgB}/stripe:1->2`, 'system/data:1->2', 'system/index:1->2'].sort(),
    );
    // 45 + 5 customers × 2 columns + 1 user email
    expect(report.reencryptedValues).toBe(101);
    expect(report.retiredKeks).toBe(8);
    expect(report.undeclaredColumns).toContain('crypto_test_notes.body_encrypted');
    expect(report.undeclaredColumns).not.toContain('crypto_test_users.email');
    expect(report.undeclaredColumns).not.toContain('users.email_encrypted');
    expect(report.rewrappedDataKeys).toBeGreaterThanOrEqual(8);

    // Straight after, nothing is due.
    const again = await runRotationIfDue(f.opts());
    expect(again.started).toEqual([]);
  });

  it('afterwards no value depends on the old versions', async () => {
    const { rows } = await sql<{ email: string; name: string }>`select email, name from crypto_test_customers`.execute(f.t.db.owner);
    for (const r of rows) {
      expect(r.email).toMatch(/^mw1:d:2:/);
      expect(r.name).toMatch(/^mw1:d:2:/);
    }
    const user = await sql<{ email: string }>`select email from crypto_test_users`.execute(f.t.db.owner);
    expect(user.rows[0]!.email).toMatch(/^mw1:d:2:/);

    const keks = await f.t.db.owner.selectFrom('crypto_keks').selectAll().where('version', '=', 1).execute();
    expect(keks.every((k) => k.status === 'retired')).toBe(true);
    // Kept for one year for backups.
    for (const k of keks) expect(k.destroy_after!.getTime() - k.retired_at!.getTime()).toBe(365 * DAY);
    const oldDeks = await f.t.db.owner.selectFrom('crypto_data_keys').selectAll().where('version', '=', 1).where('purpose', '!=', 'index').execute();
    expect(oldDeks.every((k) => k.status === 'retired')).toBe(true);
    // Every data key, including the retired and the index keys, is wrapped by a version-2 KEK.
    const wraps = await sql<{ v: number }>`select k.version as v from crypto_data_keys d join crypto_keks k on k.id = d.kek_id`.execute(f.t.db.owner);
    expect(new Set(wraps.rows.map((r) => r.v))).toEqual(new Set([2]));

    // Prove it: destroy every version-1 KEK file and decrypt everything in a fresh process.
    for (const file of fs.readdirSync(f.keyDir).filter((n) => n.endsWith('.v1.key'))) fs.rmSync(path.join(f.keyDir, file));
    const fresh = await f.newCrypto();
    const a = await readCustomers(fresh, f, orgA);
    for (const [id, p] of plainA) expect({ email: a.get(id)!.email, name: a.get(id)!.name }).toEqual(p);
    const b = await readCustomers(fresh, f, orgB);
    for (const [id, p] of plainB) expect(b.get(id)!.email).toBe(p.email);
    expect(await fresh.decryptSystemField({ table: 'crypto_test_users', column: 'email', rowId: userId }, user.rows[0]!.email)).toBe('admin@mowt.test');
    // Blind indexes survive rotation (the index key is re-wrapped, never replaced).
    expect(await fresh.blindIndex(orgA, 'email', 'x@y.z')).toBe(await f.fc.blindIndex(orgA, 'email', 'x@y.z'));
  });

  it('records every step as an event for the audit log', async () => {
    const types = new Set(f.events.map((e) => e.type));
    for (const t of ['key.created', 'kek.rotated', 'data_key.rotated', 'kek.retired', 'data_key.retired', 'reencryption.completed']) expect(types).toContain(t);
    const stored = await f.t.db.owner.selectFrom('crypto_key_events').select(['event', 'org_id']).execute();
    expect(stored.length).toBe(f.events.length);
    expect(JSON.stringify(stored)).not.toMatch(/example\.com/);
  });

  it('reads and writes running concurrently with a rotation never fail', async () => {
    // Readers with no cache (ttl 0) hit the key tables and the keyring on every read, mid-rotation.
    const readers = await Promise.all([f.newCrypto(0), f.newCrypto(0)]);
    let stop = false;
    let reads = 0;
    let writes = 0;
    const failures: unknown[] = [];
    const ids = [...plainA.keys()];
    const loop = async (reader: FieldCrypto, offset: number) => {
      let i = offset;
      while (!stop) {
        const id = ids[i++ % ids.length]!;
        try {
          await withOrg(f.t.db, orgA, async (tx) => {
            const { rows } = await sql<{ email: string }>`select email from crypto_test_customers where id = ${id}`.execute(tx);
            const email = await reader.decryptField(orgA, { table: 'crypto_test_customers', column: 'email', rowId: id }, rows[0]!.email, tx);
            if (email !== plainA.get(id)!.email) throw new Error(`wrong plaintext for ${id}`);
            if (i % 5 === 0) {
              const c = await reader.encryptField(orgA, { table: 'crypto_test_customers', column: 'email', rowId: id }, email, tx);
              await sql`update crypto_test_customers set email = ${c} where id = ${id}`.execute(tx);
              writes += 1;
            }
          });
          reads += 1;
        } catch (err) {
          failures.push(err);
        }
        await new Promise((r) => setImmediate(r));
      }
    };
    const running = readers.map((r, i) => loop(r, i * 7));
    f.clock.now = new Date(f.clock.now.getTime() + DAY);
    const report = await rotateKeys(f.opts({ force: true, batchSize: 4 }));
    stop = true;
    await Promise.all(running);
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(10);
    expect(writes).toBeGreaterThan(0);
    expect(report.started.length).toBe(8);
    const after = await readCustomers(await f.newCrypto(), f, orgA);
    for (const [id, p] of plainA) expect(after.get(id)!.email).toBe(p.email);
    for (const v of after.values()) expect(v.raw.email).toMatch(/^mw1:d:3:/);
  });

  it('resumes re-encryption after a crash without redoing committed batches', async () => {
    f.clock.now = new Date(f.clock.now.getTime() + DAY);
    let batches = 0;
    await expect(
      rotateKeys(
        f.opts({
          force: true,
          batchSize: 10,
          onProgress: (p) => {
            if (p.phase === 'reencrypt' && p.orgId === orgA && (p.rows ?? 0) > 0 && ++batches === 2) throw new Error('simulated crash');
          },
        }),
      ),
    ).rejects.toThrow('simulated crash');
    const mid = await sql<{ email: string }>`select email from crypto_test_customers where org_id = ${orgA}`.execute(f.t.db.owner);
    const v4 = mid.rows.filter((r) => r.email.startsWith('mw1:d:4:')).length;
    expect(v4).toBe(20);
    // Lease released by the failed run; values still readable in between (old version is still kept).
    const between = await readCustomers(await f.newCrypto(), f, orgA);
    for (const [id, p] of plainA) expect(between.get(id)!.email).toBe(p.email);

    const resumed = await runRotationIfDue(f.opts());
    expect(resumed.started).toEqual([]);
    const done = await sql<{ email: string; name: string }>`select email, name from crypto_test_customers`.execute(f.t.db.owner);
    for (const r of done.rows) {
      expect(r.email).toMatch(/^mw1:d:4:/);
      expect(r.name).toMatch(/^mw1:d:4:/);
    }
    const cursor = await f.t.db.owner
      .selectFrom('crypto_reencryption_cursors')
      .selectAll()
      .where('org_id', '=', orgA)
      .where('target_version', '=', 4)
      .where('column_name', '=', 'email')
      .executeTakeFirstOrThrow();
    expect(cursor.done).toBe(true);
    expect(cursor.rows_rewritten).toBe(45);
    const open = await f.t.db.owner.selectFrom('crypto_rotations').select('id').where('finished_at', 'is', null).execute();
    expect(open).toEqual([]);
  });

  it('refuses a second concurrent rotation; the scheduled check skips instead', async () => {
    const first = rotateKeys(f.opts({ force: true, holder: 'one' }));
    await new Promise((r) => setTimeout(r, 5));
    const results = await Promise.allSettled([first, rotateKeys(f.opts({ force: true, holder: 'two' }))]);
    const rejected = results.filter((r) => r.status === 'rejected');
    if (rejected.length > 0) {
      expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(RotationBusyError);
    }
    // Deterministic check: hold the lease by hand.
    await f.t.db.owner.insertInto('crypto_rotation_leases').values({ name: 'key-rotation', holder: 'someone', expires_at: new Date(f.clock.now.getTime() + 60_000) }).execute();
    await expect(rotateKeys(f.opts({ force: true }))).rejects.toBeInstanceOf(RotationBusyError);
    expect((await runRotationIfDue(f.opts())).skipped).toBe('busy');
    await f.t.db.owner.deleteFrom('crypto_rotation_leases').execute();
  });

  it('destroys retired key versions one year after retirement, not before', async () => {
    const retired = await f.t.db.owner.selectFrom('crypto_keks').selectAll().where('status', '=', 'retired').orderBy('destroy_after').execute();
    const first = retired[0]!;
    f.clock.now = new Date(first.destroy_after!.getTime() - 1000);
    const before = await runRotationIfDue(f.opts());
    expect(before.destroyedKeks).toBe(0);
    f.clock.now = new Date(first.destroy_after!.getTime() + 1000);
    const warnings: string[] = [];
    const after = await runRotationIfDue(f.opts({ onProgress: (p) => void (p.phase === 'warning' && warnings.push(p.message)) }));
    expect(after.destroyedKeks).toBeGreaterThan(0);
    expect(warnings.join('\n')).toMatch(/system data data key v1 is past retention but still used by crypto_test_notes.body_encrypted: kept/);
    const v1 = await f.t.db.owner.selectFrom('crypto_keks').select('status').where('version', '=', 1).execute();
    expect(v1.every((k) => k.status === 'destroyed')).toBe(true);
    // Old organisation data keys are gone; the system data key v1 is kept, because the undeclared
    // crypto_test_notes.body_encrypted still holds a value under it — and it still decrypts.
    const oldDeks = await f.t.db.owner.selectFrom('crypto_data_keys').select(['org_id', 'status']).where('version', '=', 1).where('purpose', '=', 'data').execute();
    expect(oldDeks.filter((k) => k.org_id !== null).every((k) => k.status === 'destroyed')).toBe(true);
    expect(oldDeks.find((k) => k.org_id === null)!.status).toBe('retired');
    const note = await f.t.db.owner.selectFrom('crypto_test_notes' as never).select('body_encrypted' as never).executeTakeFirstOrThrow() as { body_encrypted: string };
    expect(await (await f.newCrypto()).decryptSystemField({ table: 'crypto_test_notes', column: 'body_encrypted', rowId: userId }, note.body_encrypted)).toBe('forgotten');
    // Live data is unaffected.
    const now = await readCustomers(await f.newCrypto(), f, orgB);
    for (const [id, p] of plainB) expect(now.get(id)!.email).toBe(p.email);
  });

  it('an organisation erased while its rotation is unfinished does not block later runs', async () => {
    const orgC = crypto.randomUUID();
    await f.fc.createOrgKey(orgC);
    await insertCustomers(f, orgC, 3);
    await expect(
      rotateKeys(f.opts({ force: true, onProgress: (p) => {
        if (p.phase === 'rotate' && p.orgId === orgC) throw new Error('stopped after starting orgC');
      } })),
    ).rejects.toThrow('stopped after starting orgC');
    const open = await f.t.db.owner.selectFrom('crypto_rotations').select('id').where('org_id', '=', orgC).where('finished_at', 'is', null).execute();
    expect(open.length).toBeGreaterThan(0);
    await f.fc.destroyOrgKey(orgC);
    const report = await runRotationIfDue(f.opts());
    expect(report.skipped).toBeUndefined();
    const still = await f.t.db.owner.selectFrom('crypto_rotations').select('id').where('finished_at', 'is', null).execute();
    expect(still).toEqual([]);
    await expect(readCustomers(await f.newCrypto(), f, orgC)).rejects.toThrow(/has been destroyed/);
  });
});
