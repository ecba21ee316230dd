// The audit log on both databases: chained appends, append-only for the app role, system chain privacy,
// tamper detection by verifyAudit, page-view de-duplication, filtering and CSV export.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { withOrg, withoutOrg } from '../db/tenant.js';
import { appendAudit, auditCsv, auditPageView, auditRead, queryAudit, verifyAudit } from './index.js';

async function createOrg(t: TestDatabase, name: string): Promise<string> {
  const id = crypto.randomUUID();
  await withOrg(t.db, id, (tx) => tx.insertInto('organisations').values({ id, name }).execute());
  return id;
}

describe.each(DB_KINDS)('audit log on %s', (kind) => {
  let t: TestDatabase;
  let orgA: string;
  let orgB: string;
  const user = crypto.randomUUID();

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    orgA = await createOrg(t, 'Acme');
    orgB = await createOrg(t, 'Globex');
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('chains entries per organisation: seq 1, 2, 3… each linked to the previous hash', async () => {
    const first = await appendAudit(t.db, { orgId: orgA, actor: { type: 'user', id: user }, action: 'member.invited', target: { type: 'invite', id: 'i1' } });
    const second = await withOrg(t.db, orgA, (tx) =>
      appendAudit(tx, { orgId: orgA, actor: { type: 'user', id: user }, action: 'settings.changed', metadata: { fields: ['name'] } }),
    );
    const otherOrg = await appendAudit(t.db, { orgId: orgB, actor: { type: 'system' }, action: 'org.created' });
    expect([first.seq, second.seq, otherOrg.seq]).toEqual([1, 2, 1]);
    const rows = await withOrg(t.db, orgA, (tx) => tx.selectFrom('audit_log').select(['seq', 'prev_hash', 'hash']).orderBy('seq').execute());
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2]);
    expect(rows[0]?.prev_hash).toBe('0'.repeat(64));
    expect(rows[1]?.prev_hash).toBe(rows[0]?.hash);
    expect((await verifyAudit(t.db)).broken).toEqual([]);
  });

  it('keeps the system chain write-only for the app role', async () => {
    await appendAudit(t.db, { orgId: null, actor: { type: 'system' }, action: 'auth.login', result: 'failure', ip: '203.0.113.9' });
    const seen = await withoutOrg(t.db, (tx) => tx.selectFrom('audit_log').select('id').execute());
    expect(seen).toEqual([]);
    const report = await verifyAudit(t.db);
    expect(report.broken).toEqual([]);
    expect(report.chains).toBe(3);
  });

  it('refuses UPDATE and DELETE to the app role (append-only)', async () => {
    await expect(withOrg(t.db, orgA, (tx) => tx.updateTable('audit_log').set({ action: 'nothing.happened' }).execute())).rejects.toThrow(
      /permission denied/,
    );
    await expect(withOrg(t.db, orgA, (tx) => tx.deleteFrom('audit_log').execute())).rejects.toThrow(/permission denied/);
    await expect(withOrg(t.db, orgA, (tx) => sql`truncate audit_log`.execute(tx))).rejects.toThrow(/permission denied/);
  });

  it('refuses to write into another organisation’s chain', async () => {
    await expect(withOrg(t.db, orgA, (tx) => appendAudit(tx, { orgId: orgB, actor: { type: 'system' }, action: 'x.y' }))).rejects.toThrow(
      /row-level security/,
    );
  });

  it('refuses secrets in metadata', async () => {
    await expect(appendAudit(t.db, { orgId: orgA, actor: { type: 'system' }, action: 'x.y', metadata: { newPassword: 'x' } })).rejects.toThrow(
      /secrets never go/,
    );
  });

  it('numbers concurrent appends without gaps or duplicates', async () => {
    const org = await createOrg(t, 'Busy');
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => appendAudit(t.db, { orgId: org, actor: { type: 'user', id: user }, action: 'read.customer', target: { type: 'customer', id: `cus_${i}` } })),
    );
    const seqs = await withOrg(t.db, org, (tx) => tx.selectFrom('audit_log').select('seq').orderBy('seq').execute());
    expect(seqs.map((r) => Number(r.seq))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect((await verifyAudit(t.db, { orgId: org })).broken).toEqual([]);
  });

  it('records a customer read, an export and an API-token read', async () => {
    const org = await createOrg(t, 'Reader');
    const actor = { type: 'user' as const, id: user };
    await auditRead(t.db, { orgId: org, actor, what: 'customer', targetId: 'cus_123', context: { ip: '198.51.100.1', userAgent: 'vitest' } });
    await auditRead(t.db, { orgId: org, actor, what: 'export', targetId: 'exp_9', metadata: { format: 'csv', rows: 10 } });
    await auditRead(t.db, { orgId: org, actor, what: 'api_token', targetId: 'tok_1' });
    const entries = await withOrg(t.db, org, (tx) => queryAudit(tx, org, {}, { limit: 10 }));
    expect(entries.map((e) => [e.action, e.targetId, e.actorId])).toEqual([
      ['read.api_token', 'tok_1', user],
      ['read.export', 'exp_9', user],
      ['read.customer', 'cus_123', user],
    ]);
    expect(entries[2]).toMatchObject({ ip: '198.51.100.1', userAgent: 'vitest', result: 'success' });
  });

  it('records a page view once per user, page and minute', async () => {
    const org = await createOrg(t, 'Viewer');
    const at = new Date('2026-11-25T10:00:05Z');
    const view = (page: string, when: Date, userId = user) => auditPageView(t.db, { orgId: org, userId, page, at: when });
    expect(await view('/dashboard', at)).toBe(true);
    expect(await view('/dashboard', new Date('2026-11-25T10:00:59Z'))).toBe(false);
    expect(await view('/cohorts', at)).toBe(true);
    expect(await view('/dashboard', at, crypto.randomUUID())).toBe(true);
    expect(await view('/dashboard', new Date('2026-11-25T10:01:00Z'))).toBe(true);
    const entries = await withOrg(t.db, org, (tx) => queryAudit(tx, org, { action: 'page.viewed' }, { limit: 10 }));
    expect(entries).toHaveLength(4);
  });

  it('filters, pages and exports as CSV', async () => {
    const org = await createOrg(t, 'Filters');
    const other = crypto.randomUUID();
    for (let i = 0; i < 5; i++) {
      await appendAudit(t.db, { orgId: org, actor: { type: 'user', id: i % 2 ? other : user }, action: i < 3 ? 'member.invited' : 'settings.changed', result: i === 4 ? 'denied' : 'success', target: { type: 'invite', id: `i${i}` }, at: new Date(Date.UTC(2026, 0, 1 + i)) });
    }
    const q = (filters: Parameters<typeof queryAudit>[2], page = { limit: 50 } as { limit: number; before?: number }) =>
      withOrg(t.db, org, (tx) => queryAudit(tx, org, filters, page));
    expect((await q({ actor: other })).map((e) => e.seq)).toEqual([4, 2]);
    expect((await q({ action: 'member.' })).map((e) => e.seq)).toEqual([3, 2, 1]);
    expect((await q({ target: 'invite:i3' })).map((e) => e.seq)).toEqual([4]);
    expect((await q({ result: 'denied' })).map((e) => e.seq)).toEqual([5]);
    expect((await q({ from: new Date(Date.UTC(2026, 0, 2)), to: new Date(Date.UTC(2026, 0, 4)) })).map((e) => e.seq)).toEqual([3, 2]);
    expect((await q({}, { limit: 2, before: 4 })).map((e) => e.seq)).toEqual([3, 2]);
    const csv = auditCsv(await q({ result: 'denied' }));
    expect(csv.split('\r\n')[0]).toBe('seq,occurredAt,actorType,actorId,action,targetType,targetId,result,ip,userAgent,metadata,hash');
    expect(csv).toContain(',settings.changed,invite,i4,denied,');
    expect(auditCsv([{ ...(await q({}))[0]!, userAgent: '=HYPERLINK("x")' }])).toContain(`"'=HYPERLINK(""x"")"`);
  });

  it('names the first altered entry when a row is tampered with by the owner', async () => {
    const org = await createOrg(t, 'Tampered');
    for (let i = 0; i < 4; i++) await appendAudit(t.db, { orgId: org, actor: { type: 'system' }, action: `step.${i}` });
    expect((await verifyAudit(t.db, { orgId: org })).broken).toEqual([]);
    await sql`update audit_log set action = 'step.forged' where org_id = ${org} and seq = 3`.execute(t.db.owner);
    const report = await verifyAudit(t.db, { orgId: org });
    expect(report.broken).toHaveLength(1);
    expect(report.broken[0]).toMatchObject({ orgId: org, seq: 3, reason: 'content does not match its hash (entry altered)' });
  });

  it('notices a removed entry, in the middle or at the end of a chain', async () => {
    const org = await createOrg(t, 'Truncated');
    for (let i = 0; i < 4; i++) await appendAudit(t.db, { orgId: org, actor: { type: 'system' }, action: `step.${i}` });
    await sql`delete from audit_log where org_id = ${org} and seq = 4`.execute(t.db.owner);
    expect((await verifyAudit(t.db, { orgId: org })).broken[0]).toMatchObject({ seq: 4, entryId: null });
    await sql`delete from audit_log where org_id = ${org} and seq = 2`.execute(t.db.owner);
    expect((await verifyAudit(t.db, { orgId: org })).broken[0]).toMatchObject({ seq: 2, reason: 'entry 2 is missing (found 3 next)' });
  });
});
