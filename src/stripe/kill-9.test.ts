// A real `kill -9` mid-backfill: `mowt stripe-sync` runs in a child process against the emulator and
// PostgreSQL, is SIGKILLed while it pages, and is started again; the database must end identical (checksum
// of the decrypted content) to an uninterrupted sync, with every object once and every count exact.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../paths.js';
import { keyringDir } from '../crypto/index.js';
import { withOrg } from '../db/tenant.js';
import { backfill } from './backfill.js';
import { connectRestrictedKey } from './connect-restricted-key.js';
import { listSyncState } from './sync-state.js';
import { canonicalDump, checksum, stripeTestEnv, SYNCED_TABLES, type StripeTestEnv } from './test-support.js';

const KEY = 'rk_test_killNineKey1234';
const EMULATOR = { business: 'demo' as const, seed: 3 };

function childEnv(env: StripeTestEnv, dataDir: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  // Only what the command needs: nothing of this process's own Mowt configuration leaks in.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MOWT_') && !k.startsWith('DATABASE_') && k !== 'KMS_KEY_ID') out[k] = v;
  return {
    ...out, MOWT_ENV: 'development', MOWT_DATA_DIR: dataDir, DATABASE_URL: env.t.url, MOWT_STRIPE_API_BASE: env.emulator.url,
    // Slow enough that the kill lands mid-backfill.
    MOWT_STRIPE_RATE_LIMIT: '40', MOWT_DEMO_EMULATOR: 'false', LOG_LEVEL: 'warn',
  };
}

function startSync(env: NodeJS.ProcessEnv, connectionId: string): { child: ChildProcess; output: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, ['bin/mowt.js', 'stripe-sync', '--connection', connectionId, '--backfill-only'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c) => (output += c));
  child.stderr?.on('data', (c) => (output += c));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exit };
}

async function typeTotals(env: StripeTestEnv, orgId: string, connectionId: string): Promise<Record<string, number>> {
  const rows = await withOrg(env.t.db, orgId, (tx) => listSyncState(tx, connectionId));
  return Object.fromEntries(rows.filter((r) => r.object_type !== 'event_poll' && !r.object_type.includes(':')).map((r) => [r.object_type, Number(r.objects_synced)]));
}

describe('kill -9 mid-backfill (child process, PostgreSQL)', () => {
  let reference: StripeTestEnv;
  let referenceSum: string;
  let referenceTotals: Record<string, number>;
  let env: StripeTestEnv;
  let dataDir: string;
  beforeAll(async () => {
    reference = await stripeTestEnv('postgres', EMULATOR);
    const { connectionId } = await connectRestrictedKey(reference.deps, { orgId: reference.orgId, userId: null, restrictedKey: KEY });
    await backfill(reference.deps, reference.orgId, connectionId);
    referenceSum = checksum(await canonicalDump(reference, reference.orgId));
    referenceTotals = await typeTotals(reference, reference.orgId, connectionId);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-kill9-'));
    env = await stripeTestEnv('postgres', EMULATOR, {}, { keyDir: keyringDir(dataDir) });
  }, 180_000);
  afterAll(async () => {
    await reference?.dispose();
    await env?.dispose();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('SIGKILLed while paging, restarted, ends identical to an uninterrupted sync with no duplicates', async () => {
    const { connectionId } = await connectRestrictedKey(env.deps, { orgId: env.orgId, userId: null, restrictedKey: KEY });
    const first = startSync(childEnv(env, dataDir), connectionId);
    let stored = 0;
    for (let i = 0; i < 600 && stored < 1500; i++) {
      await new Promise((r) => setTimeout(r, 100));
      stored = Object.values(await typeTotals(env, env.orgId, connectionId)).reduce((a, b) => a + b, 0);
      if (first.child.exitCode !== null) break;
    }
    first.child.kill('SIGKILL');
    const killed = await first.exit;
    expect(killed.signal, first.output()).toBe('SIGKILL');
    const mid = await withOrg(env.t.db, env.orgId, (tx) => listSyncState(tx, connectionId));
    const unfinished = mid.filter((s) => !s.object_type.includes(':') && s.object_type !== 'event_poll' && !s.done);
    expect(unfinished.length).toBeGreaterThan(0);
    expect(stored).toBeGreaterThanOrEqual(1500);

    const second = startSync(childEnv(env, dataDir), connectionId);
    const finished = await second.exit;
    expect(finished.code, second.output()).toBe(0);
    expect(second.output()).toMatch(/backfill: \d+ objects in \d+ pages this run/);

    const dump = await canonicalDump(env, env.orgId);
    expect(checksum(dump)).toBe(referenceSum);
    // Every object stored once, and no page counted twice: the kill rolled back whatever was in flight.
    expect(await typeTotals(env, env.orgId, connectionId)).toEqual(referenceTotals);
    for (const table of SYNCED_TABLES) {
      const ids = (dump[table] as { id: string }[]).map((r) => r.id);
      expect(new Set(ids).size, table).toBe(ids.length);
    }
  }, 300_000);
});
