import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { databaseAudit } from './auth-audit.js';
import { manualClock } from './test-support.js';

describe.each(DB_KINDS)('auth audit events in the audit log on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('go to the system chain with actor, result, IP, user agent and details', async () => {
    const clock = manualClock();
    const audit = databaseAudit(t.db, clock);
    await audit.record({ action: 'auth.login', result: 'failure', userId: null, ip: '198.51.100.1', userAgent: 'curl/8', details: { reason: 'unknown-email' } });
    const userId = '6f1f0a8e-6a51-4d55-9d1f-3f1b7a2c9e10';
    await audit.record({ action: 'auth.session.revoke', result: 'success', userId, ip: '192.0.2.1', userAgent: 'ff', target: '0d4f0a8e-6a51-4d55-9d1f-3f1b7a2c9e11' });
    const rows = await t.db.owner.selectFrom('audit_log').selectAll().where('action', 'like', 'auth.%').orderBy('seq').execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ org_id: null, actor_type: 'system', action: 'auth.login', result: 'failure', ip: '198.51.100.1', user_agent: 'curl/8' });
    expect(rows[0]!.metadata).toEqual({ reason: 'unknown-email' });
    expect(rows[0]!.occurred_at.getTime()).toBe(clock().getTime());
    expect(rows[1]).toMatchObject({ actor_type: 'user', actor_id: userId, target_type: 'session', target_id: '0d4f0a8e-6a51-4d55-9d1f-3f1b7a2c9e11' });
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
  });
});
