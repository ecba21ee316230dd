// `mowt fx-rates import`: a bad file prints every problem with its line and stores nothing (exit 1); a good
// one replaces the organisation's file, is audited as the operator's, and recomputes (exit 0).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { loadConfig } from '../config.js';
import { withOrg } from '../db/tenant.js';
import { fxRatesImportCommand } from './fx-rates-command.js';

describe('mowt fx-rates import (PostgreSQL)', () => {
  let t: TestDatabase;
  let dir: string;
  const orgId = crypto.randomUUID();
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-fx-'));
    await withOrg(t.db, orgId, (tx) => tx.insertInto('organisations').values({ id: orgId, name: 'Rates Ltd' }).execute());
  });
  afterAll(async () => {
    await t?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = async (org: string, text: string) => {
    const file = path.join(dir, `${crypto.randomUUID()}.csv`);
    fs.writeFileSync(file, text);
    const out: string[] = [];
    const err: string[] = [];
    const code = await fxRatesImportCommand({ org, file }, {
      out: (l) => out.push(l), err: (l) => err.push(l),
      config: () => loadConfig({ DATABASE_URL: t.url as string, LOG_LEVEL: 'silent', MOWT_DATA_DIR: dir }),
    });
    return { code, out, err, file };
  };
  const stored = () => withOrg(t.db, orgId, async (tx) => (await sql<{ n: number }>`select count(*)::int as n from analytics_fx_imports`.execute(tx)).rows[0]?.n);

  it('prints every problem with file and line, stores nothing, exits 1', async () => {
    const r = await run(orgId, 'date,currency,rate\n2026-01-01,USD,0.8\n2026-01-02,USD,-1\n2026-01-01,USD,0.8\n');
    expect(r.code).toBe(1);
    expect(r.err.slice(0, 2)).toEqual([`${r.file}:3: rate "-1" is not a positive decimal such as 0.7912 (no sign, exponent or separators; at most 12 digits each side of the point)`, `${r.file}:4: second rate for USD on 2026-01-01 (first on line 2)`]);
    expect(await stored()).toBe(0);
  });

  it('imports, audits as the operator and recomputes', async () => {
    const r = await run(orgId, 'date,currency,rate\n2026-01-01,USD,0.8\n2026-01-02,USD,0.81\n2026-01-01,EUR,0.87\n');
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.slice(0, 3)).toEqual(['imported 3 rates in GBP (source setting: imported-then-stripe):', '  EUR: 1 days, 2026-01-01 to 2026-01-01', '  USD: 2 days, 2026-01-01 to 2026-01-02']);
    expect(r.out[3]).toMatch(/^recomputed 0 customers/);
    expect(await stored()).toBe(3);
    const audit = await withOrg(t.db, orgId, (tx) => sql<{ actor_type: string }>`select actor_type from audit_log where action = 'metrics.fx_rates_imported'`.execute(tx));
    expect(audit.rows.map((x) => x.actor_type)).toEqual(['system']);
  });

  it('refuses a malformed --org and an organisation that does not exist', async () => {
    expect((await run('acme', 'date,currency,rate\n')).err).toEqual(['mowt: --org must be an organisation id (uuid)']);
    const missing = await run(crypto.randomUUID(), 'date,currency,rate\n2026-01-01,USD,0.8\n');
    expect([missing.code, missing.err[0]?.startsWith('mowt: no organisation')]).toEqual([1, true]);
  });
});
