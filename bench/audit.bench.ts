// Audit-log append throughput (docs/decisions/030-audit-chain.md): appends/s into one organisation's chain,
// spread over many chains, and the latency of an organisation's reads while its chain is being appended to.
import crypto from 'node:crypto';
import { appendAudit } from '../src/audit/index.js';
import { withOrg } from '../src/db/tenant.js';
import { createTestDatabase } from '../test/helpers/databases.js';
import type { DbKind } from '../src/db/database.js';

const N = 2000;
const CONCURRENCY = 20;

async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

async function bench(kind: DbKind): Promise<void> {
  const t = await createTestDatabase(kind);
  try {
    const orgs = Array.from({ length: CONCURRENCY }, () => crypto.randomUUID());
    for (const id of orgs) await withOrg(t.db, id, (tx) => tx.insertInto('organisations').values({ id, name: 'Bench' }).execute());
    const entry = (orgId: string, i: number) => ({
      orgId,
      actor: { type: 'user' as const, id: orgs[0] as string },
      action: 'read.customer',
      target: { type: 'customer', id: `cus_${i}` },
      ip: '203.0.113.1',
      userAgent: 'bench',
    });

    let start = performance.now();
    await pool(N, CONCURRENCY, (i) => appendAudit(t.db, entry(orgs[0] as string, i)));
    const oneChain = N / ((performance.now() - start) / 1000);

    start = performance.now();
    await pool(N, CONCURRENCY, (i) => appendAudit(t.db, entry(orgs[i % orgs.length] as string, i)));
    const manyChains = N / ((performance.now() - start) / 1000);

    // Reads of the same organisation while its chain is busy: they take no chain lock.
    const reads: number[] = [];
    let appending = true;
    const writer = pool(N, CONCURRENCY - 2, (i) => appendAudit(t.db, entry(orgs[1] as string, i))).then(() => (appending = false));
    while (appending) {
      const r0 = performance.now();
      await withOrg(t.db, orgs[1] as string, (tx) => tx.selectFrom('organisations').select('name').execute());
      reads.push(performance.now() - r0);
    }
    await writer;
    reads.sort((x, y) => x - y);
    const p = (q: number) => (reads[Math.min(reads.length - 1, Math.floor(q * reads.length))] ?? 0).toFixed(1);
    console.log(
      `${kind.padEnd(8)} one chain: ${oneChain.toFixed(0)} appends/s · ${CONCURRENCY} chains: ${manyChains.toFixed(0)} appends/s · ` +
        `reads of the busy org: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms (${reads.length} reads)`,
    );
  } finally {
    await t.dispose();
  }
}

// PostgreSQL only: production runs on it, and embedded PGlite has a single connection, so there is no
// concurrency between appends and reads to measure.
export async function run(): Promise<void> {
  await bench('postgres');
}
