// `mowt verify-audit`: intact chains exit 0; a row tampered with by the owner exits 1 naming the entry.
import crypto from 'node:crypto';
import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { loadConfig } from '../config.js';
import { withOrg } from '../db/tenant.js';
import { appendAudit } from './append-audit.js';
import { runVerifyAudit } from './verify-audit-command.js';

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  return { stdout, stderr, text: () => ({ out, err }) };
}

describe('mowt verify-audit (PostgreSQL)', () => {
  let t: TestDatabase;
  let orgId: string;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    orgId = crypto.randomUUID();
    await withOrg(t.db, orgId, (tx) => tx.insertInto('organisations').values({ id: orgId, name: 'Chain Ltd' }).execute());
    for (let i = 0; i < 5; i++) await appendAudit(t.db, { orgId, actor: { type: 'system' }, action: `step.${i}` });
    await appendAudit(t.db, { orgId: null, actor: { type: 'system' }, action: 'auth.login', result: 'failure' });
  });
  afterAll(async () => {
    await t?.dispose();
  });

  const config = () => loadConfig({ DATABASE_URL: t.url as string, LOG_LEVEL: 'silent' });

  it('passes intact chains', async () => {
    const io = capture();
    expect(await runVerifyAudit(config(), {}, io)).toBe(0);
    expect(io.text().out).toBe('checked 2 chain(s), 6 intact entries; audit log intact\n');
  });

  it('names the first broken entry after a row is altered, and exits 1', async () => {
    const row = await sql<{ id: string }>`select id from audit_log where org_id = ${orgId} and seq = 3`.execute(t.db.owner);
    await sql`update audit_log set actor_id = 'someone-else' where org_id = ${orgId} and seq = 3`.execute(t.db.owner);
    const io = capture();
    expect(await runVerifyAudit(config(), { org: orgId }, io)).toBe(1);
    expect(io.text().err).toBe(`BROKEN organisation ${orgId}: entry 3 (id ${row.rows[0]?.id}): content does not match its hash (entry altered)\n`);
    expect(io.text().out).toBe('checked 1 chain(s), 2 intact entries; 1 chain(s) BROKEN\n');
    expect(await runVerifyAudit(config(), {}, capture())).toBe(1);
  });

  it('refuses a malformed --org', async () => {
    const io = capture();
    expect(await runVerifyAudit(config(), { org: 'acme' }, io)).toBe(1);
    expect(io.text().err).toBe('mowt: --org must be an organisation id (uuid)\n');
  });
});
