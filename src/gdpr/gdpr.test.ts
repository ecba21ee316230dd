// GDPR end to end through the real app, on PGlite and PostgreSQL:
//  - the Admin's data export: a zip (read back with yauzl) holding every table with org_id except the
//    excluded ones, addresses decrypted, Stripe tokens only masked, nothing of another organisation; audited;
//  - the backup status route;
//  - deleting an organisation: permission, sudo mode and typed name required; access ends on the next
//    request; rows gone; audit kept with ip/user agent shredded and the chains still verifying; the
//    deletion in the system chain; and the test the issue demands — a backup taken BEFORE the deletion,
//    restored into a scratch database, no longer opens the deleted organisation's encrypted fields (its
//    keys were destroyed outside the database), while the other organisation restores intact.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { totpCodeAt } from '../auth/totp.js';
import { GOOD_PASSWORD, newMember, newOrg, startTeamsApp, uniqueEmail, type SignedIn, type TeamsApp, type TestOrg } from '../../test/security/support.js';
import { verifyAudit } from '../audit/index.js';
import { runBackup } from '../backup/backup.js';
import { createLocalStore } from '../backup/local-store.js';
import { backupSourceFromFile, restoreBackup, type RestoreTarget } from '../backup/restore.js';
import { runRestoreTest } from '../backup/restore-test.js';
import { createFieldCrypto, KeyDestroyedError } from '../crypto/index.js';
import { openDatabase, type Db } from '../db/database.js';
import { withOrg } from '../db/tenant.js';
import { purgeExpiredAudit } from './purge-expired-audit.js';
import { EXPORT_EXCLUDED, listTenantTables } from './tenant-tables.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { OrgDeletedSchema } from './gdpr-schemas.js';

