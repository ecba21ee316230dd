// Backup → restore on both databases: same rows and data in an empty target, a non-empty target refused;
// tampered, truncated, wrong-key and altered-manifest backups refused with nothing written; restore-test
// recording pass, shredded organisations (crypto-shredding reaches backups), and fail on corruption.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { createFieldCrypto, createKeyring, declareEncryptedColumns, type FieldCrypto, type Kms } from '../crypto/index.js';
import { openDatabase, type Db } from '../db/database.js';
import { migrations } from '../db/migrations/index.js';
import { enableTenantRls } from '../db/rls.js';
import { withOrg } from '../db/tenant.js';
import { BackupFormatError, BackupIntegrityError } from './backup-format.js';
import { BackupKeyError } from './backup-key.js';
import { lastBackupRun, lastRestoreTest } from './backup-log.js';
import { runBackup } from './backup.js';
import { createLocalStore } from './local-store.js';
import { backupSourceFromFile, restoreBackup, RestoreTargetNotEmptyError, type RestoreTarget } from './restore.js';
import { runRestoreTest } from './restore-test.js';
import { isEmptyDatabase } from './snapshot-stats.js';
import { isEmptyDir } from './pglite-dump.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-backup-test-'));

describe.each(DB_KINDS)('backups on %s', (kind) => {
  let t: TestDatabase;
  let kms: Kms;
  let fc: FieldCrypto;
  let dir: string;
  let backupFile: string;
  const cleanups: (() => Promise<unknown>)[] = [];
  const orgA = crypto.randomUUID();
  const orgB = crypto.randomUUID();

  /** An empty restore target of this kind (its own folder or database). */
  async function emptyTarget(): Promise<RestoreTarget> {
    if (kind === 'pglite') return { kind, dir: path.join(tmp(), 'db') };
    const e = await createTestDatabase('postgres', { migrate: false });
    cleanups.push(() => e.dispose());
    return { kind, url: e.url! };
  }
  const openTarget = (target: RestoreTarget): Promise<Db> =>
    target.kind === 'pglite' ? openDatabase({ kind: 'pglite', dir: target.dir }) : openDatabase({ kind: 'postgres', url: target.url, poolSize: 2 });
  async function targetIsEmpty(target: RestoreTarget): Promise<boolean> {
    if (target.kind === 'pglite') return isEmptyDir(target.dir);
    const db = await openTarget(target);
    try {
      return (await isEmptyDatabase(db.owner)).empty;
    } finally {
      await db.close();
    }
  }

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    dir = tmp();
    kms = createKeyring({ dir: path.join(dir, 'keys') });
    fc = await createFieldCrypto({ db: t.db, kms });
    // A tenant table with an encrypted column, declared like a slice's migration would.
    await sql`create table backup_test_notes (id uuid primary key, org_id uuid not null references organisations(id), note text not null)`.execute(t.db.owner);
    await enableTenantRls(t.db.owner, 'backup_test_notes');
    await declareEncryptedColumns(t.db.owner, [{ table: 'backup_test_notes', column: 'note', idColumn: 'id', orgColumn: 'org_id' }]);
    for (const [org, region] of [[orgA, 'eu-west-2'], [orgB, 'eu-west-1']] as const) {
      await t.db.owner.insertInto('organisations').values({ id: org, name: `Org ${org.slice(0, 4)}`, data_region: region }).execute();
      await fc.createOrgKey(org);
      await withOrg(t.db, org, async (tx) => {
        for (let i = 0; i < 4; i++) {
          const id = crypto.randomUUID();
          const note = await fc.encryptField(org, { table: 'backup_test_notes', column: 'note', rowId: id }, `note ${i} of ${org}`, tx);
          await sql`insert into backup_test_notes values (${id}, ${org}, ${note})`.execute(tx);
        }
      });
    }
    for (let i = 0; i < 3; i++) {
      const id = crypto.randomUUID();
      const email = `person${i}@example.com`;
      await t.db.owner
        .insertInto('users')
        .values({
          id,
          name: `Person ${i}`,
          email_encrypted: await fc.encryptSystemField({ table: 'users', column: 'email_encrypted', rowId: id }, email),
          email_index: await fc.blindIndex(null, 'email', email),
        })
        .execute();
    }
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await t?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const store = () => createLocalStore(path.join(dir, 'backups'));

  it('writes an encrypted backup and a signed manifest, 0600, recorded as a run', async () => {
    const progress: number[] = [];
    const { manifest, location } = await runBackup({
      db: t.db,
      crypto: fc,
      store: store(),
      postgresUrl: t.url,
      production: false,
      primaryRegion: 'eu-west-2',
      onProgress: (p) => progress.push(p.bytes),
    });
    backupFile = location;
    expect(fs.statSync(location).mode & 0o777).toBe(0o600);
    expect(fs.statSync(location.replace('.mowtbak', '.manifest.json')).mode & 0o777).toBe(0o600);
    expect(manifest.dbKind).toBe(kind);
    expect(manifest.schemaVersion).toBe(Object.keys(migrations).at(-1));
    expect(manifest.ciphertext.bytes).toBe(fs.statSync(location).size);
    expect(manifest.tables).toContainEqual({ schema: 'public', table: 'backup_test_notes', rows: 8 });
    expect(manifest.tables).toContainEqual({ schema: 'public', table: 'users', rows: 3 });
    expect(manifest.regions.orgDataRegions).toEqual(['eu-west-1', 'eu-west-2']);
    expect(manifest.key).toMatchObject({ kmsKind: 'keyring', purpose: 'backup', scope: 'system' });
    expect(progress.length).toBeGreaterThan(0);
    // Nothing readable inside: no email, no note, no table name from the dump.
    const bytes = fs.readFileSync(location);
    for (const s of ['person0@example.com', 'backup_test_notes', 'CREATE TABLE']) expect(bytes.includes(s)).toBe(false);
    const run = await lastBackupRun(t.db);
    expect(run).toMatchObject({ id: manifest.backupId, ok: true });
  });

  it('restores into an empty database with the same rows and data, and refuses a non-empty one', async () => {
    const target = await emptyTarget();
    const source = await backupSourceFromFile(backupFile);
    await restoreBackup(source, { kms, target });
    const restored = await openTarget(target);
    try {
      // Tables the backup run itself does not touch afterwards are identical, value for value.
      for (const table of ['organisations', 'users', 'backup_test_notes', 'crypto_data_keys', 'crypto_keks', 'kysely_migration']) {
        const q = (db: Db) => sql<Record<string, unknown>>`select * from ${sql.table(table)} order by 1`.execute(db.owner);
        expect((await q(restored)).rows, table).toEqual((await q(t.db)).rows);
      }
      // Every table has the rows the manifest counted in the snapshot.
      for (const c of source.manifest.tables) {
        const { rows } = await sql<{ n: string | number }>`select count(*) as n from ${sql.id(c.schema, c.table)}`.execute(restored.owner);
        expect(Number(rows[0]!.n), `${c.schema}.${c.table}`).toBe(c.rows);
      }
      // Encrypted values still open with the same KMS, through the app role and row-level security.
      const crypto2 = await createFieldCrypto({ db: restored, kms });
      const notes = await withOrg(restored, orgA, (tx) => tx.selectFrom('backup_test_notes' as never).selectAll().execute()) as { id: string; note: string }[];
      expect(notes).toHaveLength(4);
      const plain = await Promise.all(notes.map((n) => crypto2.decryptField(orgA, { table: 'backup_test_notes', column: 'note', rowId: n.id }, n.note)));
      expect(plain.sort()).toEqual([0, 1, 2, 3].map((i) => `note ${i} of ${orgA}`));
    } finally {
      await restored.close();
    }
    await expect(restoreBackup(source, { kms, target })).rejects.toBeInstanceOf(RestoreTargetNotEmptyError);
  }, 120_000);

  it('refuses tampered, truncated, wrong-key and altered-manifest backups and writes nothing', async () => {
    const target = await emptyTarget();
    const work = tmp();
    const original = fs.readFileSync(backupFile);
    const manifestText = fs.readFileSync(backupFile.replace('.mowtbak', '.manifest.json'), 'utf8');
    const variant = (name: string, bytes: Buffer, manifest = manifestText) => {
      fs.writeFileSync(path.join(work, `${name}.mowtbak`), bytes);
      fs.writeFileSync(path.join(work, `${name}.manifest.json`), manifest);
      return backupSourceFromFile(path.join(work, `${name}.mowtbak`));
    };
    const flipped = Buffer.from(original);
    flipped[Math.floor(original.length / 2)]! ^= 0x40;
    const attempts: [string, () => Promise<unknown>, RegExp][] = [
      ['tampered', () => variant('tampered', flipped).then((s) => restoreBackup(s, { kms, target })), /failed authentication|does not match/],
      ['truncated', () => variant('truncated', original.subarray(0, original.length - 1000)).then((s) => restoreBackup(s, { kms, target })), /truncated|does not match/],
      ['wrong keyring', () => variant('wrongkey', original).then((s) => restoreBackup(s, { kms: createKeyring({ dir: path.join(work, 'other-keys') }), target })), /backup key .* does not open this backup/],
    ];
    // A keyring holding a different key under the same name: unwrapping fails, not decrypting garbage.
    const impostor = createKeyring({ dir: path.join(work, 'impostor-keys') });
    await impostor.createKek({ scope: 'system', purpose: 'backup', version: 1 });
    attempts.push(['impostor key', () => variant('impostor', original).then((s) => restoreBackup(s, { kms: impostor, target })), /does not open this backup/]);
    const m = JSON.parse(manifestText) as { tables: { rows: number }[] };
    m.tables[0]!.rows += 1;
    attempts.push(['altered manifest', () => variant('manifest', original, JSON.stringify(m)).then((s) => restoreBackup(s, { kms, target })), /manifest failed authentication/]);
    for (const [name, attempt, message] of attempts) {
      const err = await attempt().then(() => undefined, (e: unknown) => e as Error);
      expect(err, name).toBeDefined();
      expect([BackupIntegrityError, BackupFormatError, BackupKeyError].some((c) => err instanceof c), `${name}: ${err?.name}`).toBe(true);
      expect(err!.message, name).toMatch(message);
      expect(await targetIsEmpty(target), `${name} wrote nothing`).toBe(true);
    }
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('restore-test records a pass with a shredded organisation unreadable, and fails on a corrupted backup', async () => {
    // Erasure after the backup: organisation B's key is destroyed, so its values in the old backup are
    // unreadable (counted as shredded, not as a failure), while organisation A and the system scope
    // restore intact.
    await fc.destroyOrgKey(orgB);
    const pass = await runRestoreTest({ db: t.db, kms, store: store(), postgresUrl: t.url, samplePerColumn: 10 });
    expect(pass.problems).toEqual([]);
    expect(pass.ok).toBe(true);
    expect(pass.valuesShredded).toBe(4);
    expect(pass.valuesDecrypted).toBe(4 + 3);
    expect(pass.tables.length).toBeGreaterThan(10);
    expect(pass.rowsChecked).toBeGreaterThan(0);
    expect(await lastRestoreTest(t.db)).toMatchObject({ ok: true, backup_id: pass.backupId });

    // Corrupt the newest backup in the store: the test fails, says why, and the failure is recorded.
    const newest = (await store().list())[0]!;
    const file = path.join(dir, 'backups', newest.manifest.file);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 20]! ^= 1;
    fs.writeFileSync(file, bytes);
    const fail = await runRestoreTest({ db: t.db, kms, store: store(), postgresUrl: t.url });
    expect(fail.ok).toBe(false);
    expect(fail.problems.join(' ')).toMatch(/failed authentication/);
    expect(await lastRestoreTest(t.db)).toMatchObject({ ok: false, backup_id: newest.manifest.backupId });
  }, 180_000);
});
