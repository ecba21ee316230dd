// PostgreSQL snapshots with pg_dump: one REPEATABLE READ transaction exports its snapshot, the row counts
// are read in it, and pg_dump --snapshot dumps exactly that state — the manifest's counts and the dump
// agree even while the app keeps writing. Custom format (restored by pg_restore in one transaction),
// uncompressed because the whole stream is gzipped on its way to encryption.
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { startPgTool, type PgToolOptions } from './pg-tools.js';
import { assertBypassesRls, snapshotStats, type SnapshotStats } from './snapshot-stats.js';

export interface DumpSource {
  stats: SnapshotStats;
  /** The dump; it ends only when the dumping program succeeded, and errors otherwise. */
  stream: Readable;
  /** Expected size in bytes (exact for PGlite, the database's on-disk size for PostgreSQL). */
  sizeHint?: number;
  sizeIsExact: boolean;
}

export async function dumpPostgres<T>(db: Db, url: string, opts: PgToolOptions, consume: (d: DumpSource) => Promise<T>): Promise<T> {
  await assertBypassesRls(db.owner, 'backup');
  return db.owner.connection().execute(async (conn) => {
    await sql`begin isolation level repeatable read read only`.execute(conn);
    try {
      const { rows } = await sql<{ id: string; size: string }>`
        select pg_export_snapshot() as id, pg_database_size(current_database())::text as size`.execute(conn);
      const snap = rows[0];
      if (!snap) throw new Error('PostgreSQL did not export a snapshot');
      const stats = await snapshotStats(conn);
      const tool = startPgTool('pg_dump', ['--format=custom', '--compress=0', `--snapshot=${snap.id}`], url, opts);
      const out = new PassThrough({ highWaterMark: 1024 * 1024 });
      const stdout = tool.child.stdout;
      if (!stdout) throw new Error('pg_dump has no output stream');
      stdout.pipe(out, { end: false });
      // The stream ends only once pg_dump exited 0: a dump cut short by an error must never look complete.
      stdout.once('end', () => void tool.done.then(() => out.end(), (err: Error) => out.destroy(err)));
      tool.done.catch((err: Error) => out.destroy(err));
      try {
        return await consume({ stats, stream: out, sizeHint: Number(snap.size), sizeIsExact: false });
      } finally {
        if (tool.child.exitCode === null) tool.child.kill();
        await tool.done.catch(() => undefined);
      }
    } finally {
      await sql`rollback`.execute(conn);
    }
  });
}

/**
 * Feeds a custom-format dump to pg_restore in one transaction: if anything fails, nothing stays written.
 * Objects become owned by the restoring login (--no-owner); grants to the app role are kept.
 */
export async function restorePostgres(url: string, dump: Readable, opts: PgToolOptions): Promise<void> {
  const tool = startPgTool('pg_restore', ['--single-transaction', '--exit-on-error', '--no-owner'], url, opts);
  const stdin = tool.child.stdin;
  if (!stdin) throw new Error('pg_restore has no input stream');
  const [fed, exited] = await Promise.allSettled([pipeline(dump, stdin), tool.done]);
  // pg_restore's own message explains more than the broken pipe its early exit causes.
  if (exited.status === 'rejected') throw exited.reason;
  if (fed.status === 'rejected') throw fed.reason;
}