function unzip(buf: Buffer): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const files = new Map<string, string>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe.each(DB_KINDS)('GDPR export and erasure on %s', (kind) => {
  let t: TestDatabase;
  let app: TeamsApp;
  let a: TestOrg;
  let b: TestOrg;
  let aMember: SignedIn;
  let dir: string;
  const cleanups: (() => Promise<void>)[] = [];
  const aInvitee = uniqueEmail('alpha-invitee');
  const bInvitee = uniqueEmail('bravo-invitee');
  const stripeSecret = `rk_live_${crypto.randomBytes(12).toString('hex')}`;
  let backupFile: string;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    app = await startTeamsApp(t.db);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-gdpr-'));
    a = await newOrg(app, 'Alpha Erasure Ltd');
    b = await newOrg(app, 'Bravo Keeps Ltd');
    aMember = await newMember(app, a.id, 'member');
    expect((await a.admin.browser.post(`/api/orgs/${a.id}/invites`, { email: aInvitee, role: 'viewer' })).statusCode).toBe(201);
    expect((await b.admin.browser.post(`/api/orgs/${b.id}/invites`, { email: bInvitee, role: 'viewer' })).statusCode).toBe(201);
    // A Stripe connection of A whose token is stored encrypted under the Stripe purpose.
    const fc = app.services.crypto;
    await withOrg(app.db, a.id, async (tx) => {
      const id = crypto.randomUUID();
      const token = await fc.encryptField(a.id, { table: 'stripe_connections', column: 'token_encrypted', rowId: id, purpose: 'stripe' }, stripeSecret, tx);
      await sql`insert into stripe_connections (id, org_id, kind, stripe_account_id, livemode, label, token_encrypted, token_masked, status, created_at, updated_at)
        values (${id}, ${a.id}, 'restricted_key', 'acct_alpha', true, 'Alpha live', ${token}, ${'rk_live_…' + stripeSecret.slice(-4)}, 'active', now(), now())`.execute(tx);
    });
  }, 300_000);

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await app?.close();
    await t?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exports everything of the organisation as a zip of JSON and CSV, decrypted, secrets left out, audited', async () => {
    expect((await aMember.browser.request('GET', `/api/orgs/${a.id}/data-export`)).statusCode).toBe(403);
    const res = await a.admin.browser.request('GET', `/api/orgs/${a.id}/data-export`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toMatch(new RegExp(`attachment; filename="mowt-export-${a.id}-\\d{4}-\\d{2}-\\d{2}\\.zip"`));
    const files = await unzip(res.rawPayload);

    // Every table holding organisation data is in it, in both formats — a new tenant table is either
    // exported or deliberately excluded; an exclusion must name a table that exists.
    const tenant = (await listTenantTables(t.db.owner)).map((x) => x.table);
    for (const excluded of Object.keys(EXPORT_EXCLUDED)) expect(tenant, `excluded table ${excluded} exists`).toContain(excluded);
    for (const table of tenant.filter((x) => !(x in EXPORT_EXCLUDED))) {
      expect(files.has(`tables/${table}.json`), table).toBe(true);
      expect(files.has(`tables/${table}.csv`), table).toBe(true);
      expect(() => JSON.parse(files.get(`tables/${table}.json`)!), table).not.toThrow();
    }
    for (const excluded of Object.keys(EXPORT_EXCLUDED)) expect(files.has(`tables/${excluded}.json`)).toBe(false);

    expect(JSON.parse(files.get('organisation.json')!)).toMatchObject({ id: a.id, name: 'Alpha Erasure Ltd', dataRegion: 'eu-west-2' });
    const members = JSON.parse(files.get('members.json')!) as { email: string; role: string }[];
    expect(members.map((m) => m.email).sort()).toEqual([a.admin.email, aMember.email].sort());
    expect(files.get('members.csv')!.split('\r\n')[0]).toBe('userId,name,email,role,joinedAt');
    const invites = JSON.parse(files.get('tables/invites.json')!) as Record<string, unknown>[];
    expect(invites.map((i) => i.email)).toEqual([aInvitee]);
    expect(Object.keys(invites[0]!)).not.toContain('email_index');
    expect(Object.keys(invites[0]!)).not.toContain('token_hash');
    const connections = JSON.parse(files.get('tables/stripe_connections.json')!) as Record<string, unknown>[];
    expect(connections).toHaveLength(1);
    expect(connections[0]!.token_masked).toBe(`rk_live_…${stripeSecret.slice(-4)}`);
    expect(Object.keys(connections[0]!)).not.toContain('token_encrypted');
    expect(Object.keys(connections[0]!)).not.toContain('token');
    const audit = JSON.parse(files.get('tables/audit_log.json')!) as { action: string }[];
    expect(audit.some((e) => e.action === 'member.invited' || e.action.startsWith('invite'))).toBe(true);

    const everything = [...files.values()].join('\n');
    expect(everything).not.toContain(stripeSecret);
    expect(everything).not.toMatch(/mw1:[dsb]:/); // no ciphertext left undecrypted
    for (const foreign of ['Bravo Keeps Ltd', b.id, bInvitee, b.admin.email]) expect(everything).not.toContain(foreign);

    // Audited: the start before any byte, the completion with counts.
    await expect.poll(async () => {
      const entries = await withOrg(app.db, a.id, (tx) => tx.selectFrom('audit_log').select(['action', 'result', 'metadata', 'actor_id']).where('action', 'like', 'data.export%').execute());
      return entries.map((e) => `${e.action}:${e.result}:${e.actor_id}`).sort();
    }).toEqual([`data.export_started:success:${a.admin.id}`, `data.exported:success:${a.admin.id}`]);
  }, 120_000);

  it('takes a backup, and shows Admins its status with the organisation’s region', async () => {
    const store = createLocalStore(path.join(dir, 'backups'));
    const result = await runBackup({ db: t.db, crypto: app.services.crypto, store, postgresUrl: t.url, production: false, primaryRegion: 'eu-west-2' });
    backupFile = result.location;
    const test = await runRestoreTest({ db: t.db, kms: app.services.crypto.keys.kms, store, postgresUrl: t.url });
    expect(test.ok, test.problems.join('; ')).toBe(true);

    expect((await aMember.browser.request('GET', `/api/orgs/${a.id}/backups/status`)).statusCode).toBe(403);
    const status = await a.admin.browser.request('GET', `/api/orgs/${a.id}/backups/status`);
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({
      dataRegion: 'eu-west-2',
      primaryRegion: 'eu-west-2',
      backupDestination: { kind: 'local', region: null },
      lastBackup: { ok: true, bytes: result.manifest.ciphertext.bytes },
      lastRestoreTest: { ok: true, backupId: result.manifest.backupId, problems: 0 },
    });
    expect((status.json() as { allowedBackupRegions: string[] }).allowedBackupRegions).toContain('eu-west-1');
    expect(status.body).not.toContain(dir); // no server paths
  }, 180_000);

  it('deletes an organisation: permission, sudo and typed name required; access ends; keys shredded, backups included', async () => {
    const fc = app.services.crypto;
    const kms = fc.keys.kms;
    const [aInviteRow] = await t.db.owner.selectFrom('invites').select(['id', 'email_encrypted']).where('org_id', '=', a.id).execute();
    const [bInviteRow] = await t.db.owner.selectFrom('invites').select(['id', 'email_encrypted']).where('org_id', '=', b.id).execute();
    const inviteCtx = (id: string) => ({ table: 'invites', column: 'email_encrypted', rowId: id });
    const url = `/api/orgs/${a.id}`;

    expect((await aMember.browser.request('DELETE', url, { body: { confirmName: 'Alpha Erasure Ltd' } })).statusCode).toBe(403);
    expect((await b.admin.browser.request('DELETE', url, { body: { confirmName: 'Alpha Erasure Ltd' } })).statusCode).toBe(404);
    expect((await a.admin.browser.request('DELETE', url, { body: {} })).statusCode).toBe(400);
    // Sign-in was more than 10 minutes ago: sudo mode is required.
    app.clock.advance(11 * 60_000);
    const noSudo = await a.admin.browser.request('DELETE', url, { body: { confirmName: 'Alpha Erasure Ltd' } });
    expect(noSudo.statusCode).toBe(403);
    expect(noSudo.json()).toMatchObject({ code: 'sudo_required' });
    app.clock.advance(30_000);
    const reauth = await a.admin.browser.post('/api/auth/reauth', { password: GOOD_PASSWORD, code: totpCodeAt(a.admin.secret, app.clock()) });
    expect(reauth.statusCode, reauth.body).toBeLessThan(300);
    const wrongName = await a.admin.browser.request('DELETE', url, { body: { confirmName: 'alpha erasure ltd' } });
    expect(wrongName.statusCode).toBe(422);
    expect((await a.admin.browser.request('GET', url)).statusCode).toBe(200); // nothing happened yet

    const deleted = await a.admin.browser.request('DELETE', url, { body: { confirmName: 'Alpha Erasure Ltd' } });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json()).toEqual({ deleted: true, orgId: a.id, deletedAt: expect.any(String), auditRetainedUntil: expect.any(String) });
    expect(shapeReport(OrgDeletedSchema, deleted.json())).toEqual({ errors: [], keys: [], unchecked: [] });

    // Access ends on the very next request, for every member; B is untouched.
    expect((await a.admin.browser.request('GET', url)).statusCode).toBe(404);
    expect((await aMember.browser.request('GET', url)).statusCode).toBe(404);
    expect((await a.admin.browser.request('GET', `/api/orgs/${a.id}/data-export`)).statusCode).toBe(404);
    expect((await b.admin.browser.request('GET', `/api/orgs/${b.id}`)).statusCode).toBe(200);

    // Its rows are gone from every table with org_id but the kept audit trail and the destroyed key records.
    for (const table of (await listTenantTables(t.db.owner)).map((x) => x.table)) {
      if (['audit_log', 'crypto_keks', 'crypto_data_keys', 'crypto_key_events'].includes(table)) continue;
      const { rows } = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(table)} where org_id = ${a.id}::uuid`.execute(t.db.owner);
      expect(Number(rows[0]!.n), table).toBe(0);
    }
    expect(await t.db.owner.selectFrom('organisations').select('id').where('id', '=', a.id).execute()).toEqual([]);
    const keyRows = await t.db.owner.selectFrom('crypto_data_keys').select(['status', 'wrapped_key']).where('org_id', '=', a.id).execute();
    expect(keyRows.length).toBeGreaterThan(0);
    expect(keyRows.every((k) => k.status === 'destroyed' && k.wrapped_key === null)).toBe(true);

    // The audit trail stays, without ip addresses or user agents, and every chain still verifies.
    const kept = await t.db.owner.selectFrom('audit_log').select(['ip', 'user_agent', 'action']).where('org_id', '=', a.id).execute();
    expect(kept.length).toBeGreaterThan(3);
    expect(kept.every((e) => e.ip === null && e.user_agent === null)).toBe(true);
    expect(kept.map((e) => e.action)).toContain('org.deleted');
    expect((await verifyAudit(t.db)).broken).toEqual([]);
    const system = await t.db.owner.selectFrom('audit_log').select(['actor_id', 'metadata', 'target_id']).where('org_id', 'is', null).where('action', '=', 'org.deleted').execute();
    expect(system).toHaveLength(1);
    expect(system[0]).toMatchObject({ actor_id: a.admin.id, target_id: a.id });
    const meta = (typeof system[0]!.metadata === 'string' ? JSON.parse(system[0]!.metadata) : system[0]!.metadata) as Record<string, unknown>;
    expect(meta).toMatchObject({ keysDestroyed: true });
    // The key-destruction event itself is appended (without personal fields) after the re-seal.
    expect(Number(meta.auditEntriesKept)).toBeGreaterThanOrEqual(kept.length - 1);
    expect(meta.auditChainHeadBefore).not.toBe(meta.auditChainHeadAfter);

    // A fresh process (new key cache) on the live database: A's values are shredded, B's read.
    const fresh = await createFieldCrypto({ db: t.db, kms });
    await expect(fresh.decryptField(a.id, inviteCtx(aInviteRow!.id), aInviteRow!.email_encrypted)).rejects.toBeInstanceOf(KeyDestroyedError);
    expect(await fresh.decryptField(b.id, inviteCtx(bInviteRow!.id), bInviteRow!.email_encrypted)).toBe(bInvitee);

    // The backup taken before the deletion, restored into a scratch database: A's rows are all there, but
    // its key-encryption keys no longer exist in the KMS — nothing of A opens; B restores intact.
    let target: RestoreTarget;
    if (kind === 'pglite') target = { kind, dir: path.join(dir, 'restored') };
    else {
      const empty = await createTestDatabase('postgres', { migrate: false });
      cleanups.push(() => empty.dispose());
      target = { kind, url: empty.url! };
    }
    await restoreBackup(await backupSourceFromFile(backupFile), { kms, target });
    const restored: Db = target.kind === 'pglite' ? await openDatabase({ kind: 'pglite', dir: target.dir }) : await openDatabase({ kind: 'postgres', url: target.url, poolSize: 2 });
    try {
      const oldA = await restored.owner.selectFrom('invites').select(['id', 'email_encrypted']).where('org_id', '=', a.id).execute();
      expect(oldA).toEqual([aInviteRow]);
      const oldOrg = await restored.owner.selectFrom('organisations').select('name').where('id', '=', a.id).executeTakeFirst();
      expect(oldOrg?.name).toBe('Alpha Erasure Ltd'); // the row is back in the old copy; its encrypted data is not
      const restoredCrypto = await createFieldCrypto({ db: restored, kms });
      await expect(withOrg(restored, a.id, (tx) => restoredCrypto.decryptField(a.id, inviteCtx(aInviteRow!.id), aInviteRow!.email_encrypted, tx))).rejects.toBeInstanceOf(
        KeyDestroyedError,
      );
      const oldToken = await restored.owner.selectFrom('stripe_connections').select(['id', 'token_encrypted']).where('org_id', '=', a.id).executeTakeFirstOrThrow();
      await expect(
        withOrg(restored, a.id, (tx) => restoredCrypto.decryptField(a.id, { table: 'stripe_connections', column: 'token_encrypted', rowId: oldToken.id, purpose: 'stripe' }, oldToken.token_encrypted!, tx)),
      ).rejects.toBeInstanceOf(KeyDestroyedError);
      expect(await withOrg(restored, b.id, (tx) => restoredCrypto.decryptField(b.id, inviteCtx(bInviteRow!.id), bInviteRow!.email_encrypted, tx))).toBe(bInvitee);
    } finally {
      await restored.close();
    }

    // The restore test of that backup still passes, counting A's values as shredded rather than failed.
    const afterTest = await runRestoreTest({ db: t.db, kms, store: createLocalStore(path.join(dir, 'backups')), postgresUrl: t.url, samplePerColumn: 50 });
    expect(afterTest.ok, afterTest.problems.join('; ')).toBe(true);
    expect(afterTest.valuesShredded).toBeGreaterThanOrEqual(2);
  }, 240_000);

  it('purges the kept audit entries once the audit retention period has passed', async () => {
    expect(await purgeExpiredAudit(t.db, new Date(Date.now() + 300 * 86_400_000))).toEqual([]);
    expect(await purgeExpiredAudit(t.db, new Date(app.clock().getTime() + 366 * 86_400_000))).toEqual([a.id]);
    expect(await t.db.owner.selectFrom('audit_log').select('id').where('org_id', '=', a.id).execute()).toEqual([]);
    expect(await purgeExpiredAudit(t.db, new Date(app.clock().getTime() + 367 * 86_400_000))).toEqual([]);
    expect((await verifyAudit(t.db)).broken).toEqual([]);
    const purged = await t.db.owner.selectFrom('audit_log').select(['target_id']).where('org_id', 'is', null).where('action', '=', 'org.audit_purged').execute();
    expect(purged).toEqual([{ target_id: a.id }]);
  });
});
