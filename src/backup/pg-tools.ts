// Runs PostgreSQL's own client programs (pg_dump, pg_restore). The password never appears on a command
// line (other users of the machine can read those): it travels in PGPASSWORD, the URL without it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface PgToolOptions {
  /** Folder holding pg_dump/pg_restore of the server's major version; PATH when unset. */
  binDir?: string;
}

export function connectionArgs(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (password) env.PGPASSWORD = password;
  return { dbname: u.toString(), env };
}

export interface RunningTool {
  child: ChildProcess;
  /** Resolves when the program exits 0; rejects with its last stderr lines otherwise. */
  done: Promise<void>;
}

export function startPgTool(program: 'pg_dump' | 'pg_restore', args: string[], url: string, opts: PgToolOptions = {}): RunningTool {
  const { dbname, env } = connectionArgs(url);
  const bin = opts.binDir ? path.join(opts.binDir, program) : program;
  const child = spawn(bin, [...args, '--dbname', dbname, '--no-password'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`${program} could not start (${err.message}); install the PostgreSQL client programs or set MOWT_PG_BIN_DIR`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${program} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`));
    });
  });
  return { child, done };
}
