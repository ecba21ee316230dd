// One process at a time on the embedded database. PGlite is PostgreSQL compiled to WebAssembly running
// inside one Node process: it has no postmaster arbitrating between processes, so a second process opening
// the same data folder (an operator running `mowt backup` while `npm start` serves) would corrupt it.
// PGlite's own postmaster.pid cannot tell us whether its holder lives (it always says pid -42, and a
// crash leaves it behind), so Mowt keeps its own lock beside the folder: `<dir>.lock` holding the real pid.
//
//   acquireEmbeddedLock(dir, what)  the server (createApp) and every operator command that opens the folder;
//                                   throws EmbeddedDatabaseBusyError while a live process holds it; a lock
//                                   left by a crashed process (dead pid) is taken over; re-entrant in-process.
import fs from 'node:fs';
import path from 'node:path';

export class EmbeddedDatabaseBusyError extends Error {
  override name = 'EmbeddedDatabaseBusyError';
}

export interface EmbeddedLock {
  readonly file: string;
  release(): void;
}

interface LockBody {
  pid: number;
  what: string;
  since: string;
}

export function lockFileOf(dir: string): string {
  return `${path.resolve(dir)}.lock`;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user — still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockBody | null {
  try {
    const body = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockBody>;
    return typeof body.pid === 'number' ? { pid: body.pid, what: String(body.what ?? 'unknown'), since: String(body.since ?? '') } : null;
  } catch {
    return null; // missing, half-written or not ours: treated as stale
  }
}

// Locks this process holds, by file, with a count (createApp inside `mowt create-admin` takes it again).
const held = new Map<string, number>();
let exitHookInstalled = false;

function releaseAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const file of held.keys()) {
      if (readLock(file)?.pid === process.pid) fs.rmSync(file, { force: true });
    }
  });
}

/**
 * Takes the lock of the embedded database folder `dir` for this process, or throws
 * EmbeddedDatabaseBusyError naming the live process that holds it.
 */
export function acquireEmbeddedLock(dir: string, what: string): EmbeddedLock {
  const file = lockFileOf(dir);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const count = held.get(file);
  if (count !== undefined) {
    held.set(file, count + 1);
    return handle(file);
  }
  const body: LockBody = { pid: process.pid, what, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${JSON.stringify(body)}\n`, { flag: 'wx', mode: 0o600 });
      held.set(file, 1);
      releaseAllOnExit();
      return handle(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const other = readLock(file);
    if (other && other.pid !== process.pid && isAlive(other.pid)) {
      throw new EmbeddedDatabaseBusyError(
        `the embedded database ${path.resolve(dir)} is in use by process ${other.pid} (${other.what}, since ${other.since}). ` +
          'PGlite allows one process at a time: stop Mowt (npm start) first, or let the running server do it ' +
          `(it takes the scheduled backups, restore tests and key rotations). If no such process runs, remove ${file}.`,
      );
    }
    // Left by a process that is gone (crash, kill -9): take it over. rm + wx again, so two processes
    // racing for a stale lock cannot both win.
    fs.rmSync(file, { force: true });
  }
  throw new EmbeddedDatabaseBusyError(`could not take the lock ${file}: another process keeps taking it`);
}

function handle(file: string): EmbeddedLock {
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      const count = held.get(file) ?? 0;
      if (count > 1) {
        held.set(file, count - 1);
        return;
      }
      held.delete(file);
      if (readLock(file)?.pid === process.pid) fs.rmSync(file, { force: true });
    },
  };
}
