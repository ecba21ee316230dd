// PGlite snapshots: its data directory as a tarball (dumpDataDir). The dump runs while holding the Kysely
// connection lock, so no transaction is open and nothing writes meanwhile; a CHECKPOINT first means the
// copy needs no WAL replay. PGlite's API returns the tarball as one Blob (the embedded database is small
// by design); from there on it is streamed through compression and encryption like any other dump.
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { DumpSource } from './pg-dump.js';
import { snapshotStats } from './snapshot-stats.js';

export async function dumpPglite<T>(db: Db, consume: (d: DumpSource) => Promise<T>): Promise<T> {
  const pglite = db.pglite;
  if (db.kind !== 'pglite' || !pglite) throw new Error('dumpPglite needs an embedded (PGlite) database');
  const { stats, tarball } = await db.owner.connection().execute(async (conn) => {
    const stats = await snapshotStats(conn);
    await sql`checkpoint`.execute(conn);
    return { stats, tarball: await pglite.dumpDataDir('none') };
  });
  const stream = Readable.fromWeb(tarball.stream() as unknown as WebReadableStream<Uint8Array>);
  return consume({ stats, stream, sizeHint: tarball.size, sizeIsExact: true });
}

/** True when `dir` does not exist or holds nothing. */
export async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await fs.readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

/** Creates a PGlite database in the empty folder `dir` from a data-directory tarball. */
export async function restorePglite(dir: string, tarball: Blob): Promise<void> {
  if (!(await isEmptyDir(dir))) throw new Error(`refusing to restore into ${dir}: the folder is not empty`);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    const pg = new PGlite(dir, { loadDataDir: tarball });
    await pg.waitReady;
    await pg.close();
  } catch (err) {
    // The folder was empty before: leave it so, not half-restored.
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
}
